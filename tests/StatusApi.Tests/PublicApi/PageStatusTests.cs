using StatusPlatform.StatusApi.PublicApi;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

/// <summary>The blending table of <see cref="PageStatus.From"/>, without I/O.</summary>
public sealed class PageStatusTests
{
    [Theory]
    // No components.
    [InlineData("", "", "none", "All Systems Operational")]
    // One component: statuspage-api.md 1.4, word for word.
    [InlineData("operational", "", "none", "All Systems Operational")]
    [InlineData("under_maintenance", "", "maintenance", "Service Under Maintenance")]
    [InlineData("degraded_performance", "", "minor", "Partially Degraded Service")]
    [InlineData("partial_outage", "", "major", "Partial System Outage")]
    [InlineData("major_outage", "", "critical", "Major System Outage")]
    // Several components: the worst status decides, "every" or "some" decides how loud.
    [InlineData("operational operational", "", "none", "All Systems Operational")]
    [InlineData("major_outage major_outage", "", "critical", "Major System Outage")]
    [InlineData("major_outage operational", "", "major", "Partial System Outage")]
    [InlineData("major_outage partial_outage degraded_performance", "", "major", "Partial System Outage")]
    [InlineData("partial_outage partial_outage", "", "major", "Partial System Outage")]
    [InlineData("partial_outage operational", "", "minor", "Minor Service Outage")]
    [InlineData("partial_outage degraded_performance", "", "minor", "Minor Service Outage")]
    [InlineData("degraded_performance degraded_performance", "", "minor", "Degraded System Service")]
    [InlineData("degraded_performance operational", "", "minor", "Partially Degraded Service")]
    [InlineData("degraded_performance under_maintenance", "", "minor", "Partially Degraded Service")]
    [InlineData("under_maintenance under_maintenance", "", "maintenance", "Service Under Maintenance")]
    [InlineData("under_maintenance operational", "", "maintenance", "Service Under Maintenance")]
    // Unknown values count as operational, so a status added later cannot break the page.
    [InlineData("something_new operational", "", "none", "All Systems Operational")]
    [InlineData("something_new major_outage", "", "major", "Partial System Outage")]
    public void Component_statuses_blend_into_the_page_status(string components, string impacts, string indicator, string description) =>
        Assert.Equal(new PageStatus(indicator, description), PageStatus.From(Split(components), Split(impacts)));

    [Theory]
    [InlineData("", "none", "none", "All Systems Operational")]
    [InlineData("", "minor", "minor", "Minor Service Outage")]
    [InlineData("", "major", "major", "Partial System Outage")]
    [InlineData("", "critical", "critical", "Major Service Outage")]
    [InlineData("operational operational", "minor major", "major", "Partial System Outage")]
    [InlineData("under_maintenance operational", "minor", "minor", "Minor Service Outage")]
    [InlineData("operational", "none", "none", "All Systems Operational")]
    [InlineData("operational", "maintenance", "none", "All Systems Operational")]
    public void An_unresolved_incident_raises_the_indicator_to_its_impact(string components, string impacts, string indicator, string description) =>
        Assert.Equal(new PageStatus(indicator, description), PageStatus.From(Split(components), Split(impacts)));

    [Theory]
    // An incident no louder than the components leaves their description, which says more.
    [InlineData("major_outage major_outage", "major", "critical", "Major System Outage")]
    [InlineData("partial_outage partial_outage", "major", "major", "Partial System Outage")]
    [InlineData("degraded_performance degraded_performance", "minor", "minor", "Degraded System Service")]
    [InlineData("major_outage operational", "critical", "critical", "Major Service Outage")]
    public void Components_keep_their_description_unless_an_incident_is_louder(string components, string impacts, string indicator, string description) =>
        Assert.Equal(new PageStatus(indicator, description), PageStatus.From(Split(components), Split(impacts)));

    private static string[] Split(string values) => values.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
