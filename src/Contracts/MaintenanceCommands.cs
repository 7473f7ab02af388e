namespace StatusPlatform.Contracts;

// Scheduled maintenance: commands to Incident.Service (answered like every command, see Commands.cs) and the
// integration events it publishes. Statuses as on the Statuspage wire: scheduled, in_progress, verifying, completed.

public static class MaintenanceStatus
{
    public const string Scheduled = "scheduled";
    public const string InProgress = "in_progress";
    public const string Verifying = "verifying";
    public const string Completed = "completed";
}

/// <summary>
/// Announces a maintenance window. With <see cref="AutoTransition"/> it moves to in_progress at the start and to completed
/// at the end by itself; <see cref="ReminderMinutesBefore"/> lists the lead times of reminders (default one hour).
/// </summary>
public sealed record ScheduleMaintenance(
    string Actor,
    string Name,
    string Body,
    DateTimeOffset ScheduledFor,
    DateTimeOffset ScheduledUntil,
    IReadOnlyList<string> ComponentIds,
    bool AutoTransition = true,
    IReadOnlyList<int>? ReminderMinutesBefore = null,
    bool DeliverNotifications = true);

/// <summary>Posts an update; a status moves it (in_progress starts it, completed ends it).</summary>
public sealed record PostMaintenanceUpdate(string Actor, string MaintenanceId, string Status, string Body, bool DeliverNotifications = true,
    long? ExpectedVersion = null);

/// <summary>Calls a maintenance off (before or during it); its components leave maintenance.</summary>
public sealed record CancelMaintenance(string Actor, string MaintenanceId, string? Body = null, long? ExpectedVersion = null);

/// <summary>
/// A recurring service window: every week on <see cref="Days"/> (0 = Sunday ... 6 = Saturday) at <see cref="StartLocalTime"/>
/// ("02:00") in <see cref="TimeZone"/> (IANA) for <see cref="DurationMinutes"/>. Incident.Service schedules each
/// occurrence as a maintenance <see cref="ScheduleDaysAhead"/> days before it.
/// </summary>
public sealed record DefineServiceWindow(
    string Actor,
    string WindowId,
    string Name,
    string Body,
    IReadOnlyList<string> ComponentIds,
    IReadOnlyList<int> Days,
    string StartLocalTime,
    int DurationMinutes,
    string TimeZone,
    int ScheduleDaysAhead = 14,
    IReadOnlyList<int>? ReminderMinutesBefore = null);

public sealed record RemoveServiceWindow(string Actor, string WindowId);

/// <summary>A maintenance was announced, changed status, was updated, or was cancelled (Status "cancelled" is ours, not Statuspage's).</summary>
public sealed record MaintenanceChanged(
    string MaintenanceId,
    string UpdateId,
    string Name,
    string Status,
    string Body,
    DateTimeOffset ScheduledFor,
    DateTimeOffset ScheduledUntil,
    IReadOnlyList<AffectedComponent> Components,
    bool DeliverNotifications,
    string Actor,
    DateTimeOffset ChangedAt);

/// <summary>A maintenance starts in <see cref="MinutesBefore"/> minutes: time to remind its subscribers.</summary>
public sealed record MaintenanceReminder(string MaintenanceId, string Name, DateTimeOffset ScheduledFor, DateTimeOffset ScheduledUntil,
    IReadOnlyList<AffectedComponent> Components, int MinutesBefore);
