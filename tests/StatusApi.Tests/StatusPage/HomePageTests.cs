using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace StatusPlatform.StatusApi.Tests.StatusPage;

public sealed partial class HomePageTests(PageWithOutage page) : IClassFixture<PageWithOutage>
{
    [Fact]
    public async Task Shows_the_page_name_the_overall_status_and_the_components_with_their_group()
    {
        var html = await page.GetHtmlAsync("/");

        Assert.Contains("<title>Example Status – Partial System Outage</title>", html);
        Assert.Matches(BannerOf("indicator-major", "Partial System Outage"), html);
        Assert.Contains("<details id=\"group-backend\" open", html);
        Assert.Matches(ComponentRow("API", "status-partial_outage", "Partial outage"), html);
        Assert.Matches(ComponentRow("Database", "status-operational", "Operational"), html);
        Assert.Contains("The public site", html);
        // Shown only while degraded, and it is operational.
        Assert.DoesNotContain(">CDN<", html);
        Assert.Contains("<main id=\"main\"", html);
        Assert.Contains("<a class=\"skip\" href=\"#main\">Skip to content</a>", html);
    }

    [Fact]
    public async Task Shows_the_active_incident_with_its_updates_rendered_from_Markdown()
    {
        var html = await page.GetHtmlAsync("/");

        Assert.Contains("<h2 id=\"incidents-heading\">Active incidents</h2>", html);
        Assert.Contains(">API errors</a></h3>", html);
        Assert.Contains("We are <strong>investigating</strong> errors on the API.", html);
        Assert.Contains("Affects: API", html);
    }

    [Fact]
    public async Task Markdown_with_script_raw_html_and_javascript_links_is_rendered_inert()
    {
        var html = await page.GetHtmlAsync("/");

        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("javascript:", html);
        Assert.Contains("&lt;script&gt;alert('owned')&lt;/script&gt;", html);
        // The label of the refused link stays, as text; a safe link stays a link.
        Assert.Contains("click me", html);
        Assert.Contains("<a href=\"https://example.test/docs\" rel=\"nofollow noopener noreferrer\">docs</a>", html);
        Assert.Equal(2, ScriptTags().Count(html)); // live.js, uptime.js and nothing else
    }

    [Fact]
    public async Task Shows_maintenance_in_progress_and_scheduled_maintenance()
    {
        var html = await page.GetHtmlAsync("/");

        Assert.Contains("<h2 id=\"maintenance-active-heading\">Maintenance in progress</h2>", html);
        Assert.Contains("Database upgrade", html);
        Assert.Contains("Upgrading the database.", html);
        Assert.Contains("<h2 id=\"maintenance-upcoming-heading\">Scheduled maintenance</h2>", html);
        Assert.Contains("Website move", html);
    }

    [Fact]
    public async Task Uptime_bars_give_each_day_its_date_uptime_and_incidents()
    {
        var html = await page.GetHtmlAsync("/");

        var day = page.Yesterday.ToString("MMM d, yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-US"));
        // Two hours of major outage in 24: 1 - 2/24.
        Assert.Contains($"<span class=\"bar level-major\" title=\"{day} · 91.67% uptime · Major outage: 2 h · Incidents: API down yesterday\"></span>", html);
        Assert.Equal(90, Bars().Count(html.Split("id=\"component-api\"")[1].Split("</figure>")[0]));
        Assert.Contains("<span>90 days ago</span>", html);
    }

    [Fact]
    public async Task Speaks_German_when_the_browser_prefers_it_and_either_language_when_asked()
    {
        var german = await page.GetHtmlAsync("/", acceptLanguage: "de-DE,de;q=0.9,en;q=0.5");
        Assert.Contains("<html lang=\"de\">", german);
        Assert.Matches(BannerOf("indicator-major", "Teilweiser Systemausfall"), german);
        Assert.Contains("Aktuelle Störungen", german);
        Assert.Matches(ComponentRow("API", "status-partial_outage", "Teilweiser Ausfall"), german);

        var asked = await page.GetHtmlAsync("/?lang=en", acceptLanguage: "de");
        Assert.Contains("<html lang=\"en\">", asked);
        // An explicit choice sticks to the links.
        Assert.Contains("href=\"/history?lang=en\"", asked);

        var switched = await page.GetHtmlAsync("/?lang=de");
        Assert.Contains("Komponenten", switched);
    }

    [Fact]
    public async Task An_unknown_language_is_a_clear_error()
    {
        using var response = await page.Client.GetAsync(new Uri("/?lang=fr", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Unknown language &#x27;fr&#x27;: use lang=en or lang=de.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Is_cacheable_for_a_few_seconds_and_revalidates_with_its_ETag()
    {
        using var first = await page.Client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal("public, max-age=5", first.Headers.CacheControl?.ToString());
        Assert.Contains("Accept-Language", first.Headers.Vary);
        Assert.Equal("text/html; charset=utf-8", first.Content.Headers.ContentType?.ToString());
        Assert.Contains("script-src 'self'", first.Headers.GetValues("Content-Security-Policy").Single());
        var etag = first.Headers.ETag ?? throw new InvalidOperationException("no ETag");

        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        again.Headers.IfNoneMatch.Add(etag);
        using var second = await page.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);

        using var other = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        using var third = await page.Client.SendAsync(other);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    private static Regex BannerOf(string indicator, string text) =>
        new($"<section id=\"banner\" data-live class=\"banner {indicator}\" role=\"status\" aria-live=\"polite\">\\s*<h1>{Regex.Escape(text)}</h1>");

    private static Regex ComponentRow(string name, string statusClass, string status) =>
        new($"<span class=\"name\">{Regex.Escape(name)}</span>\\s*<span class=\"status {statusClass}\">{Regex.Escape(status)}</span>");

    [GeneratedRegex("<script")]
    private static partial Regex ScriptTags();

    [GeneratedRegex("<span class=\"bar ")]
    private static partial Regex Bars();
}
