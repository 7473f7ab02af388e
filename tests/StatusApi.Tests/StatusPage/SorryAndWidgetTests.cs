using System.Net;

namespace StatusPlatform.StatusApi.Tests.StatusPage;

public sealed class SorryAndWidgetTests(PageWithOutage page) : IClassFixture<PageWithOutage>
{
    [Fact]
    public async Task The_sorry_page_shows_the_live_incident_and_links_to_the_status_page()
    {
        using var response = await page.Client.GetAsync(new Uri("/sorry", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=5", response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.Contains("<h1>We are having a problem</h1>", html);
        Assert.Contains(">API errors</a></h2>", html);
        // The latest update only, rendered as safely as on the status page.
        Assert.Contains("&lt;script&gt;", html);
        Assert.DoesNotContain("errors on the API.", html);
        Assert.Contains("<a href=\"/\">See the status page</a>", html);
    }

    [Fact]
    public async Task For_one_component_the_sorry_page_shows_only_what_concerns_it()
    {
        var api = await page.GetHtmlAsync("/sorry?component=api");
        Assert.Contains(">API errors</a></h2>", api);
        Assert.Contains("<p>API: Partial System Outage</p>", api);

        // The group stands for its children: the database's maintenance and the API's incident.
        var backend = await page.GetHtmlAsync("/sorry?component=backend");
        Assert.Contains(">API errors</a></h2>", backend);
        Assert.Contains("Database upgrade", backend);

        var website = await page.GetHtmlAsync("/sorry?component=website&lang=de");
        Assert.Contains("<h1>Alle Systeme betriebsbereit</h1>", website);
        Assert.Contains("Zurzeit ist kein Problem bekannt.", website);
        Assert.DoesNotContain("API errors", website);
    }

    [Fact]
    public async Task An_unknown_component_is_not_found()
    {
        using var response = await page.Client.GetAsync(new Uri("/sorry?component=nope", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no component &#x27;nope&#x27;.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_widget_script_reads_summary_json_and_writes_text_only()
    {
        using var response = await page.Client.GetAsync(new Uri("/embed/script.js", UriKind.Relative));
        var script = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        Assert.Contains("'/api/v2/summary.json'", script);
        Assert.Contains("data.position", script);
        Assert.Contains("textContent", script);
        Assert.DoesNotContain("innerHTML", script);
    }

    [Fact]
    public async Task The_live_script_and_style_sheet_are_served()
    {
        using var live = await page.Client.GetAsync(new Uri("/status-page/live.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Contains("new EventSource('/events')", await live.Content.ReadAsStringAsync());

        using var css = await page.Client.GetAsync(new Uri("/status-page/site.css", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Contains("prefers-color-scheme: dark", await css.Content.ReadAsStringAsync());
    }
}
