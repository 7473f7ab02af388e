using System.Collections.Immutable;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Aggregation;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Incidents;
using StatusPlatform.Incident.Page;
using StatusPlatform.StatusApi.PublicApi;
using IncidentAggregate = StatusPlatform.Incident.Incidents.Incident;

namespace StatusPlatform.Incident.History.TimeTravel;

/// <summary>An incident as the page needs it: the aggregate plus what the aggregate does not keep (impact, opening time).</summary>
public sealed record IncidentOnPage(IncidentAggregate State, string Impact, DateTimeOffset OpenedAt);

/// <summary>
/// The whole page as a fold of the global feed: the page settings, every component and every incident, each folded
/// through its own aggregate's Create/Apply (the same code the decisions use). Other streams are ignored.
/// </summary>
/// <remarks>
/// An event applies only right after its stream's previous version. recorded_at is the appending transaction's
/// start, so a transaction that waited on a stream lock can record version n+1 before version n; cut at a moment in
/// between, version n+1 is left out with the gap, rather than applied to a state that never existed.
/// </remarks>
public sealed record PageState(
    StatusPage? Page,
    ImmutableDictionary<string, Component> Components,
    ImmutableDictionary<string, IncidentOnPage> Incidents,
    ImmutableDictionary<string, long> Versions)
{
    public static readonly PageState Empty = new(null, ImmutableDictionary.Create<string, Component>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, IncidentOnPage>(StringComparer.Ordinal), ImmutableDictionary.Create<string, long>(StringComparer.Ordinal));

    private static readonly string ComponentPrefix = Component.StreamId("");
    private static readonly string IncidentPrefix = IncidentAggregate.StreamId("");

    /// <summary>Whether the event belongs to a stream the page is made of.</summary>
    public static bool Concerns(StoredEvent e) =>
        e.StreamId == StatusPage.StreamId || e.StreamId.StartsWith(ComponentPrefix, StringComparison.Ordinal) || e.StreamId.StartsWith(IncidentPrefix, StringComparison.Ordinal);

    /// <summary>The state after <paramref name="e"/>; this same instance when the event does not apply.</summary>
    public PageState Apply(StoredEvent e)
    {
        if (!Concerns(e) || e.Version != Versions.GetValueOrDefault(e.StreamId) + 1)
            return this;
        var next = this with { Versions = Versions.SetItem(e.StreamId, e.Version) };
        if (e.StreamId == StatusPage.StreamId)
            return next with { Page = AggregateFolder.Fold(Page, e) };
        if (e.StreamId.StartsWith(ComponentPrefix, StringComparison.Ordinal))
            return next with { Components = Components.SetItem(e.StreamId, AggregateFolder.Fold(Components.GetValueOrDefault(e.StreamId), e)) };

        var before = Incidents.GetValueOrDefault(e.StreamId);
        var state = AggregateFolder.Fold(before?.State, e);
        var incident = e.Data switch
        {
            IncidentOpened o => new IncidentOnPage(state, o.Impact, o.OpenedAt),
            IncidentUpdated u => before! with { State = state, Impact = u.Impact },
            _ => before! with { State = state },
        };
        return next with { Incidents = Incidents.SetItem(e.StreamId, incident) };
    }

    /// <summary>The page as StatusApi would have shown it in this state.</summary>
    public Contracts.PageAt View(DateTimeOffset at)
    {
        var present = Components.Values.Where(c => !c.Removed).ToList();
        var components = present
            .Select(c => new Contracts.ComponentAt(c.Id, c.Settings.Name, c.Settings.IsGroup ? WorstChild(present, c.Id) : c.Status, c.Settings.GroupId, c.Settings.IsGroup, c.Settings.Position))
            .OrderBy(c => c.GroupId ?? c.ComponentId, StringComparer.Ordinal).ThenBy(c => c.IsGroup ? 0 : 1).ThenBy(c => c.Position).ThenBy(c => c.ComponentId, StringComparer.Ordinal)
            .ToList();
        var unresolved = Incidents.Values.Where(i => !i.State.IsResolved).OrderBy(i => i.OpenedAt).ThenBy(i => i.State.Id, StringComparer.Ordinal)
            .Select(i => new Contracts.IncidentAt(i.State.Id, i.State.Name, i.State.Status, i.Impact,
                [.. i.State.Components.Select(c => new Contracts.AffectedComponent(c.ComponentId, c.Name, c.NewStatus))], i.OpenedAt))
            .ToList();
        // Groups are left out of the page status, as StatusApi does: their status is their children's.
        var status = PageStatus.From([.. components.Where(c => !c.IsGroup).Select(c => c.Status)], unresolved.Select(i => i.Impact));
        return new Contracts.PageAt(at, status.Indicator, status.Description, components, unresolved);
    }

    // A group shows its worst child, operational without children (ComponentsProjection's rule).
    private static string WorstChild(IEnumerable<Component> components, string groupId) =>
        components.Where(c => c.Settings.GroupId == groupId).Select(c => c.Status).MaxBy(Severity) ?? Contracts.ComponentStatus.Operational;

    private static int Severity(string status) => status switch
    {
        Contracts.ComponentStatus.MajorOutage => 4,
        Contracts.ComponentStatus.PartialOutage => 3,
        Contracts.ComponentStatus.DegradedPerformance => 2,
        Contracts.ComponentStatus.UnderMaintenance => 1,
        _ => 0,
    };
}
