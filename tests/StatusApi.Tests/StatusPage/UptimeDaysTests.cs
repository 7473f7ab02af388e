using System.Globalization;
using System.Text.RegularExpressions;
using StatusPlatform.Incident.History.Uptime;
using StatusPlatform.StatusApi.StatusPage.Content;

namespace StatusPlatform.StatusApi.Tests.StatusPage;

/// <summary>
/// The uptime bars' day details without a mouse: as text under the bars (no JavaScript needed) and as the data uptime.js
/// turns into a keyboard grid with a tooltip (the browser tests drive that part).
/// </summary>
public sealed partial class UptimeDaysTests(PageWithUptimeDays page) : IClassFixture<PageWithUptimeDays>
{
    [Fact]
    public async Task Days_with_an_outage_maintenance_or_an_incident_are_listed_as_text_newest_first()
    {
        var api = Component(await page.GetHtmlAsync("/"), "api");

        // Yesterday (the two-hour outage and its incident) and today (the partial outage and the open incident).
        Assert.Contains("<details class=\"uptime-days\" id=\"uptime-days-api\"><summary><span class=\"name\">Days with outages, maintenance or incidents: 2</span></summary>", api);
        var yesterday = DayItem(page.Yesterday, "MMM d, yyyy").Match(api);
        Assert.True(yesterday.Success, $"no list item for yesterday in:\n{api}");
        Assert.Contains("Major outage: 2 h", yesterday.Value);
        Assert.Contains("Incidents: API down yesterday", yesterday.Value);
        Assert.Matches(@"\d+(\.\d+)?% uptime", yesterday.Value);
        var today = DayItem(page.Yesterday.AddDays(1), "MMM d, yyyy").Match(api);
        Assert.True(today.Success, $"no list item for today in:\n{api}");
        Assert.Contains("Partial outage: ", today.Value);
        Assert.Contains("API errors", today.Value);
        Assert.True(today.Index < yesterday.Index, "today is not listed before yesterday");
    }

    [Fact]
    public async Task Maintenance_time_and_incident_days_without_data_are_listed_and_a_quiet_component_has_no_list()
    {
        var html = await page.GetHtmlAsync("/");

        var db = Component(html, "db");
        var item = DayItem(page.Yesterday, "MMM d, yyyy").Match(db);
        Assert.True(item.Success, $"no list item for yesterday in:\n{db}");
        // Maintenance is neither up nor down time: the day counts 100% and says how long the work took.
        Assert.Contains(": 100% uptime; Under maintenance: 45 min; No incidents</li>", item.Value);
        Assert.Contains("Days with outages, maintenance or incidents: 1<", db);

        // An incident on a day without status history is listed too: the bar is grey, the day was not quiet.
        var website = Component(html, "website");
        var incidentDay = DayItem(DateOnly.FromDateTime(page.Now.AddDays(-40).UtcDateTime), "MMM d, yyyy").Match(website);
        Assert.True(incidentDay.Success, $"no list item for the day of the incident in:\n{website}");
        Assert.EndsWith(": No data; Incidents: Disk full</li>", incidentDay.Value);

        var mail = Component(html, "mail");
        Assert.Contains("class=\"bars\"", mail);
        Assert.DoesNotContain("uptime-days", mail);
    }

    [Fact]
    public async Task Bars_are_hidden_from_screen_readers_but_carry_each_day_and_the_words_for_the_keyboard_script()
    {
        var html = await page.GetHtmlAsync("/");

        var api = Component(html, "api");
        Assert.Contains("<div class=\"bars\" aria-hidden=\"true\" data-uptime=\"api\" data-label=\"API: uptime per day\" data-keys=\"← → other days, Esc closes\"><div class=\"bars-row\">", api);
        Assert.Equal(90, Bars().Count(api));
        var day = page.Yesterday.ToString("MMM d, yyyy", CultureInfo.GetCultureInfo("en-US"));
        Assert.Matches($"<span class=\"bar level-major\" title=\"{day} · [^\"]* uptime · Major outage: 2 h · Incidents: API down yesterday\"></span>", api);
        Assert.Contains("<script src=\"/status-page/uptime.js\" defer></script>", html);

        // Only the page with bars loads the script.
        Assert.DoesNotContain("uptime.js", await page.GetHtmlAsync("/history"));
    }

