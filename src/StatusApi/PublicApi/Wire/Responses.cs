namespace StatusPlatform.StatusApi.PublicApi.Wire;

public sealed record SummaryResponse(
    Page Page,
    IReadOnlyList<Component> Components,
    IReadOnlyList<Incident> Incidents,
    // Upcoming and in-progress maintenances (scheduled, in_progress, verifying).
    IReadOnlyList<ScheduledMaintenance> ScheduledMaintenances,
    PageStatus Status);

public sealed record StatusResponse(Page Page, PageStatus Status);

public sealed record ComponentsResponse(Page Page, IReadOnlyList<Component> Components);

public sealed record IncidentsResponse(Page Page, IReadOnlyList<Incident> Incidents);

/// <summary>scheduled-maintenances.json, …/upcoming.json and …/active.json.</summary>
public sealed record ScheduledMaintenancesResponse(Page Page, IReadOnlyList<ScheduledMaintenance> ScheduledMaintenances);
