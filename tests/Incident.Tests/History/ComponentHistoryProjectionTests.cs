using Microsoft.Extensions.Logging.Abstractions;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Sequencing;
using StatusPlatform.EventSourcing.Subscriptions;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.History.StatusIntervals;
using StatusPlatform.Incident.History.Uptime;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.History;

/// <summary>Component events through the real subscription runner into status.component_status_intervals, and uptime read back from them.</summary>
public sealed class ComponentHistoryProjectionTests : IAsyncLifetime
{
    private static readonly ComponentSettings Api = new("API", null, "backend", 1, IsGroup: false, Automation: true, null, true, false);
    private static readonly ComponentSettings Backend = new("Backend", null, null, 1, IsGroup: true, Automation: false, null, true, false);

    private HistoryDatabase _db = null!;

    public async Task InitializeAsync() => _db = await HistoryDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static DateTimeOffset T(string utc) => DateTimeOffset.Parse(utc + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static ComponentStatusChanged Change(string from, string to, string at) => new("api", "API", from, to, "monitor", T(at));

    [Fact]
    public async Task Status_changes_become_intervals_and_daily_uptime()
    {
        await _db.Store.AppendAsync("component-backend", ExpectedVersion.NoStream, [new ComponentDefined("backend", Backend, T("2024-05-01T00:00"))]);
        await _db.Store.AppendAsync("component-api", ExpectedVersion.NoStream, [
            new ComponentDefined("api", Api, T("2024-05-01T06:00")),
            Change("operational", "major_outage", "2024-05-01T10:00"),
            Change("major_outage", "partial_outage", "2024-05-01T12:00"),
            Change("partial_outage", "under_maintenance", "2024-05-01T14:00"),
            Change("under_maintenance", "operational", "2024-05-01T16:00"),
            Change("operational", "degraded_performance", "2024-05-02T06:00"),
            new ComponentRemoved("api", T("2024-05-02T12:00")),
            new ComponentReconfigured("api", Api, T("2024-05-03T00:00")),
            // Decided on a clock a minute behind: must not end the open stretch before it began.
            Change("degraded_performance", "operational", "2024-05-02T23:59"),
        ]);

        var (sequencer, notifier) = (new Sequencer(_db.Store, NullLogger<Sequencer>.Instance), new FeedNotifier(_db.Store, NullLogger<FeedNotifier>.Instance));
        var projection = new ComponentHistoryProjection();
        var runner = new SubscriptionRunner(_db.Store, notifier, [projection], [], NullLogger<SubscriptionRunner>.Instance);
        foreach (var service in new Microsoft.Extensions.Hosting.IHostedService[] { notifier, sequencer, runner })
            await service.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Until(() => runner.GetCheckpointAsync(projection.Name), cp => cp == 10, TimeSpan.FromSeconds(20), "the projection to reach the last event");
        }
        finally
        {
            foreach (var service in new Microsoft.Extensions.Hosting.IHostedService[] { runner, sequencer, notifier })
                await service.StopAsync(CancellationToken.None);
        }

        var rows = await _db.ListAsync<string>("""
            select component_id || ' ' || status || ' ' || to_char(started_at at time zone 'UTC', 'MM-DD HH24:MI') || ' ' ||
                   coalesce(to_char(ended_at at time zone 'UTC', 'MM-DD HH24:MI'), 'open')
            from status.component_status_intervals order by id
            """);
        Assert.Equal([
            "api operational 05-01 06:00 05-01 10:00",
            "api major_outage 05-01 10:00 05-01 12:00",
            "api partial_outage 05-01 12:00 05-01 14:00",
            "api under_maintenance 05-01 14:00 05-01 16:00",
            "api operational 05-01 16:00 05-02 06:00",
            "api degraded_performance 05-02 06:00 05-02 12:00",
            "api degraded_performance 05-03 00:00 05-03 00:00", // re-added with the status it had; the late change ends it at once
            "api operational 05-03 00:00 open",
        ], rows);

        var uptime = new UptimeQuery(_db.Database.DataSource);
        var now = T("2024-05-03T12:00");
        var report = await uptime.GetDailyUptimeAsync("api", new DateOnly(2024, 4, 30), new DateOnly(2024, 5, 3), now);
        // 1 May: 06:00-24:00 less 2 h maintenance = 16 h counted; 2 h major + 30% of 2 h partial = 2.6 h down.
        Assert.Equal(new double?[] { null, 1 - 2.6 / 16, 1.0, 1.0 }, report.Days.Select(d => d.Uptime is { } u ? Math.Round(u, 12) : (double?)null));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromHours(16), TimeSpan.FromHours(12), TimeSpan.FromHours(12)], report.Days.Select(d => d.Counted));
        Assert.False((await uptime.GetDailyUptimeAsync(new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 1), now)).ContainsKey("backend")); // groups have no history of their own

        // In the page's time zone (Tokyo, UTC+9) 1 May ends at 15:00 UTC: 06-10 up, 10-12 major, 12-14 partial, 14-15 maintenance.
        await _db.ExecuteAsync("insert into status.page (id, name, url, time_zone, updated_at) values ('p', 'P', 'http://p', 'Asia/Tokyo', now())");
        var tokyo = await uptime.GetDailyUptimeAsync("api", new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 1), now);
        Assert.Equal(1 - 2.6 / 8, tokyo.Days[0].Uptime!.Value, 12);
    }
}
