using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Maintenances;

/// <summary>
/// A maintenance ends while its component's monitor is still down, with two Incident.Service instances whose clocks both
/// tick every 200 ms: the incident the failures did not open during the window opens now, exactly once.
/// </summary>
public sealed class MaintenanceEndTwoInstancesTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TwoIncidentServices _services = new(new Dictionary<string, string> { ["Maintenance:TickSeconds"] = "0.2" });

    public Task InitializeAsync() => _services.StartAsync();

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task Monitors_still_down_when_the_window_completes_open_one_automatic_incident()
    {
        await Eventually.Until(async () => await TextAsync("select status from status.components where id = 'web'") == "operational", Wait, "the catalog on the page");
        var start = DateTimeOffset.UtcNow;
        var response = await _services.Bus.CreateRequestClient<ScheduleMaintenance>(RequestTimeout.After(s: 30)).GetResponse<CommandAccepted, CommandRejected>(
            new ScheduleMaintenance("alice", "CDN switch", "", start.AddMilliseconds(-500), start.AddSeconds(8), ["web"], ReminderMinutesBefore: []));
        Assert.True(response.Is(out Response<CommandAccepted>? accepted));
        await Eventually.Until(async () => await TextAsync("select status from status.components where id = 'web'") == "under_maintenance", Wait, "the window to start");

        // web-http fails twice (its threshold) during the window: recorded, no incident.
        var clock = DateTimeOffset.UtcNow;
        foreach (var i in new[] { 1, 2 })
        {
            var result = new CheckCompleted(Guid.NewGuid(), "web-http", "eu", "probe-1", clock.AddMilliseconds(i), 5, CheckOutcome.Down, 503, "503", null);
            await _services.Bus.Publish(result, ctx => ctx.MessageId = result.CheckId);
        }
        await Eventually.Until(async () => await ScalarAsync(
            "select count(*) from events.events where stream_id = 'component-web' and event_type = 'component_monitor_status_changed'") == 1, Wait, "the monitors' verdict");
        Assert.Equal(0, await ScalarAsync("select count(*) from events.events where event_type = 'incident_opened'"));

        await Eventually.Until(async () => await TextAsync("select status from status.maintenances where id = $1", accepted!.Message.Id) == "completed", Wait,
            "the window to complete");
        await Eventually.Until(async () => await ScalarAsync("select count(*) from status.incident_components where component_id = 'web'") == 1, Wait,
            "the automatic incident");
        Assert.Equal("major_outage", await TextAsync("select status from status.components where id = 'web'"));
        // The premise held: the monitor went down inside the window, so it was the end of the window that opened the incident.
        Assert.Equal(1, await ScalarAsync("""
            select count(*) from events.events e where e.stream_id = 'component-web' and e.event_type = 'component_monitor_status_changed'
            and e.seq < (select seq from events.events where stream_id like 'maintenance-%' and data->>'status' = 'completed')
            """));

        // Both clocks kept ticking past the end: still one end of the window and one incident.
        await Eventually.Until(async () => await ScalarAsync("select count(*) from events.events where stream_id like 'maintenance-%'") == 3, Wait, "the maintenance's three events");
        Assert.Equal(1, await ScalarAsync("select count(*) from events.events where event_type = 'incident_opened'"));
        Assert.Equal(1, await ScalarAsync("select count(*) from events.events where stream_id = 'component-web' and event_type = 'automatic_incident_attached'"));
        Assert.Equal(1, await ScalarAsync("select count(*) from status.incidents where automatic and status = 'investigating'"));
        Assert.Equal(2, await ScalarAsync("select count(*) from events.events where stream_id = 'component-web' and event_type = 'component_maintenance_changed'"));
    }

    private Task<long> ScalarAsync(string sql) => _services.ScalarAsync(sql);

    private Task<string?> TextAsync(string sql, params object[] parameters) => _services.TextAsync(sql, parameters);
}
