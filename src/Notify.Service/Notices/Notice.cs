using System.Security.Cryptography;
using System.Text;
using StatusPlatform.Contracts;

namespace StatusPlatform.Notify.Notices;

/// <summary>The kinds of notice; the wire names double as the policy's event names.</summary>
public static class NoticeKind
{
    public const string Opened = "incident_opened";
    public const string Updated = "incident_updated";
    public const string Resolved = "incident_resolved";
    /// <summary>An automatic incident still open after Notify:PersistentOutageMinutes: the first time people hear of it.</summary>
    public const string Persisting = "incident_persisting";
    public const string Postmortem = "postmortem_published";
    public const string ComponentStatus = "component_status_changed";
    public const string Confirmation = "confirmation";
    public const string AlreadySubscribed = "already_subscribed";
    public const string Ping = "ping";

    /// <summary>A maintenance was announced, changed status or was called off (the status says which).</summary>
    public const string Maintenance = "maintenance";

    /// <summary>A maintenance starts soon (its reminder lead time came).</summary>
    public const string MaintenanceReminder = "maintenance_reminder";

    /// <summary>Several incidents or components at once, told to one subscriber on one channel in one message (<see cref="Notice.Items"/>).</summary>
    public const string Digest = "digest";

    // Statuses of maintenance notices that are not Statuspage's own: a cancellation and a reminder.
    public const string Cancelled = "cancelled";
    public const string Reminder = "reminder";

    public static IReadOnlyList<string> Incident { get; } = [Opened, Updated, Resolved, Persisting, Postmortem];

    /// <summary>Kinds about the subscription itself; they reach unconfirmed subscribers (that is their point).</summary>
    public static bool IsAboutSubscription(string kind) => kind is Confirmation or AlreadySubscribed or Ping;
}

/// <summary>
/// What a delivery tells, stored once per message (notify.notices) and rendered per channel and locale at send time,
/// so a retry renders exactly the same content. Untrusted text throughout: the renderers encode it.
/// </summary>
public sealed record Notice(
    string Kind,
    string? IncidentId,
    string Name,
    string Status,
    string Impact,
    string Body,
    IReadOnlyList<AffectedComponent> Components,
    DateTimeOffset At,
    bool Automatic = false,
    bool DeliverNotifications = true,
    string? UpdateId = null,
    ComponentStatusChanged? Component = null,
    DateTimeOffset? ExpiresAt = null,
    DateTimeOffset? OpenedAt = null,
    IReadOnlyList<Notice>? Items = null)
{
    public static Notice From(IncidentOpened e) => new(NoticeKind.Opened, e.IncidentId, e.Name, e.Status, e.Impact, e.Body,
        e.Components ?? [], e.OpenedAt, e.Automatic, e.DeliverNotifications, e.UpdateId, OpenedAt: e.OpenedAt);

    public static Notice From(IncidentUpdated e) => new(NoticeKind.Updated, e.IncidentId, e.Name, e.Status, e.Impact, e.Body,
        e.Components ?? [], e.UpdatedAt, e.Automatic, e.DeliverNotifications, e.UpdateId);

    public static Notice From(IncidentResolved e) => new(NoticeKind.Resolved, e.IncidentId, e.Name, IncidentStatus.Resolved, IncidentImpact.None,
        e.Body, e.Components ?? [], e.ResolvedAt, e.Automatic, e.DeliverNotifications, e.UpdateId);

    public static Notice From(IncidentPostmortemPublished e) => new(NoticeKind.Postmortem, e.IncidentId, e.Name, IncidentStatus.Postmortem,
        IncidentImpact.None, e.Body, [], e.PublishedAt);

    /// <summary>The maintenance id takes the incident's place: its page, quiet rule and ops-room thread are the maintenance's.</summary>
    public static Notice From(MaintenanceChanged e) => new(NoticeKind.Maintenance, e.MaintenanceId, e.Name, e.Status, "maintenance",
        $"{e.Body}\n\n{Window(e.ScheduledFor, e.ScheduledUntil)}".Trim(), e.Components ?? [], e.ChangedAt, e.Actor == "maintenance-clock",
        e.DeliverNotifications, e.UpdateId);

    public static Notice From(MaintenanceReminder e) => new(NoticeKind.MaintenanceReminder, e.MaintenanceId, e.Name, NoticeKind.Reminder, "maintenance",
        $"This maintenance starts in {e.MinutesBefore} minutes.\n\n{Window(e.ScheduledFor, e.ScheduledUntil)}", e.Components ?? [], e.ScheduledFor.AddMinutes(-e.MinutesBefore),
        Automatic: true, UpdateId: $"reminder-{e.MinutesBefore}");

    private static string Window(DateTimeOffset from, DateTimeOffset until) =>
        FormattableString.Invariant($"Window: {from.ToUniversalTime():yyyy-MM-dd HH:mm} to {until.ToUniversalTime():yyyy-MM-dd HH:mm} UTC");

    public static Notice From(ComponentStatusChanged e) => new(NoticeKind.ComponentStatus, null, e.Name, e.NewStatus, IncidentImpact.None, "",
        [new AffectedComponent(e.ComponentId, e.Name, e.NewStatus)], e.ChangedAt, Component: e);

    /// <summary>The persisting notice of an automatic incident: its opening, told to people now.</summary>
    public Notice Persisting() => this with { Kind = NoticeKind.Persisting };

    /// <summary>
    /// A message id derived from a name, the same in every instance: two instances noticing the same persisting
    /// outage record it once (notify.processed_messages).
    /// </summary>
    public static Guid DerivedId(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: a custom, name-derived uuid
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
