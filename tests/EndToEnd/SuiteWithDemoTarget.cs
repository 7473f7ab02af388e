using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using StatusPlatform.AppHost;
using StatusPlatform.TestSupport;

namespace StatusPlatform.EndToEnd;

/// <summary>
/// The four services as processes against a database and virtual host of their own, the shared MailDev, and
/// a demo target the tests switch off and on. One monitored component ("shop", checked every 2 s, down after
/// 2 failures) has one subscriber; another component has another, who must never hear about "shop".
/// </summary>
public sealed class SuiteWithDemoTarget : IAsyncLifetime
{
    public const int IntervalSeconds = 2;
    public const int FailureThreshold = 2;

    private readonly List<ServiceProcess> _services = [];
    private readonly string _configFile = Path.Combine(Path.GetTempPath(), $"sp-e2e-{Guid.NewGuid():N}.yaml");

    public ConcurrentQueue<string> Log { get; } = new();
    public DemoTarget Target { get; private set; } = null!;
    public TestDatabase Database { get; private set; } = null!;
    public string ShopSubscriber { get; } = $"shop-{Guid.NewGuid():N}@example.com";
    public string OtherSubscriber { get; } = $"other-{Guid.NewGuid():N}@example.com";
    public HttpClient StatusApi { get; private set; } = null!;
    public HttpClient MailDev { get; } = new() { BaseAddress = new Uri(Environment.GetEnvironmentVariable("MailDev__Url") ?? "http://127.0.0.1:1080/") };

    private TestVirtualHost _vhost = null!;

    public async Task InitializeAsync()
    {
        Target = await DemoTarget.StartAsync();
        Database = await TestDatabase.CreateAsync();
        _vhost = await TestVirtualHost.CreateAsync();
        await File.WriteAllTextAsync(_configFile, $"""
            page:
              name: End-to-end
              url: http://127.0.0.1/status
              time_zone: Etc/UTC
            components:
              - id: shop
                name: Shop
              - id: other
                name: Other System
            monitors:
              - id: shop-http
                component: shop
                url: {Target.Url}
                interval: {IntervalSeconds}s
                timeout: 1s
                failure_threshold: {FailureThreshold}
                success_threshold: 1
            subscribers:
              - email: {ShopSubscriber}
                components: [shop]
              - email: {OtherSubscriber}
                components: [other]
            """);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__statusdb"] = Database.ConnectionString,
            ["ConnectionStrings__messaging"] = _vhost.AmqpUri.ToString(),
            ["StatusPlatform__ConfigFile"] = _configFile,
            ["Smtp__Host"] = Environment.GetEnvironmentVariable("Smtp__Host") ?? "127.0.0.1",
            ["Smtp__Port"] = Environment.GetEnvironmentVariable("Smtp__Port") ?? "1025",
            ["Probe__Region"] = "e2e",
            ["Notify__Policy__AnnounceAutomaticOutages"] = "true", // the suite checks the outage mail arrives on detection
            ["Probe__MinimumInterval"] = "00:00:02", // the 10 s floor would stretch detection; the suite checks every 2 s
        };
        foreach (var project in new[] { ServiceProject.Incident, ServiceProject.Notify, ServiceProject.StatusApi, ServiceProject.Probe })
        {
            var service = new ServiceProcess(project, environment) { Output = (name, line) => Log.Enqueue($"[{name}] {line}") };
            _services.Add(service);
            service.Start();
            await service.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        }
        StatusApi = new HttpClient { BaseAddress = _services.Single(s => s.Name == "statusapi").Url };
    }

    public async Task<JsonElement> GetJsonAsync(string path) =>
        await StatusApi.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative));

    /// <summary>The emails MailDev received for <paramref name="recipient"/>, as (subject, text).</summary>
    public async Task<List<(string Subject, string Text)>> InboxAsync(string recipient)
    {
        var all = await MailDev.GetFromJsonAsync<JsonElement>(new Uri("api/email", UriKind.Relative));
        return [.. all.EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetProperty("address").GetString(), recipient, StringComparison.OrdinalIgnoreCase)))
            .Select(m => (m.GetProperty("subject").GetString() ?? "", m.TryGetProperty("text", out var t) ? t.GetString() ?? "" : ""))];
    }

    /// <summary>True when Notify.Service has no delivery left to send, so a count of the inbox is final.</summary>
    public async Task<bool> AllDeliveriesSettledAsync()
    {
        await using var command = Database.DataSource.CreateCommand("select count(*) from notify.deliveries where status = 'pending'");
        return (long)(await command.ExecuteScalarAsync())! == 0;
    }

    public async Task DisposeAsync()
    {
        for (var i = _services.Count - 1; i >= 0; i--)
            await _services[i].DisposeAsync();
        StatusApi?.Dispose();
        MailDev.Dispose();
        await Target.DisposeAsync();
        await _vhost.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await Database.DisposeAsync();
        File.Delete(_configFile);
    }
}
