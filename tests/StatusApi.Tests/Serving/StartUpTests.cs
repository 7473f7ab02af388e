using System.Net;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.Serving;

/// <summary>StatusApi started while its database does not exist yet: nothing to serve, and it says so.</summary>
public sealed class StartWithoutDatabaseTests(DatabaseMissingAtStart page) : IClassFixture<DatabaseMissingAtStart>
{
    [Fact]
    public async Task Until_a_first_read_works_the_public_endpoints_answer_503_and_health_is_unhealthy_then_the_page_appears()
    {
        using var early = await page.Client.GetAsync(new Uri("/api/v2/summary.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        Assert.Equal("application/problem+json", early.Content.Headers.ContentType?.MediaType);
        Assert.Contains("urn:statusplatform:problem:page-not-loaded", await early.Content.ReadAsStringAsync());
        Assert.NotNull(early.Headers.RetryAfter);
        using var health = await page.Client.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());

        await page.RecreateDatabaseAsync();
        await page.Rows.ComponentAsync("website", "Website", "operational", position: 1);

        var components = await Eventually.Until(async () =>
        {
            using var response = await page.Client.GetAsync(new Uri("/api/v2/components.json", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : "";
        }, json => json.Contains("\"website\"", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "components.json once the database exists");
        Assert.Contains("\"Website\"", components);
    }
}

/// <summary>The fixture's database is dropped before StatusApi starts; the test creates it again.</summary>
public sealed class DatabaseMissingAtStart : StatusApiHost
{
    protected override TimeSpan RefreshInterval => TimeSpan.FromMilliseconds(250);

    protected override Task SeedAsync(ReadModelRows rows) => DropDatabaseAsync();
}

/// <summary>StatusApi started before Incident.Service created the status schema: an empty page, as empty tables give.</summary>
public sealed class StartBeforeTheReadModelExistsTests(SchemaMissingAtStart page) : IClassFixture<SchemaMissingAtStart>
{
    [Fact]
    public async Task The_empty_default_page_is_served_healthy_and_the_read_model_shows_once_created()
    {
        var summary = await page.GetJsonAsync("/api/v2/summary.json");
        Assert.Empty(summary.GetProperty("components").EnumerateArray());
        Assert.Equal("none", summary.GetProperty("status").GetProperty("indicator").GetString());
        await StatusApiHost.WaitUntilHealthyAsync(page.Client);

        await page.CreateSchemaAsync();
        await page.Rows.ComponentAsync("website", "Website", "major_outage", position: 1);
        await page.RefreshAsync();

        var components = (await page.GetJsonAsync("/api/v2/components.json")).GetProperty("components");
        Assert.Equal("major_outage", Assert.Single(components.EnumerateArray()).GetProperty("status").GetString());
    }
}

/// <summary>The fixture's database exists but has no status schema yet.</summary>
public sealed class SchemaMissingAtStart : StatusApiHost
{
    protected override async Task SeedAsync(ReadModelRows rows)
    {
        await using var command = Database.DataSource.CreateCommand("drop schema status cascade");
        await command.ExecuteNonQueryAsync();
    }
}
