using System.Text.Json;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

/// <summary>status.json over real rows; each test replaces the whole read model (tests of one class run one at a time).</summary>
public sealed class StatusIndicatorTests(EmptyReadModel readModel) : IClassFixture<EmptyReadModel>
{
    private readonly ReadModelRows _rows = readModel.Rows;

    [Fact]
    public async Task Without_a_page_row_or_components_the_api_answers_for_a_default_utc_page_that_is_all_operational()
    {
        await _rows.ClearAsync();

        var status = await GetJsonAsync("/api/v2/status.json");

        var pageObject = status.GetProperty("page");
        Assert.Equal("statusplatform", pageObject.GetProperty("id").GetString());
        Assert.Equal("StatusPlatform", pageObject.GetProperty("name").GetString());
        Assert.Equal("http://localhost", pageObject.GetProperty("url").GetString());
        Assert.Equal("Etc/UTC", pageObject.GetProperty("time_zone").GetString());
        Assert.Equal("1970-01-01T00:00:00.000Z", pageObject.GetProperty("updated_at").GetString());
        AssertStatus(status, "none", "All Systems Operational");
    }

    [Theory]
    [InlineData("operational", "none", "All Systems Operational")]
    [InlineData("under_maintenance", "maintenance", "Service Under Maintenance")]
    [InlineData("degraded_performance", "minor", "Partially Degraded Service")]
    [InlineData("partial_outage", "major", "Partial System Outage")]
    [InlineData("major_outage", "critical", "Major System Outage")]
    public async Task One_component_sets_the_page_status_by_the_statuspage_rule(string componentStatus, string indicator, string description)
    {
        await UtcPageAsync();
        await _rows.ComponentAsync("only", "Only", componentStatus, position: 1);

        AssertStatus(await GetJsonAsync("/api/v2/status.json"), indicator, description);
    }

    [Fact]
    public async Task Several_components_blend_and_a_group_status_is_not_counted_twice()
    {
        await UtcPageAsync();
        // The group shows its own (stale) major outage; only its children and the top-level component count.
        await _rows.ComponentAsync("group", "Group", "major_outage", position: 1, isGroup: true);
        await _rows.ComponentAsync("a", "A", "degraded_performance", position: 1, groupId: "group");
        await _rows.ComponentAsync("b", "B", "operational", position: 2, groupId: "group");
        await _rows.ComponentAsync("c", "C", "operational", position: 2);

        AssertStatus(await GetJsonAsync("/api/v2/status.json"), "minor", "Partially Degraded Service");
    }

    [Fact]
    public async Task Every_component_in_major_outage_is_a_critical_major_system_outage()
    {
        await UtcPageAsync();
        await _rows.ComponentAsync("a", "A", "major_outage", position: 1);
        await _rows.ComponentAsync("b", "B", "major_outage", position: 2);

        AssertStatus(await GetJsonAsync("/api/v2/summary.json"), "critical", "Major System Outage");
    }

    [Fact]
    public async Task An_unresolved_incident_raises_the_indicator_of_an_operational_page_and_a_resolved_one_does_not()
    {
        await UtcPageAsync();
        await _rows.ComponentAsync("a", "A", "operational", position: 1);
        await _rows.ComponentAsync("b", "B", "operational", position: 2);
        await _rows.IncidentAsync("closed", "Closed", "resolved", "critical", createdAt: "2024-01-01T00:00:00Z", resolvedAt: "2024-01-01T01:00:00Z");
        AssertStatus(await GetJsonAsync("/api/v2/status.json"), "none", "All Systems Operational");

        await _rows.IncidentAsync("open", "Open", "identified", "major", createdAt: "2024-01-02T00:00:00Z");

        AssertStatus(await GetJsonAsync("/api/v2/status.json"), "major", "Partial System Outage");
    }

    [Fact]
    public async Task With_no_components_an_active_incident_still_sets_the_page_status()
    {
        await UtcPageAsync();
        await _rows.IncidentAsync("open", "Open", "investigating", "critical", createdAt: "2024-01-02T00:00:00Z");

        AssertStatus(await GetJsonAsync("/api/v2/status.json"), "critical", "Major Service Outage");
    }

    [Fact]
    public async Task A_utc_page_writes_its_timestamps_with_milliseconds_and_z()
    {
        await UtcPageAsync();
        await _rows.ComponentAsync("a", "A", "operational", position: 1, createdAt: "2024-09-16T21:31:02.7199Z");

        var components = await GetJsonAsync("/api/v2/components.json");

        Assert.Equal("2024-09-16T21:31:02.719Z", components.GetProperty("components")[0].GetProperty("created_at").GetString());
        Assert.Equal("2024-09-16T21:31:02.719Z", components.GetProperty("page").GetProperty("updated_at").GetString());
    }

    // The rows were written behind StatusApi's back, so the test has it read them, as an integration event would.
    private async Task<JsonElement> GetJsonAsync(string path)
    {
        await readModel.RefreshAsync();
        return await readModel.GetJsonAsync(path);
    }

    private async Task UtcPageAsync()
    {
        await _rows.ClearAsync();
        await _rows.PageAsync("utcpage00001", "UTC page", "http://status.example.test", "Etc/UTC", updatedAt: "2024-01-01T00:00:00Z");
    }

    private static void AssertStatus(JsonElement response, string indicator, string description)
    {
        var status = response.GetProperty("status");
        Assert.Equal(indicator, status.GetProperty("indicator").GetString());
        Assert.Equal(description, status.GetProperty("description").GetString());
    }
}
