using StatusPlatform.Contracts;
using StatusPlatform.Incident.Components;

namespace StatusPlatform.Incident.Maintenances;

/// <summary>The decisions about maintenance windows: announce, update, cancel, and what the clock does when time passes. Pure.</summary>
public static class MaintenanceDecisions
{
    public const int MaxNameLength = 255;
    public const int MaxBodyLength = 25_000;
    public static readonly IReadOnlyList<int> DefaultReminders = [60];

    private static readonly string[] Statuses = [MaintenanceStatus.Scheduled, MaintenanceStatus.InProgress, MaintenanceStatus.Verifying, MaintenanceStatus.Completed];

    public static (Dictionary<string, string[]> Errors, MaintenanceScheduled? Event) Schedule(ScheduleMaintenance command,
        IReadOnlyDictionary<string, Component> components, string maintenanceId, string updateId, string? windowId, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(command.Name))
            errors["name"] = ["is required"];
        else if (command.Name.Length > MaxNameLength)
            errors["name"] = [$"must be at most {MaxNameLength} characters"];
        if (command.Body?.Length > MaxBodyLength)
            errors["body"] = [$"must be at most {MaxBodyLength} characters"];
        if (command.ScheduledUntil <= command.ScheduledFor)
            errors["scheduled_until"] = ["must be after scheduled_for"];
        else if (command.ScheduledUntil <= now)
            errors["scheduled_until"] = ["must be in the future: a maintenance that is over cannot be announced"];
        foreach (var (id, i) in (command.ComponentIds ?? []).Select((c, i) => (c, i)))
        {
            if (id is null || !components.TryGetValue(id, out var component) || component.Settings.IsGroup)
                errors[$"component_ids[{i}]"] = [$"'{id}' is not a component"];
        }
        var reminders = command.ReminderMinutesBefore ?? DefaultReminders;
        if (reminders.Any(m => m is < 1 or > 7 * 24 * 60))
            errors["reminder_minutes_before"] = ["each lead time must be from 1 minute to 7 days"];
        if (errors.Count > 0)
            return (errors, null);
        return (errors, new MaintenanceScheduled(maintenanceId, updateId, command.Name.Trim(), command.Body ?? "", command.ScheduledFor, command.ScheduledUntil,
            [.. (command.ComponentIds ?? []).Distinct(StringComparer.Ordinal).Select(id => new MaintenanceComponent(id, components[id].Settings.Name))],
            command.AutoTransition, [.. reminders.Distinct().Order()], command.DeliverNotifications, windowId, command.Actor, now));
    }

    public static (Dictionary<string, string[]> Errors, MaintenanceUpdated? Event) Update(Maintenance state, PostMaintenanceUpdate command, string updateId,
        DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (state.IsOver)
            errors["status"] = [$"the maintenance is {state.Status}"];
        else if (!Statuses.Contains(command.Status))
            errors["status"] = [$"'{command.Status}' is not one of {string.Join(", ", Statuses)}"];
        else if (command.Status == MaintenanceStatus.Scheduled && state.Status != MaintenanceStatus.Scheduled)
            errors["status"] = ["a maintenance that started cannot go back to scheduled"];
        if (string.IsNullOrWhiteSpace(command.Body))
            errors["body"] = ["is required"];
        else if (command.Body.Length > MaxBodyLength)
            errors["body"] = [$"must be at most {MaxBodyLength} characters"];
        return errors.Count > 0
            ? (errors, null)
            : (errors, new MaintenanceUpdated(state.Id, updateId, state.Name, command.Status, command.Body!, state.ScheduledFor, state.ScheduledUntil,
                state.Components, command.DeliverNotifications, command.Actor, now));
    }

    public static (Dictionary<string, string[]> Errors, MaintenanceCancelled? Event) Cancel(Maintenance state, CancelMaintenance command, string updateId,
        DateTimeOffset now)
    {
        if (state.IsOver)
            return (new() { ["status"] = [$"the maintenance is {state.Status}"] }, null);
        return ([], new MaintenanceCancelled(state.Id, updateId, state.Name, command.Body ?? "This maintenance has been cancelled.", state.ScheduledFor,
            state.ScheduledUntil, state.Components, command.Actor, now));
    }

    /// <summary>
    /// What the passing of time does to a maintenance: reminders whose lead time has come (one each, never after the
    /// start), and with auto-transition the start and the end. At most one status change per tick, so a window that
    /// went by while the service was down still starts before it completes and both are announced.
    /// </summary>
    public static IReadOnlyList<object> Tick(Maintenance state, DateTimeOffset now, Func<string> newId)
    {
        if (state.IsOver)
            return [];
        var events = new List<object>();
        if (state.Status == MaintenanceStatus.Scheduled && now < state.ScheduledFor)
        {
            // One reminder, for the shortest lead time due: when the 1-day and the 1-hour reminder are both due (the service
            // was down), one message goes out, and it counts for every longer lead time too.
            var due = state.ReminderMinutesBefore.Where(m => !state.RemindersSent.Contains(m) && now >= state.ScheduledFor.AddMinutes(-m)).ToList();
            if (due.Count > 0)
                events.Add(new MaintenanceReminderSent(state.Id, state.Name, state.ScheduledFor, state.ScheduledUntil, state.Components, due.Min(), now));
        }
        if (!state.AutoTransition)
            return events;
        if (state.Status == MaintenanceStatus.Scheduled && now >= state.ScheduledFor)
            events.Add(new MaintenanceUpdated(state.Id, newId(), state.Name, MaintenanceStatus.InProgress, "Scheduled maintenance is currently in progress.",
                state.ScheduledFor, state.ScheduledUntil, state.Components, true, Maintenance.Clock, now));
        else if (state.IsActive && now >= state.ScheduledUntil)
            events.Add(new MaintenanceUpdated(state.Id, newId(), state.Name, MaintenanceStatus.Completed, "The scheduled maintenance has been completed.",
                state.ScheduledFor, state.ScheduledUntil, state.Components, true, Maintenance.Clock, now));
        return events;
    }

    /// <summary>Whether the components are in maintenance before and after these events (they are from the start until the end or a cancel).</summary>
    public static (bool Before, bool After) Activity(Maintenance state, IEnumerable<object> events)
    {
        var after = events.Aggregate(state, (s, e) => e switch
        {
            MaintenanceUpdated u => s.Apply(u),
            MaintenanceCancelled c => s.Apply(c),
            _ => s,
        });
        return (state.IsActive, after.IsActive);
    }
}
