using System.Text.Json;
using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.Serving;

/// <summary>
/// Integration events refresh the page in memory. The periodic refresh is an hour here, so nothing but the event can
/// bring a change in during a test; each test changes components of its own.
/// </summary>
public sealed class EventRefreshTests(PageRefreshedOnlyByEvents page) : IClassFixture<PageRefreshedOnlyByEvents>
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_component_status_event_shows_the_new_status_without_waiting_for_the_periodic_refresh()
    {
        await StatusApiHost.WaitUntilHealthyAsync(page.Client);
        var changedAt = DateTimeOffset.UtcNow;
        await page.Rows.ComponentStatusAsync("api", ComponentStatus.MajorOutage, changedAt);
        // The page is served from memory: the row alone changes nothing.
        Assert.Equal(ComponentStatus.Operational, await StatusOfAsync(page.Client, "api"));

        await page.PublishAsync(new ComponentStatusChanged("api", "API", ComponentStatus.Operational, ComponentStatus.MajorOutage, changedAt));

        await ShowsAsync(page.Client, "api", ComponentStatus.MajorOutage);
    }

    [Fact]
    public async Task Every_replica_hears_every_change()
    {
        var replica = page.StartReplica();
        await StatusApiHost.WaitUntilHealthyAsync(page.Client);
        await StatusApiHost.WaitUntilHealthyAsync(replica);
        var changedAt = DateTimeOffset.UtcNow;
        await page.Rows.ComponentStatusAsync("db", ComponentStatus.PartialOutage, changedAt);

        await page.PublishAsync(new ComponentStatusChanged("db", "Database", ComponentStatus.Operational, ComponentStatus.PartialOutage, changedAt));

        await ShowsAsync(page.Client, "db", ComponentStatus.PartialOutage);
        await ShowsAsync(replica, "db", ComponentStatus.PartialOutage);
    }

    [Fact]
    public async Task A_change_announced_before_the_projection_wrote_it_shows_once_the_row_is_there()
    {
        await StatusApiHost.WaitUntilHealthyAsync(page.Client);
        // Incident.Service's relay can publish before its projection commits. The first event's row is not written
        // yet; the second one's is, and its showing up means the first was heard and read for, in vain, before it.
        var changedAt = DateTimeOffset.UtcNow;
        await page.Rows.ComponentStatusAsync("cdn", ComponentStatus.MajorOutage, changedAt);
        await page.PublishAsync(
            new ComponentStatusChanged("website", "Website", ComponentStatus.Operational, ComponentStatus.DegradedPerformance, changedAt),
            new ComponentStatusChanged("cdn", "CDN", ComponentStatus.Operational, ComponentStatus.MajorOutage, changedAt));
        await ShowsAsync(page.Client, "cdn", ComponentStatus.MajorOutage);
        Assert.Equal(ComponentStatus.Operational, await StatusOfAsync(page.Client, "website"));

        await page.Rows.ComponentStatusAsync("website", ComponentStatus.DegradedPerformance, changedAt);

        await ShowsAsync(page.Client, "website", ComponentStatus.DegradedPerformance);
    }

    [Fact]
    public async Task An_opened_incident_shows_on_summary_and_unresolved()
    {
        await StatusApiHost.WaitUntilHealthyAsync(page.Client);
        var openedAt = DateTimeOffset.UtcNow;
        await page.Rows.IncidentAsync("inc-event", "Checkout errors", IncidentStatus.Investigating, IncidentImpact.Major,
            createdAt: openedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture), componentIds: ["checkout"]);

        await page.PublishAsync(new IncidentOpened("inc-event", "Checkout errors", IncidentStatus.Investigating, IncidentImpact.Major,
            "We are investigating.", [new AffectedComponent("checkout", "Checkout", ComponentStatus.MajorOutage)], Automatic: true, openedAt));

        await Eventually.Until(async () => (await page.GetJsonAsync("/api/v2/incidents/unresolved.json")).GetProperty("incidents").GetArrayLength(),
            count => count == 1, Prompt, "the opened incident in unresolved.json");
        var summary = await page.GetJsonAsync("/api/v2/summary.json");
        Assert.Equal("inc-event", summary.GetProperty("incidents")[0].GetProperty("id").GetString());
    }

    private static async Task<string?> StatusOfAsync(HttpClient client, string componentId)
    {
        using var response = await client.GetAsync(new Uri("/api/v2/summary.json", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        using var summary = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return summary.RootElement.GetProperty("components").EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == componentId).GetProperty("status").GetString();
    }

    private static Task<string?> ShowsAsync(HttpClient client, string componentId, string status) =>
        Eventually.Until(() => StatusOfAsync(client, componentId), s => s == status, Prompt, $"{componentId} to show {status}");
}

/// <summary>A UTC page of five operational components; refreshed only by events (the periodic refresh is an hour).</summary>
public sealed class PageRefreshedOnlyByEvents : StatusApiHost
{
    protected override async Task SeedAsync(ReadModelRows rows)
    {
        await rows.PageAsync("eventpage0001", "Events", "https://status.example.test", "Etc/UTC", updatedAt: "2024-01-01T00:00:00Z");
        await rows.ComponentAsync("website", "Website", "operational", position: 1);
        await rows.ComponentAsync("api", "API", "operational", position: 2);
        await rows.ComponentAsync("db", "Database", "operational", position: 3);
        await rows.ComponentAsync("cdn", "CDN", "operational", position: 4);
        await rows.ComponentAsync("checkout", "Checkout", "operational", position: 5);
    }
}
