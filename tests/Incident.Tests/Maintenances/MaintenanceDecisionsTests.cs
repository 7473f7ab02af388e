using StatusPlatform.Contracts;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Maintenances;

namespace StatusPlatform.Incident.Tests.Maintenances;

/// <summary>Maintenance decisions and recurring windows, without I/O.</summary>
public sealed class MaintenanceDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, Component> Components = new()
    {
        ["db"] = new("db", new ComponentSettings("Database", null, null, 1, false, true, null, true, false), ComponentStatus.Operational, null, false),
    };

    private static ScheduleMaintenance Command(DateTimeOffset from, DateTimeOffset until, bool auto = true, IReadOnlyList<int>? reminders = null) =>
        new("alice", "Database upgrade", "We upgrade PostgreSQL.", from, until, ["db"], auto, reminders);

    private static Maintenance Scheduled(bool auto = true, IReadOnlyList<int>? reminders = null) =>
        Maintenance.Create(MaintenanceDecisions.Schedule(Command(Now.AddHours(2), Now.AddHours(3), auto, reminders), Components, "m1", "u1", null, Now).Event!);

    [Fact]
    public void Scheduling_records_the_window_the_components_and_the_reminders()
    {
        var (errors, e) = MaintenanceDecisions.Schedule(Command(Now.AddHours(2), Now.AddHours(3), reminders: [1440, 60, 60]), Components, "m1", "u1", null, Now);

        Assert.Empty(errors);
        Assert.Equal(("Database upgrade", Now.AddHours(2), Now.AddHours(3), true), (e!.Name, e.ScheduledFor, e.ScheduledUntil, e.AutoTransition));
        Assert.Equal([new MaintenanceComponent("db", "Database")], e.Components);
        Assert.Equal([60, 1440], e.ReminderMinutesBefore);
    }

    [Theory]
    [InlineData(2, 1, "scheduled_until")]
    [InlineData(-3, -1, "scheduled_until")]
    public void A_window_that_ends_before_it_starts_or_is_over_is_refused(int fromHours, int untilHours, string field)
    {
        var (errors, e) = MaintenanceDecisions.Schedule(Command(Now.AddHours(fromHours), Now.AddHours(untilHours)), Components, "m1", "u1", null, Now);

        Assert.Null(e);
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void Unknown_components_empty_names_and_odd_reminders_are_refused()
    {
        var command = Command(Now.AddHours(1), Now.AddHours(2), reminders: [0]) with { Name = " ", ComponentIds = ["db", "nope"] };

        var (errors, _) = MaintenanceDecisions.Schedule(command, Components, "m1", "u1", null, Now);

        Assert.Equal(["component_ids[1]", "name", "reminder_minutes_before"], errors.Keys.Order());
    }

    [Fact]
    public void The_clock_reminds_once_for_the_shortest_due_lead_time_then_starts_and_completes_the_window()
    {
        var state = Scheduled(reminders: [60, 1440]);
        var ids = 0;
        string NewId() => $"t{++ids}";

        // Announced 2 h ahead: the 1-day lead time has passed, so the first tick reminds (late, once).
        var dayBefore = Assert.IsType<MaintenanceReminderSent>(Assert.Single(MaintenanceDecisions.Tick(state, Now, NewId)));
        Assert.Equal(1440, dayBefore.MinutesBefore);
        state = state.Apply(dayBefore);
        Assert.Empty(MaintenanceDecisions.Tick(state, Now.AddMinutes(30), NewId));
        var hourBefore = Assert.IsType<MaintenanceReminderSent>(Assert.Single(MaintenanceDecisions.Tick(state, Now.AddMinutes(61), NewId)));
        Assert.Equal(60, hourBefore.MinutesBefore);
        state = state.Apply(hourBefore);
        Assert.Empty(MaintenanceDecisions.Tick(state, Now.AddMinutes(90), NewId));
        // Had the service been down until both were due, one message for the shortest would have counted for both.
        var both = Assert.IsType<MaintenanceReminderSent>(Assert.Single(MaintenanceDecisions.Tick(Scheduled(reminders: [60, 1440]), Now.AddMinutes(61), NewId)));
        Assert.Equal(60, both.MinutesBefore);
        Assert.Empty(MaintenanceDecisions.Tick(Scheduled(reminders: [60, 1440]).Apply(both), Now.AddMinutes(62), NewId));

        var start = Assert.IsType<MaintenanceUpdated>(Assert.Single(MaintenanceDecisions.Tick(state, Now.AddHours(2), NewId)));
        Assert.Equal((MaintenanceStatus.InProgress, Maintenance.Clock), (start.Status, start.UpdatedBy));
        state = state.Apply(start);
        Assert.True(state.IsActive);
        Assert.Empty(MaintenanceDecisions.Tick(state, Now.AddHours(2.5), NewId));
        var end = Assert.IsType<MaintenanceUpdated>(Assert.Single(MaintenanceDecisions.Tick(state, Now.AddHours(3), NewId)));
        Assert.Equal(MaintenanceStatus.Completed, end.Status);
        Assert.Empty(MaintenanceDecisions.Tick(state.Apply(end), Now.AddHours(4), NewId));
    }

    [Fact]
    public void A_window_that_went_by_while_the_service_was_down_still_starts_before_it_completes()
    {
        var state = Scheduled(reminders: []);

        var first = Assert.IsType<MaintenanceUpdated>(Assert.Single(MaintenanceDecisions.Tick(state, Now.AddHours(10), () => "a")));
        var second = Assert.IsType<MaintenanceUpdated>(Assert.Single(MaintenanceDecisions.Tick(state.Apply(first), Now.AddHours(10), () => "b")));

        Assert.Equal((MaintenanceStatus.InProgress, MaintenanceStatus.Completed), (first.Status, second.Status));
    }

    [Fact]
    public void Without_auto_transition_only_people_move_it()
    {
        var state = Scheduled(auto: false, reminders: []);

        Assert.Empty(MaintenanceDecisions.Tick(state, Now.AddHours(2.5), () => "x"));
        var (errors, started) = MaintenanceDecisions.Update(state, new PostMaintenanceUpdate("bob", "m1", MaintenanceStatus.InProgress, "Starting now."), "u2", Now);
        Assert.Empty(errors);
        Assert.Equal((false, true), MaintenanceDecisions.Activity(state, [started!]));
        var (back, _) = MaintenanceDecisions.Update(state.Apply(started!), new PostMaintenanceUpdate("bob", "m1", MaintenanceStatus.Scheduled, "Oops"), "u3", Now);
        Assert.Contains("status", back.Keys);
    }

    [Fact]
    public void Cancelling_ends_the_activity_and_nothing_follows()
    {
        var state = Scheduled(reminders: []).Apply(new MaintenanceUpdated("m1", "u2", "Database upgrade", MaintenanceStatus.InProgress, "Go", Now, Now, [], true, "bob", Now));
        var (_, cancelled) = MaintenanceDecisions.Cancel(state, new CancelMaintenance("bob", "m1"), "u3", Now);

        Assert.Equal((true, false), MaintenanceDecisions.Activity(state, [cancelled!]));
        var over = state.Apply(cancelled!);
        Assert.Empty(MaintenanceDecisions.Tick(over, Now.AddDays(1), () => "x"));
        Assert.Contains("status", MaintenanceDecisions.Cancel(over, new CancelMaintenance("bob", "m1"), "u4", Now).Errors.Keys);
    }

    [Fact]
    public void A_weekly_window_follows_local_time_across_daylight_saving()
    {
        var rule = new ServiceWindowRule([0], "02:30", 120, "Europe/Berlin"); // Sundays 02:30 local

        var starts = ServiceWindow.Occurrences(rule, new DateTimeOffset(2026, 3, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 4, 6, 0, 0, 0, TimeSpan.Zero))
            .Select(o => o.Start).ToList();

        // 22 March: CET (+1) -> 01:30 UTC. 29 March: 02:30 does not exist (clocks jump 02:00 -> 03:00) -> 03:30 CEST = 01:30 UTC. 5 April: CEST -> 00:30 UTC.
        Assert.Equal([new DateTimeOffset(2026, 3, 22, 1, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 4, 5, 0, 30, 0, TimeSpan.Zero)], starts);
        var autumn = ServiceWindow.Occurrences(rule, new DateTimeOffset(2026, 10, 24, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 26, 0, 0, 0, TimeSpan.Zero)).Single();
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), autumn.Start); // 02:30 happens twice: the first (CEST)
        Assert.Equal(autumn.Start.AddMinutes(120), autumn.End);
        Assert.Equal(ServiceWindow.MaintenanceId("w", autumn.Start), ServiceWindow.MaintenanceId("w", autumn.Start));
        Assert.NotEqual(ServiceWindow.MaintenanceId("w", autumn.Start), ServiceWindow.MaintenanceId("w", autumn.Start.AddDays(7)));
    }

    [Fact]
    public void A_window_definition_is_checked_field_by_field()
    {
        var errors = ServiceWindow.Validate(new DefineServiceWindow("alice", "Sunday Nights", "", "", [], [7], "25:00", 0, "Mars/Olympus", 0));

        Assert.Equal(["days", "duration_minutes", "name", "schedule_days_ahead", "start_local_time", "time_zone", "window_id"], errors.Keys.Order());
    }
}
