using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Incidents;

namespace StatusPlatform.Incident.History.TimeTravel;

/// <summary>
/// Time travel as pure functions of the global feed (events in position order): the page as of a moment and the
/// changes between two. A moment counts an event once the store recorded it (recorded_at), which is when the page
/// could first show it.
/// </summary>
public static class PageTimeline
{
    /// <summary>The page from the events recorded at or before <paramref name="at"/>.</summary>
    public static Contracts.PageAt At(IEnumerable<StoredEvent> events, DateTimeOffset at) =>
        events.Where(e => e.RecordedAt <= at).Aggregate(PageState.Empty, (state, e) => state.Apply(e)).View(at);

    /// <summary>
    /// What changed on the page by the events recorded after <paramref name="from"/> up to and including
    /// <paramref name="to"/>, in feed order, at most about <paramref name="maxItems"/>: the answer stops between two
    /// moments, never inside one (events of one transaction share their time), so asking again from the last item's
    /// time misses nothing.
    /// </summary>
    public static (IReadOnlyList<Contracts.PageChange> Items, bool Truncated) Changes(IEnumerable<StoredEvent> events, DateTimeOffset from, DateTimeOffset to, int maxItems)
    {
        if (to < from)
            throw new ArgumentException($"The range ends ({to:O}) before it starts ({from:O}).", nameof(to));
        var state = PageState.Empty;
        var items = new List<Contracts.PageChange>();
        foreach (var e in events.Where(e => e.RecordedAt <= to))
        {
            if (e.RecordedAt > from && items.Count >= maxItems && e.RecordedAt > items[^1].At)
                return (items, true);
            var before = state;
            state = state.Apply(e);
            if (e.RecordedAt > from && !ReferenceEquals(before, state))
                items.AddRange(Diff(before, state, e));
        }
        return (items, false);
    }

    private static IEnumerable<Contracts.PageChange> Diff(PageState before, PageState after, StoredEvent e)
    {
        var at = e.RecordedAt;
        var (was, now) = (before.View(at), after.View(at));
        var wasById = was.Components.ToDictionary(c => c.ComponentId, StringComparer.Ordinal);
        var nowById = now.Components.ToDictionary(c => c.ComponentId, StringComparer.Ordinal);
        foreach (var c in now.Components)
        {
            if (!wasById.TryGetValue(c.ComponentId, out var old))
                yield return new Contracts.PageChange(at, Contracts.PageChangeKind.ComponentAdded, c.ComponentId, c.Name, null, c.Status, null);
            else if (old.Status != c.Status)
                yield return new Contracts.PageChange(at, Contracts.PageChangeKind.ComponentStatusChanged, c.ComponentId, c.Name, old.Status, c.Status, null);
        }
        foreach (var c in was.Components.Where(c => !nowById.ContainsKey(c.ComponentId)))
            yield return new Contracts.PageChange(at, Contracts.PageChangeKind.ComponentRemoved, c.ComponentId, c.Name, c.Status, null, null);

        switch (e.Data)
        {
            case IncidentOpened o:
                yield return new Contracts.PageChange(at, Contracts.PageChangeKind.IncidentOpened, o.IncidentId, o.Name, null, o.Status, o.Body);
                break;
            case IncidentUpdated u:
                yield return new Contracts.PageChange(at, Contracts.PageChangeKind.IncidentUpdated, u.IncidentId, u.Name,
                    before.Incidents.GetValueOrDefault(e.StreamId)?.State.Status, u.Status, u.Body);
                break;
            case IncidentResolved r:
                yield return new Contracts.PageChange(at, Contracts.PageChangeKind.IncidentResolved, r.IncidentId, r.Name,
                    before.Incidents.GetValueOrDefault(e.StreamId)?.State.Status, Contracts.IncidentStatus.Resolved, r.Body);
                break;
        }

        if ((was.Indicator, was.Description) != (now.Indicator, now.Description))
            yield return new Contracts.PageChange(at, Contracts.PageChangeKind.PageStatusChanged, after.Page?.Settings.PageId ?? "page", now.Description, was.Indicator, now.Indicator, null);
    }
}
