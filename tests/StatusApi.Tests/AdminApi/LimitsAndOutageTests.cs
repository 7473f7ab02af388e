using System.Net;
using System.Text.Json;
using static StatusPlatform.StatusApi.Tests.AdminApi.AdminApiHost;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>The rate limit per key: the request after the budget answers 429 with Retry-After; another key is unaffected.</summary>
public sealed class RateLimitTests(AdminApiWithTinyRateLimit host) : IClassFixture<AdminApiWithTinyRateLimit>
{
    [Fact]
    public async Task The_fourth_request_in_a_minute_answers_429_with_retry_after_and_other_keys_go_on()
    {
        // Creating the two keys uses two of the bootstrap key's three; keys made here start fresh.
        var (_, limited) = await host.CreateKeyAsync("busy-script", "viewer");
        var (_, other) = await host.CreateKeyAsync("quiet-script", "viewer");
        var path = $"/api/v1/pages/{PageId}/components";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await host.Anonymous.SendAsync(Request(HttpMethod.Get, path, limited));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
                Assert.Equal("urn:statusplatform:problem:rate-limited", (await JsonAsync(response)).GetProperty("type").GetString());
            }
        }
        using var fromOther = await host.Anonymous.SendAsync(Request(HttpMethod.Get, path, other));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, fromOther.StatusCode);
    }
}

/// <summary>PostgreSQL gone: admin reads and writes answer 503 ProblemDetails, while the public page keeps answering.</summary>
public sealed class DatabaseOutageTests(AdminApiToLoseItsDatabase host) : IClassFixture<AdminApiToLoseItsDatabase>
{
    [Fact]
    public async Task With_the_database_dropped_admin_reads_and_writes_answer_503_and_nothing_is_sent()
    {
        var (_, viewer) = await host.CreateKeyAsync("reader-before-outage", "viewer");
        using (var before = await host.Admin.GetAsync(new Uri($"/api/v1/pages/{PageId}/incidents", UriKind.Relative)))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        var sent = host.IncidentService.Commands.Count;

        await host.DropDatabaseAsync();

        using var read = await host.Admin.GetAsync(new Uri($"/api/v1/pages/{PageId}/incidents", UriKind.Relative));
        using var write = await host.Admin.SendAsync(Request(HttpMethod.Post, $"/api/v1/pages/{PageId}/incidents",
            json: """{"incident": {"name": "During the outage"}}"""));
        using var storedKey = await host.Anonymous.SendAsync(Request(HttpMethod.Get, $"/api/v1/pages/{PageId}/components", viewer));
        using var publicPage = await host.Anonymous.GetAsync(new Uri("/api/v2/summary.json", UriKind.Relative));

        foreach (var response in new[] { read, write, storedKey })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var problem = await JsonAsync(response);
            Assert.Equal("urn:statusplatform:problem:database-unavailable", problem.GetProperty("type").GetString());
            Assert.Contains("PostgreSQL", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.NotNull(response.Headers.RetryAfter);
        }
        Assert.Equal(sent, host.IncidentService.Commands.Count);
        Assert.Equal(HttpStatusCode.OK, publicPage.StatusCode);
    }
}

/// <summary>The OpenAPI document and the Swagger UI page.</summary>
public sealed class OpenApiTests(AdminApiHost host) : IClassFixture<AdminApiHost>
{
    [Fact]
    public async Task The_document_lists_the_admin_routes_with_snake_case_schemas_and_the_key_scheme()
    {
        using var response = await host.Anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await JsonAsync(response);

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/pages/{page_id}/incidents", out var incidents));
        Assert.True(incidents.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/api/v1/pages/{page_id}/components/{component_id}", out _));
        Assert.True(paths.TryGetProperty("/api/v1/keys", out _));
        Assert.True(document.GetProperty("components").GetProperty("schemas").GetProperty("AdminIncident").GetProperty("properties")
            .TryGetProperty("incident_updates", out _));
        Assert.Equal(JsonValueKind.Object, document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").ValueKind);
    }

    [Theory]
    [InlineData("/api/v1/pages/{page_id}/components", "post")]
    [InlineData("/api/v1/pages/{page_id}/components/{component_id}", "delete")]
    [InlineData("/api/v1/pages/{page_id}/component-groups", "post")]
    [InlineData("/api/v1/pages/{page_id}/component-groups/{group_id}", "patch")]
    [InlineData("/api/v1/pages/{page_id}/monitors", "post")]
    [InlineData("/api/v1/pages/{page_id}/monitors/{monitor_id}", "put")]
    [InlineData("/api/v1/pages/{page_id}", "patch")]
    [InlineData("/api/v1/pages", "get")]
    public async Task The_document_describes_the_catalog_and_page_routes(string path, string method)
    {
        using var response = await host.Anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var paths = (await JsonAsync(response)).GetProperty("paths");

        Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} is not in the document");
    }

    [Fact]
    public async Task Swagger_ui_is_served_at_docs()
    {
        using var response = await host.Anonymous.GetAsync(new Uri("/docs/index.html", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
