namespace StatusPlatform.StatusApi.Tests.PublicApi;

/// <summary>incidents.json: the most recent incidents of any status, in the shape of unresolved.json.</summary>
public sealed class IncidentsTests(PageWithGroupAndOpenIncident page) : IClassFixture<PageWithGroupAndOpenIncident>
{
    [Fact]
    public async Task Incidents_of_every_status_are_listed_newest_first()
    {
        var incidents = (await page.GetJsonAsync("/api/v2/incidents.json")).GetProperty("incidents");

        Assert.Equal(["inc-resolved", "inc-new", "inc-old", "inc-postmortem"], incidents.EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(["resolved", "monitoring", "investigating", "postmortem"], incidents.EnumerateArray().Select(i => i.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_resolved_incident_carries_its_resolution_time_updates_and_components()
    {
        var resolved = (await page.GetJsonAsync("/api/v2/incidents.json")).GetProperty("incidents")[0];

        Assert.Equal("2024-01-03T03:00:00.000-08:00", resolved.GetProperty("resolved_at").GetString());
        Assert.Equal("upd-resolved-1", Assert.Single(resolved.GetProperty("incident_updates").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal("website", Assert.Single(resolved.GetProperty("components").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task An_unresolved_incident_is_the_same_object_in_incidents_and_in_unresolved()
    {
        var all = (await page.GetJsonAsync("/api/v2/incidents.json")).GetProperty("incidents");
        var unresolved = (await page.GetJsonAsync("/api/v2/incidents/unresolved.json")).GetProperty("incidents");

        Assert.Equal(unresolved[0].GetRawText(), all[1].GetRawText());
        Assert.Equal(unresolved[1].GetRawText(), all[2].GetRawText());
    }
}

public sealed class ManyIncidentsTests(PageWithSixtyResolvedIncidentsAndAnOldOpenOne page) : IClassFixture<PageWithSixtyResolvedIncidentsAndAnOldOpenOne>
{
    [Fact]
    public async Task Incidents_lists_the_fifty_most_recent_newest_first_each_with_its_updates()
    {
        var incidents = (await page.GetJsonAsync("/api/v2/incidents.json")).GetProperty("incidents");

        Assert.Equal(Enumerable.Range(11, 50).Reverse().Select(Id), incidents.EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.All(incidents.EnumerateArray(), i => Assert.Single(i.GetProperty("incident_updates").EnumerateArray()));
    }

    [Theory]
    [InlineData("/api/v2/incidents/unresolved.json")]
    [InlineData("/api/v2/summary.json")]
    public async Task An_open_incident_older_than_the_fifty_is_still_unresolved_and_sets_the_page_status(string path)
    {
        var response = await page.GetJsonAsync(path);

        var open = Assert.Single(response.GetProperty("incidents").EnumerateArray());
        Assert.Equal("old-open", open.GetProperty("id").GetString());
        Assert.Single(open.GetProperty("incident_updates").EnumerateArray());
        if (response.TryGetProperty("status", out var status))
            Assert.Equal("minor", status.GetProperty("indicator").GetString());
    }

    private static string Id(int day) => $"inc-{day:00}";
}

/// <summary>Resolved incidents inc-01 … inc-60, one a day, and an incident still open from before all of them.</summary>
public sealed class PageWithSixtyResolvedIncidentsAndAnOldOpenOne : StatusApiHost
{
    protected override async Task SeedAsync(ReadModelRows rows)
    {
        await rows.PageAsync("manyincidents", "Many", "https://status.example.test", "Etc/UTC", updatedAt: "2024-01-01T00:00:00Z");
        await rows.ComponentAsync("web", "Web", "operational", position: 1);
        await rows.IncidentAsync("old-open", "Still open", "identified", "minor", createdAt: "2023-06-01T00:00:00Z", componentIds: ["web"]);
        await rows.IncidentUpdateAsync("old-open-1", "old-open", "identified", "Known issue.", createdAt: "2023-06-01T00:00:00Z");
        var start = ReadModelRows.At("2024-01-01T00:00:00Z");
        for (var day = 1; day <= 60; day++)
        {
            var at = start.AddDays(day).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            var id = $"inc-{day:00}";
            await rows.IncidentAsync(id, $"Outage {day}", "resolved", "major", createdAt: at, resolvedAt: at, componentIds: ["web"]);
            await rows.IncidentUpdateAsync($"{id}-1", id, "resolved", "Fixed.", createdAt: at);
        }
    }
}
