using Microsoft.Extensions.DependencyInjection;
using StatusPlatform.Contracts;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Catalog;

public sealed class CatalogApplyingTests(IncidentServiceWithCatalog service) : IClassFixture<IncidentServiceWithCatalog>
{
    [Fact]
    public async Task The_applied_file_reaches_the_read_model_and_the_catalog_that_probes_fetch()
    {
        var catalog = (await service.CatalogClient.GetResponse<MonitorCatalog>(new GetMonitorCatalog("test-probe", "eu"))).Message;

        Assert.True(catalog.Version >= 1);
        var web = Assert.Single(catalog.Monitors, m => m.MonitorId == "web-http");
        Assert.Equal(new MonitorDefinition("web-http", "web", "http", "http://127.0.0.1:9/", "GET", 10, 2, []), web with { ExpectedStatusCodes = [] });
        await Eventually.Until(async () => await service.ScalarAsync<long>("select count(*) from status.components") == 3,
            TimeSpan.FromSeconds(15), "the three components to be projected");
        Assert.Equal("backend", await service.ScalarAsync<string>("select group_id from status.components where id = 'db'"));
        Assert.Equal(1, await service.ScalarAsync<int>("select position from status.components where id = 'db'"));
        await Eventually.Until(() => service.ScalarAsync<string>("select name from status.page"), name => name == "Test Status",
            TimeSpan.FromSeconds(15), "the page to be projected"); // its own projection, not in step with the components
    }

    [Fact]
    public async Task Applying_the_same_file_again_appends_nothing_and_a_changed_file_appends_exactly_the_change()
    {
        var applier = service.Services.GetRequiredService<CatalogApplier>();
        var eventsBefore = await service.ScalarAsync<long>("select count(*) from events.events");
        var lastSeq = await service.ScalarAsync<long>("select max(seq) from events.events");

        Assert.Equal(0, await applier.ApplyAsync(CatalogFile.Load(service.ConfigFile), CancellationToken.None));
        Assert.Equal(eventsBefore, await service.ScalarAsync<long>("select count(*) from events.events"));

        var changed = CatalogFile.Parse(IncidentServiceWithCatalog.Yaml.Replace("interval: 10s\n    timeout: 2s", "interval: 20s\n    timeout: 2s", StringComparison.Ordinal), "changed.yaml");
        Assert.Equal(1, await applier.ApplyAsync(changed, CancellationToken.None));

        var newEvents = await service.ScalarAsync<string>(
            "select string_agg(stream_id || ':' || event_type, ',' order by seq) from events.events where seq > $1", lastSeq);
        Assert.Equal("catalog:catalog_changed,monitor-web-http:monitor_reconfigured", newEvents); // one transaction, streams in sorted order
        await Eventually.Until(() => Task.FromResult(service.PublishedOf<MonitorCatalogChanged>().Any(c => c.Message.Version >= 2)),
            TimeSpan.FromSeconds(15), "MonitorCatalogChanged to be published");
        var catalog = (await service.CatalogClient.GetResponse<MonitorCatalog>(new GetMonitorCatalog("test-probe", "eu"))).Message;
        Assert.Equal(20, catalog.Monitors.Single(m => m.MonitorId == "web-http").IntervalSeconds);

        Assert.Equal(1, await applier.ApplyAsync(CatalogFile.Load(service.ConfigFile), CancellationToken.None)); // and back
    }
}
