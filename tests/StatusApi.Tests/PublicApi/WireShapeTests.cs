using System.Text.Json;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

/// <summary>Every object on every v2 endpoint has exactly the Statuspage keys, in the Statuspage order (statuspage-api.md 1.2).</summary>
public sealed class WireShapeTests(PageWithGroupAndOpenIncident page) : IClassFixture<PageWithGroupAndOpenIncident>
{
    private static readonly string[] PageKeys = ["id", "name", "url", "time_zone", "updated_at"];
    private static readonly string[] StatusKeys = ["indicator", "description"];
    private static readonly string[] ComponentKeys =
    [
        "id", "name", "status", "created_at", "updated_at", "position", "description", "showcase", "start_date", "group_id",
        "page_id", "group", "only_show_if_degraded",
    ];
    private static readonly string[] GroupKeys = [.. ComponentKeys, "components"];
    private static readonly string[] IncidentKeys =
    [
        "id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact", "shortlink", "started_at",
        "page_id", "incident_updates", "components",
    ];
    private static readonly string[] UpdateKeys =
    [
        "id", "status", "body", "incident_id", "created_at", "updated_at", "display_at", "affected_components",
        "deliver_notifications", "custom_tweet", "tweet_id",
    ];
    private static readonly string[] AffectedComponentKeys = ["code", "name", "old_status", "new_status"];

    [Fact]
    public async Task Summary_has_page_components_incidents_scheduled_maintenances_and_status_in_that_order()
    {
        var summary = await page.GetJsonAsync("/api/v2/summary.json");

        Assert.Equal(["page", "components", "incidents", "scheduled_maintenances", "status"], Keys(summary));
        AssertPage(summary.GetProperty("page"));
        AssertComponents(summary.GetProperty("components"));
        AssertIncidents(summary.GetProperty("incidents"));
        Assert.Equal(JsonValueKind.Array, summary.GetProperty("scheduled_maintenances").ValueKind);
        Assert.Empty(summary.GetProperty("scheduled_maintenances").EnumerateArray());
        Assert.Equal(StatusKeys, Keys(summary.GetProperty("status")));
    }

    [Fact]
    public async Task Status_has_page_then_status()
    {
        var status = await page.GetJsonAsync("/api/v2/status.json");

        Assert.Equal(["page", "status"], Keys(status));
        AssertPage(status.GetProperty("page"));
        Assert.Equal(StatusKeys, Keys(status.GetProperty("status")));
    }

    [Fact]
    public async Task Components_has_page_then_components_with_the_components_key_only_on_groups()
    {
        var components = await page.GetJsonAsync("/api/v2/components.json");

        Assert.Equal(["page", "components"], Keys(components));
        AssertPage(components.GetProperty("page"));
        AssertComponents(components.GetProperty("components"));
    }

    [Fact]
    public async Task Unresolved_incidents_has_page_then_incidents_with_updates_and_full_components()
    {
        var unresolved = await page.GetJsonAsync("/api/v2/incidents/unresolved.json");

        Assert.Equal(["page", "incidents"], Keys(unresolved));
        AssertPage(unresolved.GetProperty("page"));
        AssertIncidents(unresolved.GetProperty("incidents"));
    }

    [Fact]
    public async Task Incidents_has_page_then_incidents_of_every_status_in_the_unresolved_shape()
    {
        var incidents = await page.GetJsonAsync("/api/v2/incidents.json");

        Assert.Equal(["page", "incidents"], Keys(incidents));
        AssertPage(incidents.GetProperty("page"));
        AssertIncidents(incidents.GetProperty("incidents"));
    }

    [Theory]
    [InlineData("/api/v2/scheduled-maintenances.json")]
    [InlineData("/api/v2/scheduled-maintenances/upcoming.json")]
    [InlineData("/api/v2/scheduled-maintenances/active.json")]
    public async Task Scheduled_maintenances_have_page_then_an_empty_list_until_maintenances_exist(string path)
    {
        var maintenances = await page.GetJsonAsync(path);

        Assert.Equal(["page", "scheduled_maintenances"], Keys(maintenances));
        AssertPage(maintenances.GetProperty("page"));
        Assert.Equal(PageWithGroupAndOpenIncident.PageId, maintenances.GetProperty("page").GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Array, maintenances.GetProperty("scheduled_maintenances").ValueKind);
        Assert.Empty(maintenances.GetProperty("scheduled_maintenances").EnumerateArray());
    }

    [Fact]
    public async Task Nullable_fields_are_sent_as_null_not_left_out()
    {
        var summary = await page.GetJsonAsync("/api/v2/summary.json");

        var backend = summary.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "backend");
        Assert.Equal(JsonValueKind.Null, backend.GetProperty("description").ValueKind);
        Assert.Equal(JsonValueKind.Null, backend.GetProperty("start_date").ValueKind);
        Assert.Equal(JsonValueKind.Null, backend.GetProperty("group_id").ValueKind);
        var old = summary.GetProperty("incidents").EnumerateArray().Single(i => i.GetProperty("id").GetString() == "inc-old");
        Assert.Equal(JsonValueKind.Null, old.GetProperty("monitoring_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, old.GetProperty("resolved_at").ValueKind);
        var update = old.GetProperty("incident_updates")[0];
        Assert.Equal(JsonValueKind.Null, update.GetProperty("affected_components").ValueKind);
        Assert.Equal(JsonValueKind.Null, update.GetProperty("custom_tweet").ValueKind);
        Assert.Equal(JsonValueKind.Null, update.GetProperty("tweet_id").ValueKind);
    }

    private static void AssertPage(JsonElement pageObject) => Assert.Equal(PageKeys, Keys(pageObject));

    /// <summary>Also requires a group among them, so the group-only key is checked wherever a group can appear.</summary>
    private static void AssertComponents(JsonElement components)
    {
        AssertComponentKeys(components);
        Assert.Contains(components.EnumerateArray(), c => c.GetProperty("group").GetBoolean());
    }

    private static void AssertComponentKeys(JsonElement components)
    {
        Assert.NotEmpty(components.EnumerateArray());
        foreach (var component in components.EnumerateArray())
            Assert.Equal(component.GetProperty("group").GetBoolean() ? GroupKeys : ComponentKeys, Keys(component));
    }

    private static void AssertIncidents(JsonElement incidents)
    {
        Assert.NotEmpty(incidents.EnumerateArray());
        var affected = 0;
        foreach (var incident in incidents.EnumerateArray())
        {
            Assert.Equal(IncidentKeys, Keys(incident));
            AssertComponentKeys(incident.GetProperty("components"));
            foreach (var update in incident.GetProperty("incident_updates").EnumerateArray())
            {
                Assert.Equal(UpdateKeys, Keys(update));
                if (update.GetProperty("affected_components").ValueKind != JsonValueKind.Array)
                    continue;
                foreach (var change in update.GetProperty("affected_components").EnumerateArray())
                {
                    Assert.Equal(AffectedComponentKeys, Keys(change));
                    affected++;
                }
            }
        }
        Assert.True(affected > 0, "the fixture has an update with affected_components");
    }

    private static string[] Keys(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
