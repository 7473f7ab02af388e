namespace StatusPlatform.Contracts;

// Commands for incidents and component status, sent by StatusApi's admin API (and the console) to Incident.Service,
// each answered with CommandAccepted, CommandRejected or CommandConflict (Commands.cs). Actor names who asks: it is
// recorded on every event. ExpectedVersion, when given, makes the write optimistic (If-Match).

/// <summary>A status an incident update sets for one component (a wire status such as partial_outage).</summary>
public sealed record ComponentStatusChange(string ComponentId, string Status);

/// <summary>
/// Opens an incident. With <see cref="BackfillStartedAt"/> and <see cref="BackfillResolvedAt"/> it records a past
/// incident instead (already resolved, never announced, component statuses untouched).
/// </summary>
public sealed record CreateIncident(
    string Actor,
    string Name,
    string Status,
    string Body,
    IReadOnlyList<ComponentStatusChange>? Components = null,
    string? ImpactOverride = null,
    bool DeliverNotifications = true,
    DateTimeOffset? BackfillStartedAt = null,
    DateTimeOffset? BackfillResolvedAt = null);

/// <summary>Posts an update (status resolved resolves it); Name renames the incident when given.</summary>
public sealed record PostIncidentUpdate(
    string Actor,
    string IncidentId,
    string Status,
    string Body,
    IReadOnlyList<ComponentStatusChange>? Components = null,
    string? ImpactOverride = null,
    bool DeliverNotifications = true,
    long? ExpectedVersion = null,
    string? Name = null);

/// <summary>Publishes the postmortem of a resolved incident (Markdown).</summary>
public sealed record PublishPostmortem(string Actor, string IncidentId, string Body, long? ExpectedVersion = null);

/// <summary>Pins a component's status by hand; a null Status lifts the override.</summary>
public sealed record SetComponentOverride(string Actor, string ComponentId, string? Status, long? ExpectedVersion = null);
