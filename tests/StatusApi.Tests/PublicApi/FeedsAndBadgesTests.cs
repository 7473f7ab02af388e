using System.Net;
using System.Xml.Linq;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

/// <summary>history.rss, history.atom and the SVG badges: valid XML from the page state, hostile text inert.</summary>
public sealed class FeedsAndBadgesTests(FeedsAndBadgesTests.Page page) : IClassFixture<FeedsAndBadgesTests.Page>
{
    private const string Hostile = "<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>";

    /// <summary>Two incidents, one with a hostile body, and a component with markup in its name.</summary>
    public sealed class Page : StatusApiHost
    {
        protected override async Task SeedAsync(ReadModelRows rows)
        {
            await rows.PageAsync("page1", "Acme", "https://status.acme.test", "Etc/UTC", updatedAt: "2024-01-01T00:00:00Z");
            await rows.ComponentAsync("api", "API <b>v2</b>", "partial_outage", position: 1);
            await rows.ComponentAsync("web", "Website", "operational", position: 2);
            await rows.IncidentAsync("inc1", "API errors", "investigating", "major", createdAt: "2024-03-01T10:00:00Z", componentIds: ["api"]);
            await rows.IncidentUpdateAsync("u1", "inc1", "investigating", Hostile, createdAt: "2024-03-01T10:00:00Z");
            await rows.IncidentAsync("inc0", "Old outage", "resolved", "critical", createdAt: "2024-02-01T10:00:00Z", resolvedAt: "2024-02-01T11:00:00Z");
            await rows.IncidentUpdateAsync("u0", "inc0", "resolved", "Fixed.\nAll good.", createdAt: "2024-02-01T11:00:00Z");
        }
    }

    private async Task<(HttpResponseMessage Response, string Body)> GetAsync(string path)
    {
        var response = await page.Client.GetAsync(new Uri(path, UriKind.Relative));
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_rss_feed_lists_incidents_newest_first_with_their_updates_as_escaped_html()
    {
        var (response, body) = await GetAsync("/history.rss");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/rss+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.ETag);
        var items = XDocument.Parse(body).Descendants("item").ToList();
        Assert.Equal(["API errors", "Old outage"], items.Select(i => i.Element("title")!.Value));
        var description = items[0].Element("description")!.Value; // the HTML a reader renders
        Assert.DoesNotContain("<script", description, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", description, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href", description, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", description, StringComparison.Ordinal);
        Assert.Contains("Fixed.<br>All good.", items[1].Element("description")!.Value, StringComparison.Ordinal);
        Assert.Equal("https://status.acme.test/incidents/inc1", items[0].Element("link")!.Value);
    }

    [Fact]
    public async Task The_atom_feed_is_valid_atom_with_html_content()
    {
        var (response, body) = await GetAsync("/history.atom");

        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        XNamespace atom = "http://www.w3.org/2005/Atom";
        var feed = XDocument.Parse(body).Root!;
        Assert.Equal(atom + "feed", feed.Name);
        var entries = feed.Elements(atom + "entry").ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("html", entries[0].Element(atom + "content")!.Attribute("type")!.Value);
        Assert.DoesNotContain("<script", entries[0].Element(atom + "content")!.Value, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("tag:status.acme.test,", entries[0].Element(atom + "id")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Badges_show_the_page_and_each_component_with_names_escaped()
    {
        var (pageBadge, pageSvg) = await GetAsync("/badge.svg");
        Assert.Equal("image/svg+xml", pageBadge.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Partial System Outage", XDocument.Parse(pageSvg).Root!.Value, StringComparison.Ordinal);

        var (_, apiSvg) = await GetAsync("/components/api/badge.svg");
        var svg = XDocument.Parse(apiSvg).Root!; // parses: the name's markup is text, not elements
        Assert.DoesNotContain(svg.Descendants(), e => e.Name.LocalName == "b");
        Assert.Contains("API <b>v2</b>", svg.Value, StringComparison.Ordinal);
        Assert.Contains("partial outage", svg.Value, StringComparison.Ordinal);

        var (missing, _) = await GetAsync("/components/nope/badge.svg");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/badge.svg");
        conditional.Headers.IfNoneMatch.Add(pageBadge.Headers.ETag!);
        using var notModified = await page.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }
}
