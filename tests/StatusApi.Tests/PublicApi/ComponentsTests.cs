using System.Text.Json;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

public sealed class ComponentsTests(PageWithGroupAndOpenIncident page) : IClassFixture<PageWithGroupAndOpenIncident>
{
    [Fact]
    public async Task Components_interleave_top_level_and_grouped_entries_by_position_top_level_first_on_a_tie()
    {
        var components = (await page.GetJsonAsync("/api/v2/components.json")).GetProperty("components");

        Assert.Equal(["website", "api", "backend", "db", "cdn"], components.EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal([1, 1, 2, 2, 3], components.EnumerateArray().Select(c => c.GetProperty("position").GetInt32()));
    }

    [Fact]
    public async Task A_group_lists_its_children_by_id_and_each_child_names_its_group()
    {
        var components = ById((await page.GetJsonAsync("/api/v2/components.json")).GetProperty("components"));

        var backend = components["backend"];
        Assert.True(backend.GetProperty("group").GetBoolean());
        Assert.Equal(JsonValueKind.Null, backend.GetProperty("group_id").ValueKind);
        Assert.Equal("partial_outage", backend.GetProperty("status").GetString());
        Assert.Equal(["api", "db"], backend.GetProperty("components").EnumerateArray().Select(id => id.GetString()));
        Assert.Equal("backend", components["api"].GetProperty("group_id").GetString());
        Assert.Equal("backend", components["db"].GetProperty("group_id").GetString());
        Assert.False(components["api"].GetProperty("group").GetBoolean());
        Assert.False(components["website"].TryGetProperty("components", out _));
    }

    [Fact]
    public async Task A_component_carries_the_page_id_its_flags_and_its_start_date_as_a_plain_date()
    {
        var components = ById((await page.GetJsonAsync("/api/v2/components.json")).GetProperty("components"));

        var website = components["website"];
        Assert.Equal("Website", website.GetProperty("name").GetString());
        Assert.Equal("operational", website.GetProperty("status").GetString());
        Assert.Equal("Public site", website.GetProperty("description").GetString());
        Assert.Equal("2019-01-15", website.GetProperty("start_date").GetString());
        Assert.Equal(PageWithGroupAndOpenIncident.PageId, website.GetProperty("page_id").GetString());
        Assert.True(website.GetProperty("showcase").GetBoolean());
        Assert.False(website.GetProperty("only_show_if_degraded").GetBoolean());
        Assert.False(components["cdn"].GetProperty("showcase").GetBoolean());
        Assert.True(components["cdn"].GetProperty("only_show_if_degraded").GetBoolean());
    }

    [Fact]
    public async Task Timestamps_are_in_the_page_zone_with_its_daylight_saving_offset_and_exactly_three_fraction_digits()
    {
        var response = await page.GetJsonAsync("/api/v2/components.json");
        var website = ById(response.GetProperty("components"))["website"];

        Assert.Equal("2019-06-24T06:07:14.473-07:00", website.GetProperty("created_at").GetString()); // summer: PDT
        Assert.Equal("2019-12-24T10:00:00.123-08:00", website.GetProperty("updated_at").GetString()); // winter: PST
        Assert.Equal("America/Tijuana", response.GetProperty("page").GetProperty("time_zone").GetString());
    }

    [Fact]
    public async Task The_page_names_itself_and_is_as_new_as_the_latest_change_on_it()
    {
        var pageObject = (await page.GetJsonAsync("/api/v2/components.json")).GetProperty("page");

        Assert.Equal(PageWithGroupAndOpenIncident.PageId, pageObject.GetProperty("id").GetString());
        Assert.Equal("Example", pageObject.GetProperty("name").GetString());
        Assert.Equal(PageWithGroupAndOpenIncident.PageUrl, pageObject.GetProperty("url").GetString());
        // The page row says 2024-01-01; the resolved incident changed on 2024-01-05T00:00Z.
        Assert.Equal("2024-01-04T16:00:00.000-08:00", pageObject.GetProperty("updated_at").GetString());
    }

    private static Dictionary<string, JsonElement> ById(JsonElement components) =>
        components.EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
}
