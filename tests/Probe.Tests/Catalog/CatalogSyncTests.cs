using StatusPlatform.Contracts;
using StatusPlatform.Probe.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Probe.Tests.Catalog;

/// <summary>How a probe gets its monitors from Incident.Service over the bus and follows changes.</summary>
public sealed class CatalogSyncTests : BrokerAndTarget
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_probe_started_before_the_catalog_responder_keeps_asking_and_checks_once_answered()
    {
        Bus.Serve(new MonitorCatalog(1, [HttpMonitor("web", Target.Url("/web"))]));
        StartProbe("probe-1");

        await Eventually.Until(() => Task.FromResult(Bus.CatalogRequests), n => n >= 3, Patience, "the probe to ask three times without an answer");
        Assert.Empty(Bus.Results);

        await Bus.StartAnsweringCatalogRequestsAsync();
        var check = (await ResultsAsync("web", 1, "a check once the catalog was answered"))[0].Message;
        Assert.Equal(CheckOutcome.Up, check.Outcome);
    }

    [Fact]
    public async Task A_newer_catalog_adds_and_removes_monitors_while_the_others_keep_running()
    {
        var (kept, removed, added) = (HttpMonitor("kept", Target.Url("/kept")), HttpMonitor("removed", Target.Url("/removed")), HttpMonitor("added", Target.Url("/added")));
        await StartProbeWithCatalogAsync(kept, removed);
        await ResultsAsync("kept", 1, "a check of kept");
        await ResultsAsync("removed", 1, "a check of removed");

        Bus.Serve(new MonitorCatalog(2, [kept, added]));
        await Bus.PublishAsync(new MonitorCatalogChanged(2, DateTimeOffset.UtcNow));

        // The second check of `added` comes a full interval after the change: a check of `removed` already
        // under way when the catalog changed has landed by then.
        await ResultsAsync("added", 2, "two checks of the added monitor");
        var (removedChecks, removedRequests) = (Bus.ResultsFor("removed").Count, Target.Requests("/removed"));
        await ResultsAsync("kept", Bus.ResultsFor("kept").Count + 3, "three more checks of kept");
        Assert.Equal(removedChecks, Bus.ResultsFor("removed").Count);
        Assert.Equal(removedRequests, Target.Requests("/removed"));
    }

    [Fact]
    public async Task A_changed_monitor_is_checked_with_its_new_definition()
    {
        await StartProbeWithCatalogAsync(HttpMonitor("web", Target.Url("/old")));
        await ResultsAsync("web", 1, "a check of the old target");

        Bus.Serve(new MonitorCatalog(2, [HttpMonitor("web", Target.Url("/new"))]));
        await Bus.PublishAsync(new MonitorCatalogChanged(2, DateTimeOffset.UtcNow));

        await Eventually.Until(() => Task.FromResult(Target.Requests("/new")), n => n >= 2, Patience, "checks of the new target");
        var oldRequests = Target.Requests("/old");
        await Eventually.Until(() => Task.FromResult(Target.Requests("/new")), n => n >= 4, Patience, "more checks of the new target");
        Assert.Equal(oldRequests, Target.Requests("/old"));
    }

    [Fact]
    public async Task A_change_event_for_a_version_the_probe_already_runs_is_ignored()
    {
        var web = HttpMonitor("web", Target.Url("/web"));
        await StartProbeWithCatalogAsync(web);
        await ResultsAsync("web", 1, "a first check");
        var requests = Bus.CatalogRequests;

        // A catalog the probe would only learn about by asking again, announced with the version it already has.
        Bus.Serve(new MonitorCatalog(1, [web, HttpMonitor("extra", Target.Url("/extra"))]));
        await Bus.PublishAsync(new MonitorCatalogChanged(1, DateTimeOffset.UtcNow));
        await Bus.PublishAsync(new MonitorCatalogChanged(0, DateTimeOffset.UtcNow));
        await ResultsAsync("web", Bus.ResultsFor("web").Count + 3, "three more checks of web");

        Assert.Equal(requests, Bus.CatalogRequests);
        Assert.Empty(Bus.ResultsFor("extra"));
    }

    [Fact]
    public async Task Every_probe_instance_hears_a_catalog_change()
    {
        var web = HttpMonitor("web", Target.Url("/web"));
        await StartProbeWithCatalogAsync(web);
        // Another region, so that both run every monitor (probes of one region split them).
        StartProbe("probe-2", ("Probe:Region", "other-region"));
        await Eventually.Until(() => Task.FromResult(Bus.ResultsFor("web").Select(r => r.Message.ProbeInstance).Distinct().Count()),
            n => n == 2, Patience, "both probes to check web");

        Bus.Serve(new MonitorCatalog(2, [web, HttpMonitor("added", Target.Url("/added"))]));
        await Bus.PublishAsync(new MonitorCatalogChanged(2, DateTimeOffset.UtcNow));

        var instances = await Eventually.Until(
            () => Task.FromResult(Bus.ResultsFor("added").Select(r => r.Message.ProbeInstance).Distinct().Order().ToList()),
            i => i.Count == 2, Patience, "both probes to check the added monitor");
        Assert.Equal(["probe-1", "probe-2"], instances);
    }

    [Fact]
    public async Task A_probe_hears_changes_on_a_queue_of_its_own_that_expires_once_it_is_gone()
    {
        await StartProbeWithCatalogAsync(HttpMonitor("web", Target.Url("/web")));
        StartProbe("probe-2", ("Probe:Region", "other-region"));
        await Eventually.Until(() => Task.FromResult(Bus.ResultsFor("web").Select(r => r.Message.ProbeInstance).Distinct().Count()),
            n => n == 2, Patience, "both probes to check web");

        var queues = (await QueuesAsync()).Where(q => q.Name.Contains("monitor-catalog-changed", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, queues.Count);
        Assert.Contains(queues, q => q.Name.EndsWith("-probe-1", StringComparison.Ordinal));
        Assert.Contains(queues, q => q.Name.EndsWith("-probe-2", StringComparison.Ordinal));
        // Not durable, and RabbitMQ deletes it once unused for x-expires: nothing piles up as probes come and go.
        Assert.All(queues, q => Assert.False(q.Durable));
        Assert.All(queues, q => Assert.InRange(q.Arguments["x-expires"].GetInt32(), 1, 5 * 60 * 1000));
    }

    [Fact]
    public async Task A_probe_asks_again_after_the_refresh_interval_even_without_a_change_event()
    {
        Bus.Serve(new MonitorCatalog(1, [HttpMonitor("web", Target.Url("/web"))]));
        await Bus.StartAnsweringCatalogRequestsAsync();
        StartProbe("probe-1", ("Probe:CatalogRefreshInterval", "00:00:02"));
        await ResultsAsync("web", 1, "a first check");

        Bus.Serve(new MonitorCatalog(2, [HttpMonitor("web", Target.Url("/web")), HttpMonitor("added", Target.Url("/added"))]));

        await ResultsAsync("added", 1, "a check of the monitor added without an event");
    }

    [Fact]
    public async Task A_monitor_the_probe_cannot_run_is_skipped_and_the_others_run()
    {
        await StartProbeWithCatalogAsync(
            new MonitorDefinition("ping", "c", "smtp", "127.0.0.1:25", "", 1, 1, []),
            HttpMonitor("web", Target.Url("/web")));

        await ResultsAsync("web", 2, "checks of web");
        Assert.Empty(Bus.ResultsFor("ping"));
    }
}
