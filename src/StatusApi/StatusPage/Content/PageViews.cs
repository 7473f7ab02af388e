using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.PublicApi;
using StatusPlatform.StatusApi.StatusPage.Live;
using StatusPlatform.Incident.History.Uptime;

namespace StatusPlatform.StatusApi.StatusPage.Content;

/// <summary>Builds the page models from one <see cref="LiveState"/>: pure functions of the state, the language and now.</summary>
public static class PageViews
{
    private const string DefaultPageName = "StatusPlatform";
    private static readonly TimeSpan PastIncidentWindow = TimeSpan.FromDays(7);

    public static PageFrame Frame(LiveState state, Texts texts, bool langExplicit, string pathAndQuery, StatusPageOptions options)
    {
        var page = state.Page?.State.Snapshot.Page;
        return new PageFrame(texts, langExplicit, pathAndQuery, page?.Name ?? DefaultPageName, Timestamps.FindZone(page?.TimeZone ?? "Etc/UTC"),
            options.LogoUrl, state.Version, state.Page is { IsStale: true } stale ? stale.RefreshedAt : null, Live: true);
    }

    /// <summary>The page's indicator and description, by the same rule as status.json.</summary>
    public static PageStatus Status(StatusSnapshot snapshot) => PageStatus.From(
        snapshot.Components.Where(c => !c.IsGroup).Select(c => c.Status).ToList(),
        snapshot.Incidents.Where(i => i.IsUnresolved).Select(i => i.Impact));

    public static HomeModel Home(LiveState state, PageFrame frame, int uptimeDays, DateTimeOffset now)
    {
        var snapshot = state.Page!.State.Snapshot;
        var incidents = Incidents(snapshot);
        var maintenances = state.Extras.Maintenances.Select(m => Maintenance(m, snapshot)).ToList();
        return new HomeModel(
            frame, Status(snapshot), Components(snapshot, state.Extras), [.. incidents.Where(i => i.IsUnresolved)],
            [.. maintenances.Where(m => m.Status is MaintenanceStatus.InProgress or MaintenanceStatus.Verifying)],
            [.. maintenances.Where(m => m.Status == MaintenanceStatus.Scheduled && m.ScheduledUntil > now)],
            [.. incidents.Where(i => !i.IsUnresolved && (i.ResolvedAt ?? i.StartedAt) > now - PastIncidentWindow)],
            uptimeDays);
    }

    public static SorryModel Sorry(LiveState state, PageFrame frame, ComponentRow? component)
    {
        var snapshot = state.Page!.State.Snapshot;
        // A group stands for its children: a site that depends on "Backend" is hit by an incident on the database in it.
        var ids = component is null ? null
            : snapshot.Components.Where(c => c.Id == component.Id || c.GroupId == component.Id).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var linked = snapshot.IncidentComponents.ToLookup(l => l.IncidentId, l => l.ComponentId);
        var incidents = Incidents(snapshot).Where(i => i.IsUnresolved && (ids is null || linked[i.Id].Any(ids.Contains))).ToList();
        var maintenances = state.Extras.Maintenances
            .Where(m => m.IsActive && (ids is null || m.ComponentIds.Any(ids.Contains)))
            .Select(m => Maintenance(m, snapshot)).ToList();
        var status = ids is null ? Status(snapshot)
            : PageStatus.From([.. snapshot.Components.Where(c => ids.Contains(c.Id) && !c.IsGroup).Select(c => c.Status)], incidents.Select(i => i.Impact));
        return new SorryModel(frame, component?.Name, status, incidents, maintenances);
    }

    /// <summary>The incidents of the snapshot (every unresolved one and the newest of any status), newest first.</summary>
    public static List<IncidentView> Incidents(StatusSnapshot snapshot)
    {
        var names = snapshot.Components.ToDictionary(c => c.Id, c => c.Name, StringComparer.Ordinal);
        var updates = snapshot.Updates.ToLookup(u => u.IncidentId);
        var linked = snapshot.IncidentComponents.ToLookup(l => l.IncidentId, l => l.ComponentId);
        return [.. snapshot.Incidents.Select(i => new IncidentView(
            i.Id, i.Name, i.Status, i.Impact, i.StartedAt, i.ResolvedAt,
            [.. linked[i.Id].Select(id => names.GetValueOrDefault(id)).OfType<string>().Order(StringComparer.Ordinal)],
            [.. updates[i.Id].Select(u => new UpdateView(u.Status, SafeMarkdown.ToHtml(u.Body), u.DisplayAt))],
            PostmortemHtml: null))];
    }

