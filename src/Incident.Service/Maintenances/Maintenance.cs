using System.Collections.Immutable;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Maintenances;

/// <summary>A component in a maintenance, with its name at the time (for messages and the page).</summary>
public sealed record MaintenanceComponent(string ComponentId, string Name);

public sealed record MaintenanceScheduled(string MaintenanceId, string UpdateId, string Name, string Body, DateTimeOffset ScheduledFor,
    DateTimeOffset ScheduledUntil, IReadOnlyList<MaintenanceComponent> Components, bool AutoTransition, IReadOnlyList<int> ReminderMinutesBefore,
    bool DeliverNotifications, string? ServiceWindowId, string ScheduledBy, DateTimeOffset ScheduledAt);

/// <summary>An update with a status; in_progress means the window started, completed that it ended.</summary>
/// <summary>
/// An update with a status; in_progress means the window started, completed that it ended. Name, window and components
/// ride along (as in every maintenance event) so the relay and the projection need nothing but the event.
/// </summary>
public sealed record MaintenanceUpdated(string MaintenanceId, string UpdateId, string Name, string Status, string Body, DateTimeOffset ScheduledFor,
    DateTimeOffset ScheduledUntil, IReadOnlyList<MaintenanceComponent> Components, bool DeliverNotifications, string UpdatedBy, DateTimeOffset UpdatedAt);

public sealed record MaintenanceCancelled(string MaintenanceId, string UpdateId, string Name, string Body, DateTimeOffset ScheduledFor,
    DateTimeOffset ScheduledUntil, IReadOnlyList<MaintenanceComponent> Components, string CancelledBy, DateTimeOffset CancelledAt);

public sealed record MaintenanceReminderSent(string MaintenanceId, string Name, DateTimeOffset ScheduledFor, DateTimeOffset ScheduledUntil,
    IReadOnlyList<MaintenanceComponent> Components, int MinutesBefore, DateTimeOffset SentAt);

/// <summary>A maintenance window as decisions need it.</summary>
public sealed record Maintenance(
    string Id,
    string Name,
    string Status,
    DateTimeOffset ScheduledFor,
    DateTimeOffset ScheduledUntil,
    IReadOnlyList<MaintenanceComponent> Components,
    bool AutoTransition,
    IReadOnlyList<int> ReminderMinutesBefore)
{
    public const string Cancelled = "cancelled";
    public const string Clock = "maintenance-clock";

    public ImmutableHashSet<int> RemindersSent { get; init; } = [];

    public ImmutableHashSet<string> UpdateIds { get; init; } = [];

    public static string StreamId(string maintenanceId) => $"maintenance-{maintenanceId}";

    public bool IsOver => Status is MaintenanceStatus.Completed or Cancelled;

    /// <summary>Whether its components are in maintenance now: from the start until it is completed or cancelled.</summary>
    public bool IsActive => Status is MaintenanceStatus.InProgress or MaintenanceStatus.Verifying;

    public static Maintenance Create(MaintenanceScheduled e) => new(e.MaintenanceId, e.Name, MaintenanceStatus.Scheduled, e.ScheduledFor, e.ScheduledUntil,
        e.Components, e.AutoTransition, e.ReminderMinutesBefore) { UpdateIds = [e.UpdateId] };

    public Maintenance Apply(MaintenanceUpdated e) => this with { Status = e.Status, UpdateIds = UpdateIds.Add(e.UpdateId) };

    public Maintenance Apply(MaintenanceCancelled e) => this with { Status = Cancelled, UpdateIds = UpdateIds.Add(e.UpdateId) };

    public Maintenance Apply(MaintenanceReminderSent e) => this with { RemindersSent = RemindersSent.Union(ReminderMinutesBefore.Where(m => m >= e.MinutesBefore)) };
}
