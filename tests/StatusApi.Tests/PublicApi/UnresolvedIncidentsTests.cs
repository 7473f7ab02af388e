using System.Text.Json;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

public sealed class UnresolvedIncidentsTests(PageWithGroupAndOpenIncident page) : IClassFixture<PageWithGroupAndOpenIncident>
{
    [Theory]
    [InlineData("/api/v2/incidents/unresolved.json")]
    [InlineData("/api/v2/summary.json")]
    public async Task Only_unresolved_incidents_are_listed_newest_first(string path)
    {
        var incidents = (await page.GetJsonAsync(path)).GetProperty("incidents");

        Assert.Equal(["inc-new", "inc-old"], incidents.EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Updates_are_listed_newest_first_by_the_time_readers_see()
    {
        var incident = await IncidentAsync("inc-new");

        // upd-new-3 was written last but back-dated to 10:30, between the other two.
        Assert.Equal(["upd-new-2", "upd-new-3", "upd-new-1"],
            incident.GetProperty("incident_updates").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
        var backDated = incident.GetProperty("incident_updates")[1];
        Assert.Equal("2024-01-02T04:00:00.000-08:00", backDated.GetProperty("created_at").GetString());
        Assert.Equal("2024-01-02T02:30:00.000-08:00", backDated.GetProperty("display_at").GetString());
        Assert.Equal("Found it.<br />Fixing.", backDated.GetProperty("body").GetString());
        Assert.Equal("inc-new", backDated.GetProperty("incident_id").GetString());
        Assert.Equal("identified", backDated.GetProperty("status").GetString());
        Assert.True(backDated.GetProperty("deliver_notifications").GetBoolean());
    }

    [Fact]
    public async Task An_update_that_changed_components_lists_each_change_and_one_that_did_not_says_null()
    {
        var updates = (await IncidentAsync("inc-new")).GetProperty("incident_updates");

        var change = Assert.Single(updates[2].GetProperty("affected_components").EnumerateArray());
        Assert.Equal("api", change.GetProperty("code").GetString());
        Assert.Equal("API", change.GetProperty("name").GetString());
        Assert.Equal("operational", change.GetProperty("old_status").GetString());
        Assert.Equal("partial_outage", change.GetProperty("new_status").GetString());
        Assert.Equal(JsonValueKind.Null, updates[0].GetProperty("affected_components").ValueKind);
    }

    [Fact]
    public async Task An_incident_carries_its_components_as_full_objects_in_page_order()
    {
        var components = (await IncidentAsync("inc-new")).GetProperty("components");

        Assert.Equal(["api", "db"], components.EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal("partial_outage", components[0].GetProperty("status").GetString());
        Assert.Equal("backend", components[0].GetProperty("group_id").GetString());
        Assert.Equal(PageWithGroupAndOpenIncident.PageId, components[0].GetProperty("page_id").GetString());
    }

    [Fact]
    public async Task An_incident_carries_its_times_in_the_page_zone_its_impact_and_the_page_id()
    {
        var incident = await IncidentAsync("inc-new");

        Assert.Equal("API errors", incident.GetProperty("name").GetString());
        Assert.Equal("monitoring", incident.GetProperty("status").GetString());
        Assert.Equal("major", incident.GetProperty("impact").GetString());
        Assert.Equal("2024-01-02T02:00:00.000-08:00", incident.GetProperty("created_at").GetString());
        Assert.Equal("2024-01-02T04:00:00.000-08:00", incident.GetProperty("updated_at").GetString());
        Assert.Equal("2024-01-02T03:00:00.000-08:00", incident.GetProperty("monitoring_at").GetString());
        Assert.Equal("2024-01-02T02:00:00.000-08:00", incident.GetProperty("started_at").GetString());
        Assert.Equal(PageWithGroupAndOpenIncident.PageId, incident.GetProperty("page_id").GetString());
        Assert.Equal("https://stspg.io/abc123", incident.GetProperty("shortlink").GetString());
    }

    [Fact]
    public async Task An_incident_without_a_shortlink_links_to_its_page_on_the_status_site()
    {
        var incident = await IncidentAsync("inc-old");

        Assert.Equal($"{PageWithGroupAndOpenIncident.PageUrl}/incidents/inc-old", incident.GetProperty("shortlink").GetString());
    }

    private async Task<JsonElement> IncidentAsync(string id) =>
        (await page.GetJsonAsync("/api/v2/incidents/unresolved.json")).GetProperty("incidents").EnumerateArray()
            .Single(i => i.GetProperty("id").GetString() == id);
}
