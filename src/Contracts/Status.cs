namespace StatusPlatform.Contracts;

/// <summary>Component status values, spelled as on the Statuspage v2 wire.</summary>
public static class ComponentStatus
{
    public const string Operational = "operational";
    public const string DegradedPerformance = "degraded_performance";
    public const string PartialOutage = "partial_outage";
    public const string MajorOutage = "major_outage";
    public const string UnderMaintenance = "under_maintenance";
}

/// <summary>Incident status values, spelled as on the Statuspage v2 wire.</summary>
public static class IncidentStatus
{
    public const string Investigating = "investigating";
    public const string Identified = "identified";
    public const string Monitoring = "monitoring";
    public const string Resolved = "resolved";
    public const string Postmortem = "postmortem";
}

/// <summary>Incident impact values, spelled as on the Statuspage v2 wire.</summary>
public static class IncidentImpact
{
    public const string None = "none";
    public const string Minor = "minor";
    public const string Major = "major";
    public const string Critical = "critical";
}

/// <summary>A component an incident or update concerns, with the status it set for it.</summary>
public sealed record AffectedComponent(string ComponentId, string Name, string Status);

/// <summary>A component's displayed status changed (from any cause: monitors, incidents, maintenance, override).</summary>
public sealed record ComponentStatusChanged(string ComponentId, string Name, string OldStatus, string NewStatus, DateTimeOffset ChangedAt);

/// <summary>
/// An incident was opened, by a person or automatically from a monitor. <see cref="DeliverNotifications"/> false means
/// the author asked for the page only (Statuspage's deliver_notifications); a backfilled (historical) incident is never
/// announced. Members after <see cref="OpenedAt"/> came later and default to what earlier senders meant.
/// </summary>
public sealed record IncidentOpened(
    string IncidentId,
    string Name,
    string Status,
    string Impact,
    string Body,
    IReadOnlyList<AffectedComponent> Components,
    bool Automatic,
    DateTimeOffset OpenedAt,
    bool DeliverNotifications = true,
    string UpdateId = "",
    string Actor = "");

/// <summary>
/// An update was posted to an open incident; <see cref="Automatic"/> when the monitors wrote it (a component joined or
/// recovered), not a person.
/// </summary>
public sealed record IncidentUpdated(
    string IncidentId,
    string UpdateId,
    string Name,
    string Status,
    string Body,
    IReadOnlyList<AffectedComponent> Components,
    DateTimeOffset UpdatedAt,
    string Impact = IncidentImpact.None,
    bool Automatic = false,
    bool DeliverNotifications = true,
    string Actor = "");

/// <summary>An incident was resolved; the body is the resolving update's text.</summary>
public sealed record IncidentResolved(
    string IncidentId,
    string Name,
    string Body,
    IReadOnlyList<AffectedComponent> Components,
    bool Automatic,
    DateTimeOffset ResolvedAt,
    bool DeliverNotifications = true,
    string UpdateId = "",
    string Actor = "");

/// <summary>The postmortem of a resolved incident was published.</summary>
public sealed record IncidentPostmortemPublished(string IncidentId, string Name, string Body, string Actor, DateTimeOffset PublishedAt);
