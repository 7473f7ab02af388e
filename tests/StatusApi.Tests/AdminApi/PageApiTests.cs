using System.Net;
using System.Text.Json;
using StatusPlatform.Contracts;
using static StatusPlatform.StatusApi.Tests.AdminApi.AdminApiHost;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>The page's settings and branding: read, changed by UpdatePageSettings with If-Match, refused whole, admins only.</summary>
public sealed class PageApiTests(AdminApiHost host) : IClassFixture<AdminApiHost>
{
    private const string Page = $"/api/v1/pages/{PageId}";

    private Task<string?> ColumnAsync(string column) => host.ScalarAsync<string>($"select {column} from status.page where id = $1", PageId);

    [Fact]
    public async Task Settings_and_branding_change_through_the_command_and_the_answer_shows_them_in_the_new_time_zone()
    {
        string? etag;
        using (var read = await host.Admin.GetAsync(new Uri(Page, UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            var before = await JsonAsync(read);
            Assert.Equal((PageId, "https://status.example.test"), (before.GetProperty("id").GetString(), before.GetProperty("url").GetString()));
            etag = read.Headers.ETag?.Tag;
        }

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Patch, Page, ifMatch: etag ?? "\"v0\"", json: """
            {"page": {"name": "Example Status", "time_zone": "Europe/Berlin", "logo_url": "https://cdn.example.test/logo.svg",
                      "accent_color": "#0B5CAD", "accent_color_dark": "#6ea8fe", "custom_css": ".banner { font-weight: 600; }"}}
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await JsonAsync(response);
        Assert.Equal(("Example Status", "Europe/Berlin", "https://cdn.example.test/logo.svg", "#0b5cad", "#6ea8fe"),
            (page.GetProperty("name").GetString(), page.GetProperty("time_zone").GetString(), page.GetProperty("logo_url").GetString(),
             page.GetProperty("accent_color").GetString(), page.GetProperty("accent_color_dark").GetString()));
        Assert.Matches(@"\.\d{3}\+0[12]:00$", page.GetProperty("updated_at").GetString());
        var sent = host.IncidentService.Last<UpdatePageSettings>();
        Assert.Equal(("bootstrap", (string?)null, 0L), (sent.Actor, sent.Url, sent.ExpectedVersion!.Value));
        var version = host.IncidentService.VersionOf("page");
        Assert.Equal($"\"v{version}\"", response.Headers.ETag?.Tag);

        using var again = await host.Admin.GetAsync(new Uri(Page, UriKind.Relative));
        Assert.Equal($"\"v{version}\"", again.Headers.ETag?.Tag);

        using var cleared = await host.Admin.SendAsync(Request(HttpMethod.Put, Page, json: """{"page": {"logo_url": null, "custom_css": ""}}"""));
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await JsonAsync(cleared)).GetProperty("logo_url").ValueKind);
        Assert.Null(await ColumnAsync("custom_css"));
        Assert.Equal("#0b5cad", await ColumnAsync("accent_color"));
    }

    [Fact]
    public async Task A_stale_if_match_answers_412_and_changes_nothing()
    {
        var name = await ColumnAsync("name");

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Patch, Page, ifMatch: "\"v99\"", json: """{"page": {"name": "Stale"}}"""));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal($"\"v{host.IncidentService.VersionOf("page")}\"", response.Headers.ETag?.Tag);
        Assert.Equal(name, await ColumnAsync("name"));
    }

    [Theory]
    [InlineData("""{"page": {"name": "Fine", "accent_color": "blue"}}""", "page.accent_color")]
    [InlineData("""{"page": {"name": "Fine", "time_zone": "Mars/Olympus"}}""", "page.time_zone")]
    [InlineData("""{"page": {"name": "Fine", "custom_css": "</style><script>alert(1)</script>"}}""", "page.custom_css")]
    [InlineData("""{"page": {"name": null}}""", "page.name")]
    [InlineData("""{"page": {"name": "  "}}""", "page.name")]
    [InlineData("""{"page": {"name": "Fine", "headline": "Hi"}}""", "page.headline")]
    [InlineData("""{"page": {"name": "Fine", "logo_url": 7}}""", "page.logo_url")]
    [InlineData("""{"name": "Fine"}""", "page")]
    public async Task Invalid_settings_answer_400_with_the_body_path_and_nothing_changes(string json, string field)
    {
        var name = await ColumnAsync("name");

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Patch, Page, json: json));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _), body);
        Assert.Equal(name, await ColumnAsync("name"));
        Assert.NotEqual("Fine", name);
    }

    [Fact]
    public async Task Only_admins_change_the_page_everyone_with_a_key_reads_it_and_other_page_ids_are_404()
    {
        var (_, responder) = await host.CreateKeyAsync("page-responder", "responder");
        var (_, viewer) = await host.CreateKeyAsync("page-viewer", "viewer");
        const string change = """{"page": {"name": "Taken over"}}""";

        using var responderPatch = await host.Anonymous.SendAsync(Request(HttpMethod.Patch, Page, responder, change));
        using var viewerPatch = await host.Anonymous.SendAsync(Request(HttpMethod.Patch, Page, viewer, change));
        using var anonymous = await host.Anonymous.SendAsync(Request(HttpMethod.Get, Page));
        using var viewerRead = await host.Anonymous.SendAsync(Request(HttpMethod.Get, Page, viewer));
        using var list = await host.Anonymous.SendAsync(Request(HttpMethod.Get, "/api/v1/pages", viewer));
        using var otherPage = await host.Admin.SendAsync(Request(HttpMethod.Patch, "/api/v1/pages/otherpage", json: change));

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.NotFound),
            (responderPatch.StatusCode, viewerPatch.StatusCode, anonymous.StatusCode, viewerRead.StatusCode, otherPage.StatusCode));
        Assert.Equal(PageId, Assert.Single((await JsonAsync(list)).EnumerateArray()).GetProperty("id").GetString());
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is UpdatePageSettings { Name: "Taken over" });
    }
}
