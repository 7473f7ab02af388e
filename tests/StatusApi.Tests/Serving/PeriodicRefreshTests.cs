using System.Net;
using System.Net.Http.Headers;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.Serving;

/// <summary>Changes no event announces (the configuration file adds or renames a component) show by the periodic refresh.</summary>
public sealed class PeriodicRefreshTests(PageRefreshedEveryQuarterSecond page) : IClassFixture<PageRefreshedEveryQuarterSecond>
{
    [Fact]
    public async Task A_component_renamed_and_one_added_without_any_event_show_after_a_periodic_refresh()
    {
        var at = DateTimeOffset.UtcNow;
        await page.Rows.RenameComponentAsync("website", "Public website", at);
        await page.Rows.ComponentAsync("search", "Search", "operational", position: 9);

        await Eventually.Until(async () => (await page.GetJsonAsync("/api/v2/components.json")).GetProperty("components").EnumerateArray()
                .Select(c => c.GetProperty("name").GetString()).ToList(),
            names => names.Contains("Public website") && names.Contains("Search"), TimeSpan.FromSeconds(10), "the renamed and the added component");
    }

    [Fact]
    public async Task A_changed_page_gets_a_new_etag_and_the_old_one_no_longer_matches()
    {
        var before = await ETagAsync();
        await page.Rows.ComponentStatusAsync("api", "major_outage", DateTimeOffset.UtcNow);

        var after = await Eventually.Until(ETagAsync, etag => !etag.Equals(before), TimeSpan.FromSeconds(10), "a new ETag for summary.json");

        using var withOld = new HttpRequestMessage(HttpMethod.Get, "/api/v2/summary.json");
        withOld.Headers.IfNoneMatch.Add(before);
        using var oldResponse = await page.Client.SendAsync(withOld);
        Assert.Equal(HttpStatusCode.OK, oldResponse.StatusCode);
        Assert.Contains("major_outage", await oldResponse.Content.ReadAsStringAsync());
        using var withNew = new HttpRequestMessage(HttpMethod.Get, "/api/v2/summary.json");
        withNew.Headers.IfNoneMatch.Add(after);
        using var newResponse = await page.Client.SendAsync(withNew);
        Assert.Equal(HttpStatusCode.NotModified, newResponse.StatusCode);
    }

    private async Task<EntityTagHeaderValue> ETagAsync()
    {
        using var response = await page.Client.GetAsync(new Uri("/api/v2/summary.json", UriKind.Relative));
        return Assert.IsType<EntityTagHeaderValue>(response.Headers.ETag);
    }
}

/// <summary>A UTC page of two components, read again every 250 ms.</summary>
public sealed class PageRefreshedEveryQuarterSecond : StatusApiHost
{
    protected override TimeSpan RefreshInterval => TimeSpan.FromMilliseconds(250);

    protected override async Task SeedAsync(ReadModelRows rows)
    {
        await rows.PageAsync("periodic0001", "Periodic", "https://status.example.test", "Etc/UTC", updatedAt: "2024-01-01T00:00:00Z");
        await rows.ComponentAsync("website", "Website", "operational", position: 1);
        await rows.ComponentAsync("api", "API", "operational", position: 2);
    }
}
