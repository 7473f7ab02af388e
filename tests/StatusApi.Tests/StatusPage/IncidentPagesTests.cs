using System.Net;

namespace StatusPlatform.StatusApi.Tests.StatusPage;

public sealed class IncidentPagesTests(PageWithOutage page) : IClassFixture<PageWithOutage>
{
    [Fact]
    public async Task An_incident_has_its_own_page_with_every_update()
    {
        var html = await page.GetHtmlAsync("/incidents/inc-open");

        Assert.Contains("<h1 id=\"incident-title\">API errors</h1>", html);
        Assert.Contains("We are <strong>investigating</strong> errors on the API.", html);
        Assert.Contains("click me", html);
        Assert.DoesNotContain("javascript:", html);
    }

    [Fact]
    public async Task A_postmortem_is_shown_above_the_updates()
    {
        var html = await page.GetHtmlAsync("/incidents/inc-pm?lang=de");

        Assert.Contains("<h2 id=\"postmortem-heading\">Nachbetrachtung</h2>", html);
        Assert.Contains("<h2>What happened</h2>", html);
        Assert.Contains("The <strong>disk</strong> filled up.", html);
    }

    [Fact]
    public async Task An_unknown_incident_is_not_found()
    {
        using var response = await page.Client.GetAsync(new Uri("/incidents/nope", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no incident with this address.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_history_lists_incidents_by_month()
    {
        var html = await page.GetHtmlAsync("/history");

        var month = DateOnly.FromDateTime(page.Now.UtcDateTime).ToString("MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-US"));
        Assert.Contains($">{month}</h2>", html);
        Assert.Contains(">API errors</a>", html);
        Assert.Contains("href=\"/history?page=1\"", html);
        // Forty days ago always falls in the current month or one of the two before it.
        Assert.Contains(">Disk full</a>", html);
    }

    [Fact]
    public async Task A_history_page_that_is_not_a_number_is_a_clear_error()
    {
        using var response = await page.Client.GetAsync(new Uri("/history?page=-1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("page must be a whole number from 0 to 120.", await response.Content.ReadAsStringAsync());
    }
}
