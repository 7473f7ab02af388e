namespace StatusPlatform.StatusApi.PublicApi.Wire;

public sealed record SummaryResponse(
    Page Page,
    IReadOnlyList<Component> Components,
    IReadOnlyList<Incident> Incidents,
    // Always empty until maintenances exist; they will get a record of their own (the incident shape plus
    // scheduled_for and scheduled_until).
    IReadOnlyList<Incident> ScheduledMaintenances,
    PageStatus Status);

public sealed record StatusResponse(Page Page, PageStatus Status);

public sealed record ComponentsResponse(Page Page, IReadOnlyList<Component> Components);

public sealed record IncidentsResponse(Page Page, IReadOnlyList<Incident> Incidents);

/// <summary>scheduled-maintenances.json, …/upcoming.json and …/active.json.</summary>
public sealed record ScheduledMaintenancesResponse(Page Page, IReadOnlyList<Incident> ScheduledMaintenances);
