namespace StatusPlatform.Contracts;

/// <summary>
/// Asks Incident.Service for the whole page as it stood at <see cref="At"/>, computed from the events recorded by then
/// (request/response over the bus). Answered with <see cref="PageAt"/>, or <see cref="HistoryRequestRejected"/>.
/// </summary>
public sealed record GetPageAt(DateTimeOffset At);

/// <summary>
/// The page at <see cref="At"/>: the page indicator and description (the Statuspage rule), every component that
/// existed then (groups show their worst child), and the incidents that were unresolved then.
/// </summary>
public sealed record PageAt(
    DateTimeOffset At,
    string Indicator,
    string Description,
    IReadOnlyList<ComponentAt> Components,
    IReadOnlyList<IncidentAt> UnresolvedIncidents);

/// <summary>A component (or group) as the page showed it at some moment.</summary>
public sealed record ComponentAt(string ComponentId, string Name, string Status, string? GroupId, bool IsGroup, int Position);

/// <summary>An incident as it stood at some moment; its components carry the status the incident set for each.</summary>
public sealed record IncidentAt(
    string IncidentId,
    string Name,
    string Status,
    string Impact,
    IReadOnlyList<AffectedComponent> Components,
    DateTimeOffset OpenedAt);

/// <summary>
/// Asks for what changed on the page after <see cref="From"/> up to and including <see cref="To"/>. Answered with
/// <see cref="Changes"/>, or <see cref="HistoryRequestRejected"/>.
/// </summary>
public sealed record GetChanges(DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// The changes in time order. <see cref="Truncated"/> is set when there were more than the answer holds; the last
/// item's time is then where to ask again from.
/// </summary>
public sealed record Changes(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<PageChange> Items, bool Truncated);

/// <summary>
/// One change on the page. <see cref="Kind"/> is one of <see cref="PageChangeKind"/>; <see cref="SubjectId"/> is the
/// component or incident id (the page id for the page status); statuses are wire values (for the page: indicators).
/// </summary>
public sealed record PageChange(
    DateTimeOffset At,
    string Kind,
    string SubjectId,
    string Name,
    string? OldStatus,
    string? NewStatus,
    string? Body);

public static class PageChangeKind
{
    public const string ComponentAdded = "component_added";
    public const string ComponentRemoved = "component_removed";
    public const string ComponentStatusChanged = "component_status_changed";
    public const string IncidentOpened = "incident_opened";
    public const string IncidentUpdated = "incident_updated";
    public const string IncidentResolved = "incident_resolved";
    public const string PageStatusChanged = "page_status_changed";
}

/// <summary>A history request that cannot be answered as asked (an empty or reversed range); the reason says why.</summary>
public sealed record HistoryRequestRejected(string Reason);
