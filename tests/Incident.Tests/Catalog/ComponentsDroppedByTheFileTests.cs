using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Monitors;
using StatusPlatform.Incident.Monitors.Folding;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Catalog;

/// <summary>
/// The configuration file stops listing components that monitors created through the admin API report on: those monitors
/// go with the components, as DeleteMonitor would take them, in the file's transaction.
/// </summary>
public sealed class ComponentsDroppedByTheFileTests(ComponentsDroppedByTheFileTests.Service service) : IClassFixture<ComponentsDroppedByTheFileTests.Service>
{
    private const string HeartbeatToken = "jobs-heartbeat-7d41c9a0e2b85f36";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Four file components: web (with a file monitor), shop (automation, with a file monitor), cache (automation) and jobs.</summary>
    public sealed class Service : IncidentServiceWithCatalog
    {
        protected override string CatalogYaml => Page + Web + Shop + Cache + Jobs + Monitors + ShopMonitor;
    }

    private const string Page = """
        page:
          name: Test Status
          url: http://status.test
        components:

        """;

    private const string Web = """
          - id: web
            name: Website

        """;

    private const string Shop = """
          - id: shop
            name: Shop
            automation: true

        """;

    private const string Cache = """
          - id: cache
            name: Cache
            automation: true

        """;

    private const string Jobs = """
          - id: jobs
            name: Jobs

        """;

    private const string Monitors = """
        monitors:
          - id: web-http
            component: web
            url: http://127.0.0.1:9/
            interval: 10s
            timeout: 2s

        """;

    private const string ShopMonitor = """
          - id: shop-http
            component: shop
            url: http://127.0.0.1:9/shop
            interval: 10s
            timeout: 2s

        """;

    private const string WebHeartbeat = $"""
          - id: web-ping
            component: web
            kind: heartbeat
            token: {HeartbeatToken}
            interval: 1h

        """;

    private Task<long> CountAsync(string sql, params object[] parameters) => service.ScalarAsync<long>(sql, parameters);

    private async Task<MonitorCatalog> CatalogAsync() => (await service.CatalogClient.GetResponse<MonitorCatalog>(new GetMonitorCatalog("test-probe", "eu"))).Message;

    /// <summary>The service's own applier, but logging to <paramref name="log"/>.</summary>
    private CatalogApplier Applier(WarningLog log) => new(service.Services.GetRequiredService<EventStore>(), service.Services.GetRequiredService<MonitorFold>(),
        service.Services.GetRequiredService<IConfiguration>(), service.Services.GetRequiredService<TimeProvider>(), log);

    private static CheckCompleted Down(string monitor) =>
        new(Guid.NewGuid(), monitor, "eu", "probe-1", DateTimeOffset.UtcNow, 5, CheckOutcome.Down, 503, "HTTP 503 Service Unavailable", null);

