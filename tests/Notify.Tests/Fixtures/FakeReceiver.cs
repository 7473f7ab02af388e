using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StatusPlatform.Notify.Tests.Fixtures;

/// <summary>A request the fake receiver got.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public override string ToString() => $"{Method} {Path}{Query} {(Body.Length > 80 ? Body[..80] : Body)}";
}

/// <summary>
/// A local HTTP server (Kestrel on 127.0.0.1, a port of its own) standing in for webhook receivers, chat platforms, an
/// SMS provider or JIRA: it records every request and answers what <see cref="Respond"/> says (200 by default).
/// </summary>
public sealed class FakeReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();

    private FakeReceiver(WebApplication app) => _app = app;

    /// <summary>The answer to a request: status code and body; may be changed while running.</summary>
    public Func<ReceivedRequest, (int Status, string Body)> Respond { get; set; } = _ => (200, "");

    /// <summary>A wait before answering, to keep deliveries in flight.</summary>
    public TimeSpan Delay { get; set; }

    public Uri BaseUri { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    public IReadOnlyList<ReceivedRequest> To(string path) => [.. _received.Where(r => r.Path == path)];

    public string Url(string path) => new Uri(BaseUri, path).ToString();

    public static async Task<FakeReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new FakeReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body);
        // Recorded on arrival: a request the sender gave up on still counts as received, as it would at a real receiver.
        _received.Enqueue(request);
        if (Delay > TimeSpan.Zero)
            await Task.Delay(Delay, context.RequestAborted);
        var (status, answer) = Respond(request);
        context.Response.StatusCode = status;
        if (answer.Length > 0)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
