using Microsoft.Extensions.DependencyInjection;
using StatusPlatform.Contracts;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Monitors;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Monitors;

/// <summary>Monitors written over the bus: the catalog probes fetch, the fold, the file's own monitors, and what a deletion undoes.</summary>
public sealed class MonitorCommandsTests(IncidentServiceWithCatalog service) : IClassFixture<IncidentServiceWithCatalog>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private Task<string?> StatusOf(string component) => service.ScalarAsync<string>("select status from status.components where id = $1", component);

    private async Task<MonitorCatalog> CatalogAsync() => (await service.CatalogClient.GetResponse<MonitorCatalog>(new GetMonitorCatalog("test-probe", "eu"))).Message;

    private Task<long> CountAsync(string sql, params object[] parameters) => service.ScalarAsync<long>(sql, parameters);

    [Fact]
    public async Task A_created_monitor_is_in_the_catalog_at_once_survives_the_file_and_changes_with_its_commands()
    {
        await Eventually.Until(async () => await StatusOf("web") is not null, Wait, "the catalog to be projected");
        var before = await CatalogAsync();

        var created = Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateMonitor("alice",
            new MonitorSpec("web", "http", "https://web.test/health", IntervalSeconds: 30, Check: new CheckSettings(KeywordPresent: "ok")), "web-api")));

        // One transaction: the monitor and the catalog's new version, recorded as alice's.
        Assert.Equal("alice,alice", await service.ScalarAsync<string>("""
            select string_agg(metadata->>'actor', ',' order by stream_id) from events.events
            where (stream_id = 'monitor-web-api' and event_type = 'monitor_defined') or (stream_id = 'catalog' and version = $1)
            """, before.Version + 1));
        var catalog = await CatalogAsync();
        Assert.Equal(before.Version + 1, catalog.Version);
        Assert.Equal(new MonitorDefinition("web-api", "web", "http", "https://web.test/health", "GET", 30, 10, [], new CheckSettings(KeywordPresent: "ok")),
            catalog.Monitors.Single(m => m.MonitorId == "web-api") with { ExpectedStatusCodes = [] });
        await Eventually.Until(() => Task.FromResult(service.PublishedOf<MonitorCatalogChanged>().Any(c => c.Message.Version == catalog.Version)), Wait,
            "probes to be told");

        // The file is applied again (a restart): its own monitors stay, the API's are not the file's to remove.
        await service.Services.GetRequiredService<CatalogApplier>().ApplyAsync(CatalogFile.Parse(IncidentServiceWithCatalog.Yaml, "test.yaml"), CancellationToken.None);
        Assert.Contains((await CatalogAsync()).Monitors, m => m.MonitorId == "web-api");
        Assert.Equal(0L, await CountAsync("select count(*) from events.events where stream_id = 'monitor-web-api' and event_type = 'monitor_removed'"));

        Assert.IsType<CommandConflict>(await service.CommandAsync(new UpdateMonitor("bob", "web-api", new MonitorSpec("web", "tcp", "web.test:443"), created.Version + 3)));
        var updated = Assert.IsType<CommandAccepted>(await service.CommandAsync(new UpdateMonitor("bob", "web-api", new MonitorSpec("web", "tcp", "web.test:443"),
            created.Version)));
        Assert.Equal(("tcp", "web.test:443"), (await CatalogAsync()).Monitors.Where(m => m.MonitorId == "web-api").Select(m => (m.Kind, m.Target)).Single());

        Assert.IsType<CommandAccepted>(await service.CommandAsync(new DeleteMonitor("bob", "web-api", updated.Version)));
        Assert.DoesNotContain((await CatalogAsync()).Monitors, m => m.MonitorId == "web-api");
        Assert.True(Assert.IsType<CommandRejected>(await service.CommandAsync(new DeleteMonitor("bob", "web-api"))).NotFound);
    }

    [Fact]
    public async Task The_files_monitors_and_bad_specs_are_refused_with_the_reason_and_change_nothing()
    {
        await Eventually.Until(async () => await StatusOf("web") is not null, Wait, "the catalog to be projected");
        var before = await CountAsync("select count(*) from events.events");

        var fileOwned = Assert.IsType<CommandRejected>(await service.CommandAsync(new UpdateMonitor("bob", "web-http", new MonitorSpec("web", "http", "http://127.0.0.1:9/"))));
        Assert.Contains("configuration file", fileOwned.Errors["monitor_id"][0]);
        Assert.Contains("configuration file", Assert.IsType<CommandRejected>(await service.CommandAsync(new DeleteMonitor("bob", "db-tcp"))).Errors["monitor_id"][0]);
        var invalid = Assert.IsType<CommandRejected>(await service.CommandAsync(new CreateMonitor("alice",
            new MonitorSpec("backend", "http", "http://x.test/", IntervalSeconds: 5, TimeoutSeconds: 10, Check: new CheckSettings(ExpectedAddresses: ["192.0.2.1"])))));
        Assert.Equal(["check.expected_addresses", "component_id", "timeout_seconds"], invalid.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("already exists", Assert.IsType<CommandRejected>(await service.CommandAsync(new CreateMonitor("alice",
            new MonitorSpec("web", "tcp", "web.test:80"), "web-http"))).Errors["monitor_id"][0]);

        Assert.Equal(before, await CountAsync("select count(*) from events.events"));
    }

    [Fact]
    public async Task A_heartbeat_monitor_created_here_is_known_to_StatusApis_receiver()
    {
        var hash = HeartbeatSettings.Hash("heartbeat-secret-of-the-nightly-backup");
        var accepted = Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateMonitor("alice",
            new MonitorSpec("web", "heartbeat", IntervalSeconds: 3600, PushTokenSha256: hash), "backup-ping")));

        await Eventually.Until(async () => await service.ScalarAsync<string>("select monitor_id from status.heartbeat_monitors where token_sha256 = $1", hash) == "backup-ping",
            Wait, "the token in the read model");
        Assert.DoesNotContain((await CatalogAsync()).Monitors, m => m.MonitorId == "backup-ping"); // pushed to, never probed
        var taken = Assert.IsType<CommandRejected>(await service.CommandAsync(new CreateMonitor("bob", new MonitorSpec("web", "external", PushTokenSha256: hash,
            ExternalSource: "grafana"))));
        Assert.Equal("another monitor already uses this token", taken.Errors["push_token_sha256"][0]);

        Assert.IsType<CommandAccepted>(await service.CommandAsync(new DeleteMonitor("alice", "backup-ping", accepted.Version)));
        await Eventually.Until(async () => await CountAsync("select count(*) from status.heartbeat_monitors where token_sha256 = $1", hash) == 0, Wait, "the token gone");
    }

    [Fact]
    public async Task Deleting_the_monitor_that_is_down_restores_its_component_and_resolves_the_automatic_incident()
    {
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateComponent("alice", "Shop", "shop")));
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateMonitor("alice", new MonitorSpec("shop", "http", "https://shop.test/", FailureThreshold: 1), "shop-a")));
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new CreateMonitor("alice", new MonitorSpec("shop", "tcp", "shop.test:443"), "shop-b")));

        // The fold takes the API's monitor from the catalog like any other: one failure (threshold 1) and half the monitors are down.
        await service.SendAsync(new CheckCompleted(Guid.NewGuid(), "shop-a", "eu", "probe-1", DateTimeOffset.UtcNow, 5, CheckOutcome.Down, 503, "503", null));
        await Eventually.Until(async () => await StatusOf("shop") == "partial_outage", Wait, "the outage on the page");
        await Eventually.Until(async () => await CountAsync("select count(*) from status.incident_components c join status.incidents i on i.id = c.incident_id "
            + "where c.component_id = 'shop' and i.status = 'investigating'") == 1, Wait, "the automatic incident");
        Assert.Contains("still has monitors", Assert.IsType<CommandRejected>(await service.CommandAsync(new DeleteComponent("bob", "shop"))).Errors["component_id"][0]);

        Assert.IsType<CommandAccepted>(await service.CommandAsync(new DeleteMonitor("bob", "shop-a")));

        await Eventually.Until(async () => await StatusOf("shop") == "operational", Wait, "the component to follow its remaining monitor");
        await Eventually.Until(async () => await CountAsync("select count(*) from status.incident_components c join status.incidents i on i.id = c.incident_id "
            + "where c.component_id = 'shop' and i.status = 'resolved'") == 1, Wait, "the incident resolved");
        Assert.Equal("bob", await service.ScalarAsync<string>(
            "select metadata->>'actor' from events.events where stream_id = 'component-shop' and event_type = 'component_monitor_status_changed' order by version desc limit 1"));
        Assert.Equal(0L, await CountAsync("select count(*) from checks.monitor_regions where monitor_id = 'shop-a'"));
    }
}
