using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Maintenances;

/// <summary>Maintenance against the running service: the clock starts and ends windows, components follow, failures open no incident.</summary>
public sealed class MaintenanceTests(MaintenanceTests.Service service) : IClassFixture<MaintenanceTests.Service>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>The common test catalog with a maintenance clock ticking every 200 ms.</summary>
    public sealed class Service : IncidentServiceWithCatalog
    {
        protected override Dictionary<string, string?> Settings => new() { ["Maintenance:TickSeconds"] = "0.2" };
    }

    private Task<string?> StatusOf(string component) => service.ScalarAsync<string>("select status from status.components where id = $1", component);

    private Task<string?> MaintenanceStatus(string id) => service.ScalarAsync<string>("select status from status.maintenances where id = $1", id);

    [Fact]
    public async Task A_window_reminds_starts_silences_failures_and_completes_by_itself()
    {
        await Eventually.Until(async () => await StatusOf("db") == "operational", Wait, "the catalog to be projected");
        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        var accepted = Assert.IsType<CommandAccepted>(await service.CommandAsync(new ScheduleMaintenance("alice", "Database upgrade", "PostgreSQL 17.",
            start, start.AddSeconds(4), ["db"], ReminderMinutesBefore: [5])));
        await Eventually.Until(async () => await MaintenanceStatus(accepted.Id) == "scheduled", Wait, "the announcement");
        var reminder = await Eventually.Until(() => Task.FromResult(service.PublishedOf<MaintenanceReminder>().FirstOrDefault(r => r.Message.MaintenanceId == accepted.Id)),
            r => r is not null, Wait, "the reminder");
        Assert.Equal((5, "db"), (reminder!.Message.MinutesBefore, reminder.Message.Components.Single().ComponentId));

        await Eventually.Until(async () => await StatusOf("db") == "under_maintenance", Wait, "the component in maintenance");
        // Components and maintenances are separate projections: each is awaited on its own.
        await Eventually.Until(async () => await MaintenanceStatus(accepted.Id) == "in_progress", Wait, "the maintenance in progress");

        // The database fails during its own maintenance: recorded, but no incident and the page stays blue.
        var clock = DateTimeOffset.UtcNow;
        for (var i = 1; i <= 3; i++)
            await service.SendAsync(new CheckCompleted(Guid.NewGuid(), "db-tcp", "eu", "probe-1", clock.AddMilliseconds(i), 5, CheckOutcome.Down, null, "refused", null));
        await Eventually.Until(async () => await service.ScalarAsync<long>(
            "select count(*) from events.events where stream_id = 'component-db' and event_type = 'component_monitor_status_changed'") >= 1, Wait, "the monitors' verdict");
        Assert.Equal("under_maintenance", await StatusOf("db"));
        Assert.Equal(0L, await service.ScalarAsync<long>("select count(*) from status.incident_components where component_id = 'db'"));

        await Eventually.Until(async () => await MaintenanceStatus(accepted.Id) == "completed", Wait, "the window to complete");
        await Eventually.Until(async () => await StatusOf("db") == "major_outage", Wait, "the component to show its monitors again");
        var changes = await Eventually.Until(() => Task.FromResult(service.PublishedOf<MaintenanceChanged>().Where(c => c.Message.MaintenanceId == accepted.Id)
            .Select(c => c.Message.Status).ToList()), c => c.Count >= 3, Wait, "the relay to publish all three changes");
        Assert.Equal(["scheduled", "in_progress", "completed"], changes);
        Assert.Equal(3L, await service.ScalarAsync<long>("select count(*) from status.maintenance_updates where maintenance_id = $1", accepted.Id));
    }

    [Fact]
    public async Task Cancelling_a_running_window_takes_its_components_out_and_bad_commands_change_nothing()
    {
        await Eventually.Until(async () => await StatusOf("web") is not null, Wait, "the catalog to be projected");
        var accepted = Assert.IsType<CommandAccepted>(await service.CommandAsync(new ScheduleMaintenance("alice", "CDN switch", "",
            DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(1), ["web"], AutoTransition: true, ReminderMinutesBefore: [])));
        await Eventually.Until(async () => await StatusOf("web") == "under_maintenance", Wait, "the window to start");

        Assert.IsType<CommandConflict>(await service.CommandAsync(new CancelMaintenance("bob", accepted.Id, ExpectedVersion: 99)));
        Assert.IsType<CommandAccepted>(await service.CommandAsync(new CancelMaintenance("bob", accepted.Id, "Not needed after all.")));
        await Eventually.Until(async () => await StatusOf("web") == "operational", Wait, "the component out of maintenance");
        await Eventually.Until(async () => await MaintenanceStatus(accepted.Id) == "cancelled", Wait, "the cancellation");

        var rejected = Assert.IsType<CommandRejected>(await service.CommandAsync(new PostMaintenanceUpdate("bob", accepted.Id, "in_progress", "again")));
        Assert.Contains("status", rejected.Errors.Keys);
        Assert.IsType<CommandRejected>(await service.CommandAsync(new ScheduleMaintenance("alice", "x", "", DateTimeOffset.UtcNow.AddHours(2),
            DateTimeOffset.UtcNow.AddHours(1), ["web"])));
        Assert.True(Assert.IsType<CommandRejected>(await service.CommandAsync(new CancelMaintenance("bob", "nope"))).NotFound);
    }

    [Fact]
    public async Task A_recurring_window_schedules_its_occurrences_ahead_once()
    {
        var window = new DefineServiceWindow("alice", "nightly", "Nightly backup window", "Backups run.", ["db"], [0, 1, 2, 3, 4, 5, 6], "03:00", 60, "Europe/Berlin",
            ScheduleDaysAhead: 7, ReminderMinutesBefore: []);
        Assert.IsType<CommandAccepted>(await service.CommandAsync(window));
        Assert.IsType<CommandAccepted>(await service.CommandAsync(window)); // redefined: same occurrences, no duplicates

        const string count = "select count(*) from status.maintenances where service_window_id = 'nightly'";
        await Eventually.Until(async () => await service.ScalarAsync<long>(count) >= 7, Wait, "a week of nightly windows");
        var times = await service.ScalarAsync<string>("""
            select string_agg(to_char(scheduled_for at time zone 'Europe/Berlin', 'HH24:MI'), ',' order by scheduled_for) from status.maintenances where service_window_id = 'nightly'
            """);
        Assert.All(times!.Split(','), t => Assert.Equal("03:00", t));
        var settled = await service.ScalarAsync<long>(count);
        Assert.InRange(settled, 7, 8);
        Assert.Equal(settled, await service.ScalarAsync<long>("select count(distinct scheduled_for) from status.maintenances where service_window_id = 'nightly'"));

        Assert.IsType<CommandRejected>(await service.CommandAsync(window with { TimeZone = "Nowhere/Land" }));
    }
}