    [Fact]
    public async Task Day_details_speak_German_too()
    {
        var api = Component(await page.GetHtmlAsync("/?lang=de"), "api");

        Assert.Contains("Tage mit Ausfällen, Wartung oder Störungen: 2", api);
        Assert.Contains("data-label=\"API: Verfügbarkeit pro Tag\" data-keys=\"← → andere Tage, Esc schließt\"", api);
        var yesterday = DayItem(page.Yesterday, "d. MMM yyyy", "de-DE").Match(api);
        Assert.True(yesterday.Success, $"no list item for yesterday in:\n{api}");
        Assert.Contains("Schwerer Ausfall: 2 Std.; Störungen: API down yesterday", yesterday.Value);
        Assert.Contains(" Verfügbarkeit; ", yesterday.Value);
    }

    [Theory]
    [InlineData(0, "0 min", "0 Min.")]
    [InlineData(45, "45 min", "45 Min.")]
    [InlineData(60, "1 h", "1 Std.")]
    [InlineData(90, "1 h 30 min", "1 Std. 30 Min.")]
    [InlineData(1500, "25 h", "25 Std.")]
    public void Durations_are_hours_and_minutes(int minutes, string english, string german)
    {
        Assert.Equal(english, Texts.En.Duration(minutes));
        Assert.Equal(german, Texts.De.Duration(minutes));
    }

    [Fact]
    public void Any_time_at_all_shows_as_at_least_a_minute_and_the_rest_rounds_to_the_nearest()
    {
        Assert.Equal(0, UptimeDay.ShownMinutes(TimeSpan.Zero));
        Assert.Equal(1, UptimeDay.ShownMinutes(TimeSpan.FromSeconds(3)));
        Assert.Equal(2, UptimeDay.ShownMinutes(TimeSpan.FromSeconds(90)));
        Assert.Equal(90, UptimeDay.ShownMinutes(TimeSpan.FromMinutes(90).Add(TimeSpan.FromSeconds(20))));
    }

    [Fact]
    public void Maintenance_minutes_alone_change_the_fingerprint_so_readers_get_the_new_details()
    {
        static PageExtras With(TimeSpan maintenance)
        {
            var day = new DateOnly(2025, 3, 1);
            var report = new UptimeReport([new DailyUptime(day, 1, TimeSpan.FromHours(23), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, maintenance)], 1);
            return PageExtras.Empty with { Uptime = new Dictionary<string, UptimeReport> { ["db"] = report }, FirstDay = day, LastDay = day };
        }

        // The uptime is the same (maintenance is not counted); only the minutes shown differ.
        Assert.NotEqual(With(TimeSpan.FromMinutes(10)).Fingerprint(), With(TimeSpan.FromMinutes(11)).Fingerprint());
        Assert.Equal(With(TimeSpan.FromMinutes(10)).Fingerprint(), With(TimeSpan.FromMinutes(10).Add(TimeSpan.FromSeconds(5))).Fingerprint());
    }

    /// <summary>A component's row on the page, up to the next component's (or the end of the list).</summary>
    private static string Component(string html, string id)
    {
        var start = html.IndexOf($"id=\"component-{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no component {id}");
        var end = html.IndexOf("id=\"component-", start + 1, StringComparison.Ordinal);
        var endOfList = html.IndexOf("id=\"past\"", start, StringComparison.Ordinal);
        return html[start..(end >= 0 && end < endOfList ? end : endOfList)];
    }

    private static Regex DayItem(DateOnly day, string format, string culture = "en-US")
    {
        var shown = day.ToString(format, CultureInfo.GetCultureInfo(culture));
        var iso = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new Regex($"<li><time datetime=\"{iso}\">{Regex.Escape(shown)}</time>: [^<]*</li>");
    }

    [GeneratedRegex("<span class=\"bar ")]
    private static partial Regex Bars();
}

/// <summary>
/// <see cref="PageWithOutage"/>, the database in maintenance for 45 minutes yesterday (01:00 to 01:45 UTC), and a mail
/// service that was up all along.
/// </summary>
public sealed class PageWithUptimeDays : PageWithOutage
{
    protected override async Task SeedAsync(ReadModelRows rows)
    {
        await base.SeedAsync(rows);
        var yesterday = new DateTimeOffset(Yesterday.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await IntervalAsync("db", "operational", yesterday.AddDays(-5), yesterday.AddHours(1));
        await IntervalAsync("db", "under_maintenance", yesterday.AddHours(1), yesterday.AddHours(1).AddMinutes(45));
        await IntervalAsync("db", "operational", yesterday.AddHours(1).AddMinutes(45), null);
        await rows.ComponentAsync("mail", "Mail", "operational", position: 4);
        await IntervalAsync("mail", "operational", yesterday.AddDays(-5), null);
    }
}
