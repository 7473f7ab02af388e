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
    DateTimeOffset OpenedAt);

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
    DateTimeOffset UpdatedAt);

public sealed record IncidentResolved(
    string IncidentId,
    string UpdateId,
    string Name,
    string Body,
    IReadOnlyList<IncidentComponent> Components,
    bool Automatic,
    string ResolvedBy,
    DateTimeOffset ResolvedAt);

public sealed record Incident(string Id, string Name, string Status, bool Automatic, IReadOnlyList<IncidentComponent> Components)
{
    public static string StreamId(string incidentId) => $"incident-{incidentId}";

    public bool IsResolved => Status is IncidentStatus.Resolved or IncidentStatus.Postmortem;

    public static Incident Create(IncidentOpened e) => new(e.IncidentId, e.Name, e.Status, e.Automatic, e.Components);

    public Incident Apply(IncidentUpdated e) => this with { Status = e.Status, Components = e.Components };

    public Incident Apply(IncidentResolved e) => this with { Status = IncidentStatus.Resolved, Components = e.Components };
}
