using MaintenanceStatus = StatusPlatform.Contracts.MaintenanceStatus;
using System.Text.Json;
using StatusPlatform.StatusApi.PublicApi.Wire;

namespace StatusPlatform.StatusApi.PublicApi;

/// <summary>
/// The public page as the v2 wire shows it, built from one <see cref="StatusSnapshot"/>: <see cref="Incidents"/> are the
/// newest of any status (incidents.json), <see cref="UnresolvedIncidents"/> every open one (summary.json, unresolved.json).
/// </summary>
public sealed record StatusPageView(
    Page Page, IReadOnlyList<Component> Components, IReadOnlyList<Wire.Incident> Incidents, IReadOnlyList<Wire.Incident> UnresolvedIncidents, PageStatus Status)
{
    /// <summary>Every listed maintenance, newest window first (scheduled-maintenances.json).</summary>
    public IReadOnlyList<ScheduledMaintenance> Maintenances { get; init; } = [];

    public IReadOnlyList<ScheduledMaintenance> UpcomingMaintenances => [.. Maintenances.Where(m => m.Status == MaintenanceStatus.Scheduled)];

    public IReadOnlyList<ScheduledMaintenance> ActiveMaintenances =>
        [.. Maintenances.Where(m => m.Status is MaintenanceStatus.InProgress or MaintenanceStatus.Verifying)];

    /// <summary>What summary.json lists: upcoming and in progress.</summary>
    public IReadOnlyList<ScheduledMaintenance> OpenMaintenances => [.. Maintenances.Where(m => m.Status != MaintenanceStatus.Completed)];

    // Until Incident.Service has projected the page settings there is no row; the API still answers, with a page
    // named after the product, in UTC, at the address it was asked on.
    private const string DefaultPageId = "statusplatform";
    private const string DefaultPageName = "StatusPlatform";
    private const string DefaultTimeZone = "Etc/UTC";

    /// <param name="snapshot">What the read model holds.</param>
    /// <param name="requestOrigin">scheme://host of the request, the page's url when no page row exists yet.</param>
    public static StatusPageView From(StatusSnapshot snapshot, string requestOrigin)
    {
        var row = snapshot.Page;
        var zone = Timestamps.FindZone(row?.TimeZone ?? DefaultTimeZone);
        DateTimeOffset Local(DateTimeOffset instant) => Timestamps.InZone(instant, zone);

        // Incident.Service touches the page row only when its settings change, but clients watch page.updated_at for any
        // change, so the newest change on the page counts. With no rows at all a constant (the epoch) keeps replicas agreeing.
        var updatedAt = Max(row?.UpdatedAt, snapshot.ContentUpdatedAt) ?? DateTimeOffset.UnixEpoch;
        var page = new Page(row?.Id ?? DefaultPageId, row?.Name ?? DefaultPageName, row?.Url ?? requestOrigin,
            row?.TimeZone ?? DefaultTimeZone, Local(updatedAt));

        var childIds = snapshot.Components.Where(c => c.GroupId is not null).ToLookup(c => c.GroupId!, c => c.Id);
        var components = snapshot.Components.Select(c => new Component(
            c.Id, c.Name, c.Status, Local(c.CreatedAt), Local(c.UpdatedAt), c.Position, c.Description, c.Showcase,
            c.StartDate, c.GroupId, page.Id, c.IsGroup, c.OnlyShowIfDegraded, c.IsGroup ? childIds[c.Id].ToList() : null))
            .ToList();

        var updatesByIncident = snapshot.Updates.ToLookup(u => u.IncidentId);
        var componentIdsByIncident = snapshot.IncidentComponents.ToLookup(ic => ic.IncidentId, ic => ic.ComponentId);
        var pageUrl = page.Url.TrimEnd('/');

        var incidents = snapshot.Incidents.Select(i =>
        {
            var attached = componentIdsByIncident[i.Id].ToHashSet();
            return new Wire.Incident(
                i.Id, i.Name, i.Status, Local(i.CreatedAt), Local(i.UpdatedAt),
                i.MonitoringAt is { } monitoringAt ? Local(monitoringAt) : null,
                i.ResolvedAt is { } resolvedAt ? Local(resolvedAt) : null,
                i.Impact,
                // Clients treat shortlink as a URL that is always there; the incident's own page is the honest stand-in.
                i.Shortlink ?? $"{pageUrl}/incidents/{Uri.EscapeDataString(i.Id)}",
                Local(i.StartedAt), page.Id,
                updatesByIncident[i.Id].Select(u => new IncidentUpdate(
                    u.Id, u.Status, u.Body, u.IncidentId, Local(u.CreatedAt), Local(u.UpdatedAt), Local(u.DisplayAt),
                    AffectedComponents(u.AffectedComponentsJson), u.DeliverNotifications, CustomTweet: null, TweetId: null)).ToList(),
                // Page order, not link order; a link to a component that no longer exists has no object to show.
                components.Where(c => attached.Contains(c.Id)).ToList());
        }).ToList();
        var unresolved = snapshot.Incidents.Zip(incidents).Where(pair => pair.First.IsUnresolved).Select(pair => pair.Second).ToList();

        var status = PageStatus.From(
            snapshot.Components.Where(c => !c.IsGroup).Select(c => c.Status).ToList(),
            snapshot.Incidents.Where(i => i.IsUnresolved).Select(i => i.Impact));

        var maintenanceUpdates = snapshot.MaintenanceUpdates.ToLookup(u => u.MaintenanceId);
        var componentIdsByMaintenance = snapshot.MaintenanceComponents.ToLookup(mc => mc.MaintenanceId, mc => mc.ComponentId);
        var maintenances = snapshot.Maintenances.Select(m =>
        {
            var attached = componentIdsByMaintenance[m.Id].ToHashSet();
            return new ScheduledMaintenance(m.Id, m.Name, m.WireStatus, Local(m.CreatedAt), Local(m.UpdatedAt), MonitoringAt: null,
                m.ResolvedAt is { } resolvedAt ? Local(resolvedAt) : null, m.Impact, m.Shortlink ?? $"{pageUrl}/incidents/{Uri.EscapeDataString(m.Id)}",
                Local(m.StartedAt ?? m.ScheduledFor), page.Id,
                maintenanceUpdates[m.Id].Select(u => new IncidentUpdate(u.Id, u.Status, u.Body, u.MaintenanceId, Local(u.CreatedAt), Local(u.CreatedAt),
                    Local(u.DisplayAt), AffectedComponents: null, u.DeliverNotifications, CustomTweet: null, TweetId: null)).ToList(),
                components.Where(c => attached.Contains(c.Id)).ToList(), Local(m.ScheduledFor), Local(m.ScheduledUntil));
        }).ToList();

        return new StatusPageView(page, components, [.. incidents.Take(StatusReadModel.RecentIncidentLimit)], unresolved, status)
        {
            Maintenances = [.. maintenances.Take(StatusReadModel.RecentIncidentLimit)],
        };
    }

    // jsonb keeps keys in its own order (shortest first), so the column is parsed and written again in wire order.
    private static List<AffectedComponent>? AffectedComponents(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, StatusPageJsonContext.Default.ListAffectedComponent);

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a > b || b is null ? a : b;
}
