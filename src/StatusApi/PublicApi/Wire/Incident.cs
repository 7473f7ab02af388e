namespace StatusPlatform.StatusApi.PublicApi.Wire;

// reminder_intervals is left out: only one 2024 capture of incidents.json shows it (as null), the read model has no
// such column, and clients that know the key treat it as optional.

/// <summary>An incident with its updates (newest first) and the full objects of the components it concerns.</summary>
public sealed record Incident(
    string Id,
    string Name,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? MonitoringAt,
    DateTimeOffset? ResolvedAt,
    string Impact,
    string Shortlink,
    DateTimeOffset StartedAt,
    string PageId,
    IReadOnlyList<IncidentUpdate> IncidentUpdates,
    IReadOnlyList<Component> Components);

/// <summary>A scheduled maintenance: the incident shape plus its window (statuspage-api.md 1.2), impact "maintenance".</summary>
public sealed record ScheduledMaintenance(
    string Id,
    string Name,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? MonitoringAt,
    DateTimeOffset? ResolvedAt,
    string Impact,
    string Shortlink,
    DateTimeOffset StartedAt,
    string PageId,
    IReadOnlyList<IncidentUpdate> IncidentUpdates,
    IReadOnlyList<Component> Components,
    DateTimeOffset ScheduledFor,
    DateTimeOffset ScheduledUntil);

public sealed record IncidentUpdate(
    string Id,
    string Status,
    string Body,
    string IncidentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset DisplayAt,
    IReadOnlyList<AffectedComponent>? AffectedComponents,
    bool DeliverNotifications,
    string? CustomTweet,
    string? TweetId);

/// <summary>One component's status change recorded with an incident update; <c>code</c> is the component id.</summary>
public sealed record AffectedComponent(string Code, string Name, string OldStatus, string NewStatus);
