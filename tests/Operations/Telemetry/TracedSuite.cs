using System.Collections.Concurrent;
using Npgsql;
using StatusPlatform.AppHost;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Operations.Tests.Telemetry;

/// <summary>
/// Probe.Service, Incident.Service and Notify.Service as processes (as the AppHost starts them) against a database
/// and virtual host of their own, all exporting OTLP/HTTP to one <see cref="OtlpReceiver"/>, watching a demo target
/// the test switches off. Export intervals are shortened so the test waits seconds, not the SDK's defaults.
/// </summary>
public sealed class TracedSuite : IAsyncLifetime
{
    public const int IntervalSeconds = 2;

    private readonly List<ServiceProcess> _services = [];
    private readonly string _configFile = Path.Combine(Path.GetTempPath(), $"sp-ops-{Guid.NewGuid():N}.yaml");
    private TestVirtualHost _vhost = null!;
    private TestDatabase _database = null!;

    public ConcurrentQueue<string> Log { get; } = new();
    public OtlpReceiver Otlp { get; private set; } = null!;
    public DemoTarget Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Otlp = await OtlpReceiver.StartAsync();
        Target = await DemoTarget.StartAsync();
        _database = await TestDatabase.CreateAsync();
        _vhost = await TestVirtualHost.CreateAsync();
        await File.WriteAllTextAsync(_configFile, $"""
            page:
              name: Operations
              url: http://127.0.0.1/status
              time_zone: Etc/UTC
            components:
              - id: shop
                name: Shop
            monitors:
              - id: shop-http
                component: shop
                url: {Target.Url}
                interval: {IntervalSeconds}s
                timeout: 1s
                failure_threshold: 2
                success_threshold: 1
            subscribers:
              - email: ops-{Guid.NewGuid():N}@example.com
                components: [shop]
            """);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__statusdb"] = _database.ConnectionString,
            ["ConnectionStrings__messaging"] = _vhost.AmqpUri.ToString(),
            ["StatusPlatform__ConfigFile"] = _configFile,
            ["Smtp__Host"] = Environment.GetEnvironmentVariable("Smtp__Host") ?? "127.0.0.1",
            ["Smtp__Port"] = Environment.GetEnvironmentVariable("Smtp__Port") ?? "1025",
            ["Probe__Region"] = "ops",
            ["Probe__MinimumInterval"] = "00:00:02",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Otlp.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        };
        foreach (var project in new[] { ServiceProject.Incident, ServiceProject.Notify, ServiceProject.Probe })
        {
            var service = new ServiceProcess(project, environment) { Output = (name, line) => Log.Enqueue($"[{name}] {line}") };
            _services.Add(service);
            service.Start();
            await service.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        }
    }

    public async Task DisposeAsync()
    {
        for (var i = _services.Count - 1; i >= 0; i--)
            await _services[i].DisposeAsync();
        await Target.DisposeAsync();
        await Otlp.DisposeAsync();
        await _vhost.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await _database.DisposeAsync();
        File.Delete(_configFile);
    }
}
