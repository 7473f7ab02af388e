using System.Text.Json;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

/// <summary>Scheduled maintenances on the v2 wire: which list shows which, their shape, and summary.json.</summary>
public sealed class MaintenancesTests(MaintenancesTests.Page page) : IClassFixture<MaintenancesTests.Page>
{
    /// <summary>A page in Europe/Berlin with one maintenance of each status, and a cancelled one.</summary>
    public sealed class Page : StatusApiHost
    {
        protected override async Task SeedAsync(ReadModelRows rows)
        {
            await rows.PageAsync("page1", "Example", "https://status.example.test", "Europe/Berlin", updatedAt: "2024-01-01T00:00:00Z");
            await rows.ComponentAsync("db", "Database", "under_maintenance", position: 1);
            await rows.ComponentAsync("web", "Website", "operational", position: 2);
            await rows.MaintenanceAsync("m-next", "Network upgrade", "scheduled", "2030-01-05T01:00:00Z", "2030-01-05T03:00:00Z", "2024-01-01T00:00:00Z",
                componentIds: ["web"]);
            await rows.MaintenanceUpdateAsync("mu-next-1", "m-next", "scheduled", "We will upgrade the network.", "2024-01-01T00:00:00Z");
            await rows.MaintenanceAsync("m-now", "Database upgrade", "in_progress", "2024-06-01T10:00:00Z", "2034-06-01T12:00:00Z", "2024-05-01T00:00:00Z",
                startedAt: "2024-06-01T10:00:00Z", componentIds: ["db"]);
            await rows.MaintenanceUpdateAsync("mu-now-1", "m-now", "scheduled", "Announced.", "2024-05-01T00:00:00Z");
            await rows.MaintenanceUpdateAsync("mu-now-2", "m-now", "in_progress", "Started.", "2024-06-01T10:00:00Z");
            await rows.MaintenanceAsync("m-done", "Old work", "completed", "2023-01-01T10:00:00Z", "2023-01-01T11:00:00Z", "2022-12-01T00:00:00Z",
                startedAt: "2023-01-01T10:00:00Z", resolvedAt: "2023-01-01T11:00:00Z");
            await rows.MaintenanceAsync("m-off", "Called off", "cancelled", "2023-02-01T10:00:00Z", "2023-02-01T11:00:00Z", "2023-01-15T00:00:00Z",
                resolvedAt: "2023-01-20T00:00:00Z");
        }
    }

    private static List<string> Ids(JsonElement body) =>
        [.. body.GetProperty("scheduled_maintenances").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];

    [Fact]
    public async Task Each_list_shows_its_statuses_newest_window_first()
    {
        Assert.Equal(["m-next", "m-now", "m-off", "m-done"], Ids(await page.GetJsonAsync("/api/v2/scheduled-maintenances.json")));
        Assert.Equal(["m-next"], Ids(await page.GetJsonAsync("/api/v2/scheduled-maintenances/upcoming.json")));
        Assert.Equal(["m-now"], Ids(await page.GetJsonAsync("/api/v2/scheduled-maintenances/active.json")));
        Assert.Equal(["m-next", "m-now"], Ids(await page.GetJsonAsync("/api/v2/summary.json")));
    }

    [Fact]
    public async Task A_maintenance_is_the_incident_shape_plus_its_window_in_the_page_zone()
    {
        var body = await page.GetJsonAsync("/api/v2/scheduled-maintenances/active.json");
        var maintenance = body.GetProperty("scheduled_maintenances")[0];

        Assert.Equal(
        [
            "id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact", "shortlink", "started_at",
            "page_id", "incident_updates", "components", "scheduled_for", "scheduled_until",
        ], maintenance.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("in_progress", "maintenance", "page1"), (maintenance.GetProperty("status").GetString(), maintenance.GetProperty("impact").GetString(),
            maintenance.GetProperty("page_id").GetString()));
        Assert.Equal("2024-06-01T12:00:00.000+02:00", maintenance.GetProperty("scheduled_for").GetString());
        Assert.Equal(["mu-now-2", "mu-now-1"], maintenance.GetProperty("incident_updates").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
        Assert.Equal("m-now", maintenance.GetProperty("incident_updates")[0].GetProperty("incident_id").GetString());
        Assert.Equal(["db"], maintenance.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal("https://status.example.test/incidents/m-now", maintenance.GetProperty("shortlink").GetString());
    }

    [Fact]
    public async Task A_cancelled_maintenance_reads_as_completed()
    {
        var all = (await page.GetJsonAsync("/api/v2/scheduled-maintenances.json")).GetProperty("scheduled_maintenances");

        var cancelled = all.EnumerateArray().Single(m => m.GetProperty("id").GetString() == "m-off");
        Assert.Equal("completed", cancelled.GetProperty("status").GetString());
        Assert.All(all.EnumerateArray(), m => Assert.Contains(m.GetProperty("status").GetString(), new[] { "scheduled", "in_progress", "verifying", "completed" }));
    }
}
