extern alias notify;

using Microsoft.AspNetCore.Mvc.Testing;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.AdminApi.Subscribers;

/// <summary>
/// <see cref="AdminApiHost"/> with the real Notify.Service beside it on the same database and virtual host, so the
/// subscriber endpoints are tested end to end over the bus: StatusApi's request, Notify's consumer and its notify schema.
/// Webhook targets inside the network are refused, as in production; no subscribers from a file.
/// </summary>
public sealed class AdminApiWithNotify : IAsyncLifetime
{
    private WebApplicationFactory<notify::Program>? _notify;

    public AdminApiHost Api { get; } = new();

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        // MassTransit keeps its log context in an async-local slot filled only when empty: StatusApi's must not be reused.
        MassTransit.LogContext.Current = null;
        _notify = new WebApplicationFactory<notify::Program>().WithWebHostBuilder(web => web
            .UseSetting("ConnectionStrings:statusdb", Api.Database.ConnectionString)
            .UseSetting("ConnectionStrings:messaging", Api.VirtualHost.AmqpUri.ToString())
            .UseSetting("StatusPlatform:ConfigFile", "")
            .UseSetting("Notify:SigningKey", "test-signing-key-of-at-least-32-characters")
            .UseSetting("Notify:AllowPrivateWebhookTargets", "false"));
        using var http = _notify.CreateClient();
        await Eventually.Until(async () => (await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), "Notify.Service to report healthy");
    }

    /// <summary>How many subscribers Notify holds, in any state: what a refused request must leave unchanged.</summary>
    public async Task<long> SubscriberCountAsync() => await Api.ScalarAsync<long>("select count(*) from notify.subscribers");

    public async Task DisposeAsync()
    {
        if (_notify is not null)
            await _notify.DisposeAsync();
        await Api.DisposeAsync();
    }
}
