using System.Collections.Immutable;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Incidents;

/// <summary>A component an incident concerns, with the status the incident set for it and the one before.</summary>
public sealed record IncidentComponent(string ComponentId, string Name, string OldStatus, string NewStatus);

public sealed record IncidentOpened(
    string IncidentId,
    string UpdateId,
    string Name,
    string Status,
    string Impact,
    string Body,
    IReadOnlyList<IncidentComponent> Components,
    bool Automatic,
    string OpenedBy,
    DateTimeOffset OpenedAt,
    bool DeliverNotifications = true,
    string? ImpactOverride = null,
    bool Backfilled = false);

/// <summary>An update on an open incident: its status, its text and the components it now concerns.</summary>
public sealed record IncidentUpdated(
    string IncidentId,
    string UpdateId,
    string Name,
    string Status,
    string Impact,
    string Body,
    IReadOnlyList<IncidentComponent> Components,
    string UpdatedBy,
    DateTimeOffset UpdatedAt,
    bool DeliverNotifications = true,
    string? ImpactOverride = null);

public sealed record IncidentResolved(
    string IncidentId,
    string UpdateId,
    string Name,
    string Body,
    IReadOnlyList<IncidentComponent> Components,
    bool Automatic,
    string ResolvedBy,
    DateTimeOffset ResolvedAt,
    bool DeliverNotifications = true,
    string Impact = "");

/// <summary>The postmortem of a resolved incident: its Markdown body, published on the page (status postmortem).</summary>
public sealed record IncidentPostmortemPublished(string IncidentId, string Name, string Body, string PublishedBy, DateTimeOffset PublishedAt);

/// <summary>
/// An incident as decisions need it. <see cref="TakenOver"/>: a person has posted on an automatic incident, so recovery
/// no longer resolves it by itself. <see cref="UpdateIds"/> makes a redelivered command recognisable.
/// </summary>
public sealed record Incident(string Id, string Name, string Status, bool Automatic, IReadOnlyList<IncidentComponent> Components)
{
    public string Impact { get; init; } = IncidentImpact.None;

    public string? ImpactOverride { get; init; }

    public bool TakenOver { get; init; }

    public string? Postmortem { get; init; }

    public ImmutableHashSet<string> UpdateIds { get; init; } = [];

    public static string StreamId(string incidentId) => $"incident-{incidentId}";

    public bool IsResolved => Status is IncidentStatus.Resolved or IncidentStatus.Postmortem;

    public static Incident Create(IncidentOpened e) => new(e.IncidentId, e.Name, e.Status, e.Automatic, e.Components)
    {
        Impact = e.Impact,
        ImpactOverride = e.ImpactOverride,
        UpdateIds = [e.UpdateId],
    };

    public Incident Apply(IncidentUpdated e) => this with
    {
        Name = e.Name,
        Status = e.Status,
        Components = e.Components,
        Impact = e.Impact,
        ImpactOverride = e.ImpactOverride ?? ImpactOverride,
        TakenOver = TakenOver || (Automatic && e.UpdatedBy != AutomaticIncidents.Actor),
        UpdateIds = UpdateIds.Add(e.UpdateId),
    };

    public Incident Apply(IncidentResolved e) => this with
    {
        Status = IncidentStatus.Resolved,
        Components = e.Components,
        Impact = e.Impact.Length > 0 ? e.Impact : Impact,
        UpdateIds = UpdateIds.Add(e.UpdateId),
    };

    public Incident Apply(IncidentPostmortemPublished e) => this with { Status = IncidentStatus.Postmortem, Postmortem = e.Body };
}
