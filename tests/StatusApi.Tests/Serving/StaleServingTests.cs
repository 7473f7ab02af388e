using System.Globalization;
using System.Net;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.Serving;

/// <summary>
/// PostgreSQL going away under a running StatusApi: the database is dropped with (force), which ends StatusApi's
/// connections and makes new ones fail, as an outage does; then created again, as a recovery does.
/// </summary>
public sealed class StaleServingTests(PageRefreshedEveryQuarterSecond page) : IClassFixture<PageRefreshedEveryQuarterSecond>
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task With_the_database_gone_the_last_page_is_served_marked_stale_and_recovery_clears_the_mark()
    {
        using var fresh = await page.Client.GetAsync(new Uri("/api/v2/summary.json", UriKind.Relative));
        var body = await fresh.Content.ReadAsStringAsync();
        Assert.False(fresh.Headers.Contains("X-Status-Stale"));
        var droppedAt = DateTimeOffset.UtcNow;

        await page.DropDatabaseAsync();

        using var stale = await Eventually.Until(GetSummaryAsync, r => r.Headers.Contains("X-Status-Stale"), Prompt, "summary.json marked stale");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(body, await stale.Content.ReadAsStringAsync());
        Assert.Equal(fresh.Headers.ETag, stale.Headers.ETag);
        Assert.Equal("true", Assert.Single(stale.Headers.GetValues("X-Status-Stale")));
        var refreshedAt = DateTimeOffset.Parse(Assert.Single(stale.Headers.GetValues("X-Status-Refreshed-At")), CultureInfo.InvariantCulture);
        Assert.InRange(refreshedAt, droppedAt.AddSeconds(-5), droppedAt.AddSeconds(1));
        foreach (var path in new[] { "/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json" })
        {
            using var other = await page.Client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            Assert.True(other.Headers.Contains("X-Status-Stale"), path);
        }
        using var health = await page.Client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Degraded", await health.Content.ReadAsStringAsync());

        await page.RecreateDatabaseAsync();
        await page.Rows.PageAsync("periodic0001", "Periodic", "https://status.example.test", "Etc/UTC", updatedAt: "2024-01-01T00:00:00Z");
        await page.Rows.ComponentAsync("website", "Website", "major_outage", position: 1);

        // The database comes back in steps (schema, then rows); a read between them is fresh too, just not final.
        var (recovered, recoveredBody) = await Eventually.Until(async () =>
        {
            using var response = await GetSummaryAsync();
            return (Response: response, Body: await response.Content.ReadAsStringAsync());
        }, r => r.Body.Contains("\"major_outage\"", StringComparison.Ordinal), Prompt, "summary.json with the recovered rows");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.False(recovered.Headers.Contains("X-Status-Stale"), recoveredBody);
        Assert.False(recovered.Headers.Contains("X-Status-Refreshed-At"));
        await StatusApiHost.WaitUntilHealthyAsync(page.Client);
    }

    private async Task<HttpResponseMessage> GetSummaryAsync() =>
        await page.Client.GetAsync(new Uri("/api/v2/summary.json", UriKind.Relative));
}
