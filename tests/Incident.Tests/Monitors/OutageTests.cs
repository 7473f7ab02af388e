using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Monitors;

/// <summary>Check results in through the broker; status, incidents and integration events out.</summary>
public sealed class OutageTests(IncidentServiceWithCatalog service) : IClassFixture<IncidentServiceWithCatalog>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    // One clock for all tests of the class: they share the fixture's monitors, and the fold orders results by start time.
    private static DateTimeOffset _clock = DateTimeOffset.UtcNow;

    private static CheckCompleted Check(string monitor, CheckOutcome outcome, bool connectivityLost = false)
    {
        _clock = _clock.AddSeconds(1);
        return new CheckCompleted(Guid.NewGuid(), monitor, "eu", "probe-1", _clock, 5, outcome,
            outcome == CheckOutcome.Down ? 503 : 200, outcome == CheckOutcome.Down ? "HTTP 503 Service Unavailable" : null, new CheckTimings(null, null, null, 4, 5),
            connectivityLost);
    }

    private Task<string?> StatusOf(string component) =>
        service.ScalarAsync<string>("select status from status.components where id = $1", component);

    [Fact]
    public async Task Failures_beyond_the_threshold_mark_the_component_down_and_open_one_incident_which_recovery_resolves()
    {
        await Eventually.Until(async () => await StatusOf("web") == "operational", Wait, "the catalog to be projected");
        const string webIncidents = "select count(*) from status.incident_components where component_id = 'web'";
        var incidentsBefore = await service.ScalarAsync<long>(webIncidents);

        var first = Check("web-http", CheckOutcome.Down);
        await service.SendAsync(first);
        await service.SendAsync(first); // a redelivery must count once
        await Eventually.Until(async () => await service.ScalarAsync<long>("select count(*) from checks.results where monitor_id = 'web-http'") >= 1,
            Wait, "the first result to be recorded");
        Assert.Equal("operational", await StatusOf("web")); // one failure is below the threshold of 2

        await service.SendAsync(Check("web-http", CheckOutcome.Down));
        await Eventually.Until(async () => await StatusOf("web") == "major_outage", Wait, "the component to show the outage");
        // Components and incidents are separate projections: the incident may land a moment after the status.
        var incidentId = await Eventually.Until(() => service.ScalarAsync<string>(
            "select i.id from status.incidents i join status.incident_components c on c.incident_id = i.id where c.component_id = 'web' and i.status = 'investigating'"),
            id => id is not null, Wait, "the automatic incident") ?? throw new InvalidOperationException("unreachable");
        Assert.Equal("We are investigating reports of problems with Website.",
            await service.ScalarAsync<string>("select body from status.incident_updates where incident_id = $1", incidentId));
        Assert.Equal(1, await service.ScalarAsync<long>("select count(*) from checks.results where check_id = $1", first.CheckId)); // the redelivery counted once
        var wentDown = await service.ScalarAsync<string>(
            "select data::text from events.events where stream_id = 'monitor-web-http' and event_type = 'monitor_went_down' order by seq desc limit 1");
        Assert.Contains("HTTP 503 Service Unavailable", wentDown);

        await service.SendAsync(Check("web-http", CheckOutcome.Down)); // still down: no second incident
        await service.SendAsync(Check("web-http", CheckOutcome.Up));
        await Eventually.Until(async () => await StatusOf("web") == "operational", Wait, "the component to recover");
        await Eventually.Until(async () => await service.ScalarAsync<string>("select status from status.incidents where id = $1", incidentId) == "resolved",
            Wait, "the automatic incident to be resolved");
        Assert.Equal(incidentsBefore + 1, await service.ScalarAsync<long>(webIncidents));

        var opened = await Eventually.Until(() => Task.FromResult(service.PublishedOf<IncidentOpened>().Where(o => o.Message.IncidentId == incidentId).ToList()),
            l => l.Count >= 1, Wait, "IncidentOpened");
        var resolved = await Eventually.Until(() => Task.FromResult(service.PublishedOf<IncidentResolved>().Where(o => o.Message.IncidentId == incidentId).ToList()),
            l => l.Count >= 1, Wait, "IncidentResolved");
        Assert.Equal([(incidentId, "web", "major_outage")], opened.Select(o => (o.Message.IncidentId, o.Message.Components[0].ComponentId, o.Message.Components[0].Status)));
        Assert.Equal(incidentId, Assert.Single(resolved).Message.IncidentId);
        // The message id is the stored event's id, which is what lets Notify.Service deduplicate redeliveries.
        var eventId = await service.ScalarAsync<Guid>("select event_id from events.events where stream_id = 'incident-' || $1 and version = 1", incidentId);
        Assert.Equal(eventId, opened[0].MessageId);
        Assert.Contains(service.PublishedOf<ComponentStatusChanged>(), c => c.Message is { ComponentId: "web", NewStatus: "major_outage" });
    }

    [Fact]
    public async Task A_group_shows_its_worst_child()
    {
        await Eventually.Until(async () => await StatusOf("backend") == "operational", Wait, "the group to be projected");

        await service.SendAsync(Check("db-tcp", CheckOutcome.Down));
        await service.SendAsync(Check("db-tcp", CheckOutcome.Down));

        await Eventually.Until(async () => await StatusOf("backend") == "major_outage", Wait, "the group to show its child's outage");
        await service.SendAsync(Check("db-tcp", CheckOutcome.Up));
        await Eventually.Until(async () => await StatusOf("backend") == "operational", Wait, "the group to recover");
    }

    [Fact]
    public async Task A_result_for_an_unknown_monitor_changes_nothing()
    {
        await Eventually.Until(async () => await StatusOf("web") is not null, Wait, "the catalog to be projected");
        var probe = Check("no-such-monitor", CheckOutcome.Down);
        await service.SendAsync(probe);
        await service.SendAsync(Check("web-http", CheckOutcome.Up)); // a marker that is processed after it

        await Eventually.Until(async () => await service.ScalarAsync<long>("select count(*) from checks.results where monitor_id = 'web-http' and outcome = 'up'") >= 1,
            Wait, "the marker result");
        Assert.Equal(0, await service.ScalarAsync<long>("select count(*) from checks.results where check_id = $1", probe.CheckId));
    }

    [Fact]
    public async Task Results_from_a_probe_that_lost_its_own_connectivity_are_kept_but_not_believed()
    {
        await Eventually.Until(async () => await StatusOf("backend") == "operational", Wait, "the catalog to be projected");
        var lastSeq = await service.ScalarAsync<long>("select max(seq) from events.events");
        var lost = Enumerable.Range(0, 3).Select(_ => Check("db-tcp", CheckOutcome.Down, connectivityLost: true)).ToList();
        foreach (var result in lost)
            await service.SendAsync(result);
        var marker = Check("db-tcp", CheckOutcome.Up);
        await service.SendAsync(marker);

        // Results are consumed concurrently: wait for all four; each is folded in the transaction that records it.
        var ids = lost.Append(marker).Select(r => r.CheckId).ToArray();
        await Eventually.Until(async () => await service.ScalarAsync<long>("select count(*) from checks.results where check_id = any($1)", ids) == 4,
            Wait, "all four results to be recorded");
        Assert.Equal(3, await service.ScalarAsync<long>("select count(*) from checks.results where check_id = any($1) and connectivity_lost", ids));
        // Three failures are over the threshold of two: believed, they would have taken the monitor down.
        Assert.Equal(0, await service.ScalarAsync<long>("select count(*) from events.events where stream_id = 'monitor-db-tcp' and seq > $1", lastSeq));
        Assert.Equal("operational", await StatusOf("db"));
    }

    [Fact]
    public async Task Slow_answers_beyond_the_threshold_show_degraded_performance_without_an_incident()
    {
        await Eventually.Until(async () => await StatusOf("web") is not null, Wait, "the catalog to be projected");
        var results = new[] { Check("web-http", CheckOutcome.Up), Check("web-http", CheckOutcome.Degraded), Check("web-http", CheckOutcome.Degraded) };
        foreach (var result in results)
            await service.SendAsync(result);

        await Eventually.Until(async () => await StatusOf("web") == "degraded_performance", Wait, "the component to show degraded performance");
        Assert.Equal(1, await service.ScalarAsync<long>("select count(*) from events.events where stream_id = 'monitor-web-http' and event_type = 'monitor_degraded'"));
        Assert.Equal(0, await service.ScalarAsync<long>(
            "select count(*) from status.incidents i join status.incident_components c on c.incident_id = i.id where c.component_id = 'web' and i.status <> 'resolved'"));

        await service.SendAsync(Check("web-http", CheckOutcome.Up));
        await Eventually.Until(async () => await StatusOf("web") == "operational", Wait, "the component to recover");
    }

    [Fact]
    public async Task Components_failing_together_share_one_automatic_incident()
    {
        await Eventually.Until(async () => await StatusOf("web") == "operational" && await StatusOf("db") == "operational", Wait, "both components operational");

        var failures = new[] { Check("web-http", CheckOutcome.Down), Check("db-tcp", CheckOutcome.Down), Check("web-http", CheckOutcome.Down), Check("db-tcp", CheckOutcome.Down) };
        await Task.WhenAll(failures.Select(service.SendAsync));

        const string open = "select count(distinct i.id) from status.incidents i join status.incident_components c on c.incident_id = i.id " +
            "where c.component_id in ('web', 'db') and i.status <> 'resolved'";
        const string shared = "select count(*) from status.incident_components c join status.incidents i on i.id = c.incident_id " +
            "where i.status <> 'resolved' and c.component_id in ('web', 'db') group by i.id order by 1 desc limit 1";
        await Eventually.Until(() => service.ScalarAsync<long>(shared), n => n == 2, Wait, "one open incident naming both components");
        Assert.Equal(1, await service.ScalarAsync<long>(open));

        await Task.WhenAll(new[] { Check("web-http", CheckOutcome.Up), Check("db-tcp", CheckOutcome.Up) }.Select(service.SendAsync));
        await Eventually.Until(() => service.ScalarAsync<long>(open), n => n == 0, Wait, "the shared incident to be resolved");
    }
}
