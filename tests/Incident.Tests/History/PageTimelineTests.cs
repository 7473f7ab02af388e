using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.History.TimeTravel;

namespace StatusPlatform.Incident.Tests.History;

/// <summary>The pure time-travel fold over <see cref="RecordedHistory"/>, as stored events with known recording times.</summary>
public sealed class PageTimelineTests
{
    private static readonly List<StoredEvent> Feed = Stored();

    private static List<StoredEvent> Stored()
    {
        var versions = new Dictionary<string, long>();
        return [.. RecordedHistory.Appends.Select((a, i) =>
        {
            versions[a.Stream] = versions.GetValueOrDefault(a.Stream) + 1;
            return new StoredEvent(i + 1, Guid.NewGuid(), a.Stream, versions[a.Stream], "test", 1, a.Event, EventMetadata.Empty, RecordedHistory.At(a.Hour), i + 1);
        })];
    }

    private static string Components(PageAt page) => string.Join(", ", page.Components.Select(c => $"{c.ComponentId}={c.Status}"));

    [Fact]
    public void The_page_at_a_moment_has_the_statuses_incidents_and_indicator_of_that_moment()
    {
        var before = PageTimeline.At(Feed, RecordedHistory.At(10.5));
        Assert.Equal("backend=operational, db=operational, web=operational", Components(before));
        Assert.Equal(("none", "All Systems Operational"), (before.Indicator, before.Description));
        Assert.Empty(before.UnresolvedIncidents);

        var down = PageTimeline.At(Feed, RecordedHistory.At(11.5));
        Assert.Equal("backend=operational, db=operational, web=major_outage", Components(down));
        var incident = Assert.Single(down.UnresolvedIncidents);
        Assert.Equal(("i1", "investigating", "major", RecordedHistory.At(11)), (incident.IncidentId, incident.Status, incident.Impact, incident.OpenedAt));
        Assert.Equal([new AffectedComponent("web", "Website", "major_outage")], incident.Components);
        Assert.Equal(("major", "Partial System Outage"), (down.Indicator, down.Description));

        // The incident's critical impact speaks louder than the components.
        var critical = PageTimeline.At(Feed, RecordedHistory.At(12));
        Assert.Equal(("critical", "Major Service Outage"), (critical.Indicator, critical.Description));

        var partial = PageTimeline.At(Feed, RecordedHistory.At(13.5));
        Assert.Equal("backend=partial_outage, db=partial_outage, web=major_outage", Components(partial)); // the group shows its worst child
    }

    [Fact]
    public void Removed_components_and_resolved_incidents_are_gone_and_a_change_recorded_before_its_predecessor_waits_for_it()
    {
        var page = PageTimeline.At(Feed, RecordedHistory.At(15));
        // web's 14:30 change follows the 15:30 one in its stream: at 15:00 it is not applied (there was no such state).
        Assert.Equal("backend=operational, web=operational", Components(page));
        Assert.Empty(page.UnresolvedIncidents);
        Assert.Equal("none", page.Indicator);

        Assert.Equal("backend=operational, web=partial_outage", Components(PageTimeline.At(Feed, RecordedHistory.At(16))));
    }

    [Fact]
    public void The_changes_between_two_moments_come_in_order_with_old_and_new_status()
    {
        var (items, truncated) = PageTimeline.Changes(Feed, RecordedHistory.At(11.5), RecordedHistory.At(14), 100);
        Assert.False(truncated);
        Assert.Equal([
            (12.0, PageChangeKind.IncidentUpdated, "i1", "investigating", "identified"),
            (12.0, PageChangeKind.PageStatusChanged, "p1", "major", "critical"),
            (13.0, PageChangeKind.ComponentStatusChanged, "backend", "operational", "partial_outage"),
            (13.0, PageChangeKind.ComponentStatusChanged, "db", "operational", "partial_outage"),
            (14.0, PageChangeKind.ComponentStatusChanged, "web", "major_outage", "operational"),
            (14.0, PageChangeKind.IncidentResolved, "i1", "identified", "resolved"),
            (14.0, PageChangeKind.PageStatusChanged, "p1", "critical", "minor"),
        ], items.Select(c => ((c.At - RecordedHistory.At(0)).TotalHours, c.Kind, c.SubjectId, c.OldStatus!, c.NewStatus!)));
        Assert.Equal("Found it.", items[0].Body);

        var removed = PageTimeline.Changes(Feed, RecordedHistory.At(14), RecordedHistory.At(15), 100).Items;
        Assert.Contains(removed, c => c is { Kind: PageChangeKind.ComponentRemoved, SubjectId: "db", OldStatus: "partial_outage" });
    }

    [Fact]
    public void A_long_answer_stops_between_moments_so_that_asking_again_from_the_last_one_misses_nothing()
    {
        var (first, truncated) = PageTimeline.Changes(Feed, RecordedHistory.At(11.5), RecordedHistory.At(14), 1);
        Assert.True(truncated);
        Assert.Equal(2, first.Count); // both changes of 12:00, not one of them
        var rest = PageTimeline.Changes(Feed, first[^1].At, RecordedHistory.At(14), 100).Items;
        Assert.Equal(7, first.Count + rest.Count);
        Assert.Throws<ArgumentException>(() => PageTimeline.Changes(Feed, RecordedHistory.At(14), RecordedHistory.At(12), 100));
    }
}