    public static MaintenanceView Maintenance(MaintenanceRow m, StatusSnapshot snapshot)
    {
        var names = snapshot.Components.ToDictionary(c => c.Id, c => c.Name, StringComparer.Ordinal);
        return new MaintenanceView(m.Id, m.Name, m.Status, m.ScheduledFor, m.ScheduledUntil,
            [.. m.ComponentIds.Select(id => names.GetValueOrDefault(id)).OfType<string>()],
            [.. m.Updates.Select(u => new UpdateView(u.Status, SafeMarkdown.ToHtml(u.Body), u.DisplayAt))]);
    }

    /// <summary>
    /// Top-level components and groups in page order, each group with its children; a component that asks to be shown
    /// only when degraded is left out while operational, and so is a group with nothing left to show.
    /// </summary>
    public static List<ComponentView> Components(StatusSnapshot snapshot, PageExtras extras)
    {
        var zone = Timestamps.FindZone(snapshot.Page?.TimeZone ?? "Etc/UTC");
        var children = snapshot.Components.Where(c => c.GroupId is not null).ToLookup(c => c.GroupId!);
        var groupIds = snapshot.Components.Where(c => c.IsGroup).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);

        ComponentView? View(ComponentRow c)
        {
            if (c.IsGroup)
            {
                var kids = children[c.Id].Select(View).OfType<ComponentView>().ToList();
                return kids.Count == 0 ? null : new ComponentView(c.Id, c.Name, c.Status, c.Description, true, kids, null);
            }
            if (c.OnlyShowIfDegraded && c.Status == ComponentStatus.Operational)
                return null;
            return new ComponentView(c.Id, c.Name, c.Status, c.Description, false, [], c.Showcase ? Uptime(c.Id, extras, zone) : null);
        }

        // A child whose group is gone is shown at the top level rather than lost.
        return [.. snapshot.Components.Where(c => c.GroupId is null || !groupIds.Contains(c.GroupId)).Select(View).OfType<ComponentView>()];
    }

    private static UptimeView? Uptime(string componentId, PageExtras extras, TimeZoneInfo zone)
    {
        if (extras.FirstDay == DateOnly.MinValue)
            return null;
        var report = extras.Uptime.GetValueOrDefault(componentId);
        var spans = extras.RecentIncidents.Where(i => i.ComponentIds.Contains(componentId, StringComparer.Ordinal)).ToList();
        var days = new List<UptimeDay>();
        var index = 0;
        for (var day = extras.FirstDay; day <= extras.LastDay; day = day.AddDays(1), index++)
        {
            var daily = report?.Days.ElementAtOrDefault(index);
            var start = UptimeCalculator.StartOfDay(day, zone);
            var end = UptimeCalculator.StartOfDay(day.AddDays(1), zone);
            var that = spans.Where(s => s.StartedAt < end && (s.ResolvedAt ?? DateTimeOffset.MaxValue) >= start).Select(s => s.Name).ToList();
            var level = daily switch
            {
                null => "none",
                { MajorOutage.Ticks: > 0 } => "major",
                { PartialOutage.Ticks: > 0 } => "partial",
                { Maintenance.Ticks: > 0 } => "maintenance",
                { Uptime: null } => "none",
                _ => "ok",
            };
            days.Add(new UptimeDay(day, daily?.Uptime, level, that, UptimeDay.ShownMinutes(daily?.MajorOutage ?? TimeSpan.Zero),
                UptimeDay.ShownMinutes(daily?.PartialOutage ?? TimeSpan.Zero), UptimeDay.ShownMinutes(daily?.Maintenance ?? TimeSpan.Zero)));
        }
        return new UptimeView(report?.Uptime, days);
    }
}