    [Fact]
    public async Task Dropped_components_take_their_api_monitors_along_and_resolve_their_automatic_incident_in_the_files_transaction()
    {
        await Eventually.Until(async () => await CountAsync("select count(*) from status.components where id in ('shop', 'cache')") == 2, Wait,
            "the file's components to be projected");
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateMonitor("alice", new MonitorSpec("shop", "http", "https://shop.test/", FailureThreshold: 1), "shop-api")));
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateMonitor("alice", new MonitorSpec("cache", "tcp", "cache.test:6379", FailureThreshold: 1), "cache-api")));
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateMonitor("alice", new MonitorSpec("web", "tcp", "web.test:443"), "web-api")));

        // Both fail within the grouping window: one automatic incident for the two.
        await service.SendAsync(Down("shop-api"));
        await service.SendAsync(Down("cache-api"));
        const string openIncidentComponents = "select count(*) from status.incident_components c join status.incidents i on i.id = c.incident_id "
            + "where c.component_id in ('shop', 'cache') and i.status = 'investigating'";
        await Eventually.Until(async () => await CountAsync(openIncidentComponents) == 2, Wait, "the automatic incident for shop and cache");
        var incidentId = await service.ScalarAsync<string>("select incident_id from status.incident_components where component_id = 'shop'");
        Assert.Equal(incidentId, await service.ScalarAsync<string>("select incident_id from status.incident_components where component_id = 'cache'"));
        Assert.Equal(1L, await CountAsync("select count(*) from checks.monitor_regions where monitor_id = 'shop-api'"));
        var lastSeq = await service.ScalarAsync<long>("select max(seq) from events.events");
        var catalogBefore = (await CatalogAsync()).Version;

        var log = new WarningLog();
        var applier = Applier(log);
        Assert.True(await applier.ApplyAsync(CatalogFile.Parse(Page + Web + Jobs + Monitors, "dropped.yaml"), CancellationToken.None) > 0);

        // One transaction (recorded_at is its start), streams in sorted order: each component decided with no monitors left
        // (the second decision sees the incident as the first left it, so the last one resolves it), then removed.
        Assert.Equal(1L, await CountAsync("select count(distinct recorded_at) from events.events where seq > $1", lastSeq));
        Assert.Equal(string.Join(",",
                "automation:automatic_incident_closed",
                "component-cache:component_monitor_status_changed", "component-cache:component_status_changed",
                "component-cache:automatic_incident_detached", "component-cache:component_removed",
                "component-shop:component_monitor_status_changed", "component-shop:component_status_changed",
                "component-shop:automatic_incident_detached", "component-shop:component_removed",
                "incident:incident_updated", "incident:incident_resolved",
                "monitor-cache-api:monitor_removed", "monitor-shop-api:monitor_removed", "monitor-shop-http:monitor_removed"),
            await service.ScalarAsync<string>("""
                select string_agg(case when stream_id like 'incident-%' then 'incident' else stream_id end || ':' || event_type, ',' order by seq)
                from events.events where seq > $1 and stream_id not in ('catalog', 'component-jobs', 'monitor-web-ping')
                """, lastSeq));
        Assert.Equal("config-file", await service.ScalarAsync<string>(
            "select metadata->>'actor' from events.events where stream_id = $1 and event_type = 'incident_resolved'", $"incident-{incidentId}"));
        Assert.Equal(0L, await CountAsync("select count(*) from checks.monitor_regions where monitor_id in ('shop-api', 'cache-api')"));
        Assert.Equal(0L, await CountAsync("select count(*) from checks.monitor_health where monitor_id in ('shop-api', 'cache-api')"));

        // Named in the log; the monitor on a component the file keeps is not the file's business.
        Assert.Equal(2, log.Warnings.Count);
        Assert.Contains(log.Warnings, w => w.Contains("component shop", StringComparison.Ordinal) && w.EndsWith(": shop-api", StringComparison.Ordinal));
        Assert.Contains(log.Warnings, w => w.Contains("component cache", StringComparison.Ordinal) && w.EndsWith(": cache-api", StringComparison.Ordinal));

        // Probes fetch again and no longer see them; the read models follow.
        var catalog = await CatalogAsync();
        Assert.Equal(catalogBefore + 1, catalog.Version);
        Assert.Equal(["web-api", "web-http"], catalog.Monitors.Select(m => m.MonitorId).Order(StringComparer.Ordinal));
        await Eventually.Until(() => Task.FromResult(service.PublishedOf<MonitorCatalogChanged>().Any(c => c.Message.Version == catalog.Version)), Wait,
            "probes to be told");
        await Eventually.Until(async () => await service.ScalarAsync<string>("select string_agg(id, ',' order by id) from status.monitors") == "web-api,web-http",
            Wait, "the monitors read model to drop them");
        await Eventually.Until(async () => await service.ScalarAsync<string>("select status from status.incidents where id = $1", incidentId!) == "resolved",
            Wait, "the automatic incident resolved");
        await Eventually.Until(async () => await CountAsync("select count(*) from status.components where id in ('shop', 'cache')") == 0, Wait,
            "the components off the page");

        Assert.Equal(0, await applier.ApplyAsync(CatalogFile.Parse(Page + Web + Jobs + Monitors, "dropped.yaml"), CancellationToken.None));
    }

    [Fact]
    public async Task The_push_token_of_an_api_monitor_that_goes_with_its_component_is_free_for_the_file()
    {
        await Eventually.Until(async () => await CountAsync("select count(*) from status.components where id = 'jobs'") == 1, Wait,
            "the file's components to be projected");
        var hash = HeartbeatSettings.Hash(HeartbeatToken);
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateMonitor("alice", new MonitorSpec("jobs", "heartbeat", IntervalSeconds: 3600,
            PushTokenSha256: hash), "jobs-ping")));

        // The same file without jobs, and the job's heartbeat now on the website under the file's own monitor.
        var log = new WarningLog();
        await Applier(log).ApplyAsync(CatalogFile.Parse(Page + Web + Shop + Cache + Monitors + ShopMonitor + WebHeartbeat, "moved.yaml"), CancellationToken.None);

        Assert.EndsWith(": jobs-ping", Assert.Single(log.Warnings), StringComparison.Ordinal);
        Assert.Equal(1L, await CountAsync("select count(*) from events.events where stream_id = 'monitor-jobs-ping' and event_type = 'monitor_removed'"));
        await Eventually.Until(async () => await service.ScalarAsync<string>("select monitor_id from status.heartbeat_monitors where token_sha256 = $1", hash) == "web-ping",
            Wait, "the token to belong to the file's monitor");
    }

    /// <summary>The warnings a <see cref="CatalogApplier"/> logs, formatted.</summary>
    private sealed class WarningLog : ILogger<CatalogApplier>
    {
        public ConcurrentQueue<string> Warnings { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
                Warnings.Enqueue(formatter(state, exception));
        }
    }
}
