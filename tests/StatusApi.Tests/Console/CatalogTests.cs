using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.Console;

/// <summary>Components, groups, monitors, "check now" and page settings from the console: the commands they send, refusals by field, roles.</summary>
public sealed partial class CatalogTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task An_admin_creates_a_group_and_a_component_in_it_then_renames_moves_and_deletes_it_sending_only_what_changed()
    {
        using var admin = await host.AdminAsync();

        using var group = await admin.PostFormAsync("/console/components", "/console/components",
            new() { ["component_id"] = "campus", ["name"] = "Campus", ["is_group"] = "true", ["position"] = "3", ["showcase"] = "true", ["automation"] = "true" });
        using var created = await admin.PostFormAsync("/console/components", "/console/components", new()
        {
            ["component_id"] = "printing", ["name"] = "Printing", ["description"] = "Print queues", ["group_id"] = "campus", ["position"] = "2",
            ["owner"] = "print-team", ["showcase"] = "true", ["only_show_if_degraded"] = "true",
        });

        Assert.Equal(HttpStatusCode.Redirect, group.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var sentGroup = host.IncidentService.Commands.OfType<CreateComponent>().Single(c => c.ComponentId == "campus");
        Assert.Equal((ConsoleHost.AdminName, "Campus", true, 3, (string?)null), (sentGroup.Actor, sentGroup.Name, sentGroup.IsGroup, sentGroup.Position, sentGroup.GroupId));
        var sent = host.IncidentService.Commands.OfType<CreateComponent>().Single(c => c.ComponentId == "printing");
        Assert.Equal(("Printing", "Print queues", "campus", 2, false), (sent.Name, sent.Description, sent.GroupId, sent.Position, sent.IsGroup));
        Assert.Equal(("print-team", false, true, true), (sent.Owner, sent.Automation, sent.Showcase, sent.OnlyShowIfDegraded));
        var location = created.Headers.Location!.ToString();
        Assert.Equal("/console/components?edit=printing&done=component", location);
        var (page, html) = await admin.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Campus › Printing", html, StringComparison.Ordinal);

        // The whole form comes back; only the name, the position and the group (now the top level) differ.
        using var changed = await admin.PostFormAsync("/console/components?edit=printing", "/console/components/printing", new()
        {
            ["version"] = "1", ["name"] = "Printers", ["description"] = "Print queues", ["group_id"] = "", ["position"] = "4", ["owner"] = "print-team",
            ["showcase"] = "true", ["only_show_if_degraded"] = "true",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        var update = host.IncidentService.Commands.OfType<UpdateComponent>().Single(c => c.ComponentId == "printing");
        Assert.Equal(("Printers", "", 4, 1L), (update.Name, update.GroupId, update.Position, update.ExpectedVersion));
        Assert.Equal((null, null, null), (update.Description, update.Showcase, update.OnlyShowIfDegraded));
        Assert.Equal("Printers", await host.ScalarAsync<string>("select name from status.components where id = 'printing' and group_id is null"));

        using var deleted = await admin.PostFormAsync("/console/components?edit=printing", "/console/components/printing/delete", new() { ["version"] = "2" });
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal(2L, host.IncidentService.Commands.OfType<DeleteComponent>().Single(c => c.ComponentId == "printing").ExpectedVersion);
        Assert.Equal(0L, await host.ScalarAsync<long>("select count(*) from status.components where id = 'printing'"));
    }

    [Fact]
    public async Task A_refused_component_shows_each_error_next_to_its_field_and_one_the_file_defines_says_so()
    {
        using var admin = await host.AdminAsync();

        using var bad = await admin.PostFormAsync("/console/components", "/console/components",
            new() { ["component_id"] = "Not An Id", ["name"] = "Library", ["group_id"] = "website", ["showcase"] = "true" });
        using var badPosition = await admin.PostFormAsync("/console/components", "/console/components", new() { ["name"] = "Library", ["position"] = "top" });
        using var fileManaged = await admin.PostFormAsync("/console/components?edit=website", "/console/components/website",
            new() { ["name"] = "Web site", ["position"] = "1", ["showcase"] = "true" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var html = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
        Assert.Matches("""id="component_id" name="component_id" value="Not An Id" aria-invalid="true" aria-describedby="error-component_id" />\s*<span class="field-error" id="error-component_id">lowercase letters""", html);
        Assert.Matches("""<span class="field-error" id="error-group_id">'website' is not a group</span>""", html);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badPosition.StatusCode);
        Assert.Contains("'top' is not a whole number", WebUtility.HtmlDecode(await badPosition.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain(host.IncidentService.Commands.OfType<CreateComponent>(), c => c.Name == "Library" && c.ComponentId is null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, fileManaged.StatusCode);
        Assert.Contains("'website' is defined in the configuration file; change it there", WebUtility.HtmlDecode(await fileManaged.Content.ReadAsStringAsync()),
            StringComparison.Ordinal);
        Assert.Equal("Website", await host.ScalarAsync<string>("select name from status.components where id = 'website'"));
    }

    [Fact]
    public async Task Viewers_and_responders_see_components_monitors_and_settings_but_cannot_change_them()
    {
        using var viewer = await host.UserAsync("viktor", "viewer");
        using var responder = await host.UserAsync("rhea", "responder");

        foreach (var browser in new[] { viewer, responder })
        {
            var (components, componentsHtml) = await browser.GetAsync("/console/components");
            var (monitor, monitorHtml) = await browser.GetAsync("/console/monitors/api-health");
            var (settings, settingsHtml) = await browser.GetAsync("/console/settings");
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (components.StatusCode, monitor.StatusCode, settings.StatusCode));
            Assert.Contains("Backend › Database", componentsHtml, StringComparison.Ordinal);
            Assert.DoesNotContain("action=\"/console/components", componentsHtml, StringComparison.Ordinal);
            Assert.Contains("https://api.example.test/health", monitorHtml, StringComparison.Ordinal);
            Assert.DoesNotContain("Save changes", monitorHtml, StringComparison.Ordinal);
            Assert.Contains("Campus IT", settingsHtml, StringComparison.Ordinal);
            Assert.DoesNotContain("action=\"/console/settings\"", settingsHtml, StringComparison.Ordinal);
            using var post = await browser.PostFormAsync("/console/components", "/console/components", new() { ["name"] = $"Made by {browser.GetHashCode()}" });
            using var settingsPost = await browser.PostFormAsync("/console/settings", "/console/settings", new() { ["name"] = "Taken over" });
            Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (post.StatusCode, settingsPost.StatusCode));
        }
        Assert.DoesNotContain(host.IncidentService.Commands.OfType<CreateComponent>(), c => c.Name.StartsWith("Made by", StringComparison.Ordinal));
        Assert.DoesNotContain(host.IncidentService.Commands.OfType<UpdatePageSettings>(), c => c.Name == "Taken over");
    }

    [Fact]
    public async Task Creating_an_http_monitor_sends_its_settings_and_a_refusal_lands_next_to_the_field()
    {
        using var admin = await host.AdminAsync();

        using var created = await admin.PostFormAsync("/console/monitors/new", "/console/monitors", new()
        {
            ["monitor_id"] = "website-home", ["component_id"] = "website", ["kind"] = "http", ["target"] = "https://www.example.test/",
            ["interval_seconds"] = "30", ["expected_status_codes"] = "200, 204", ["check.headers"] = "Accept: text/html\r\nX-Probe: status",
            ["check.keyword_present"] = "Welcome", ["check.conditions"] = "[RESPONSE_TIME] < 800\n", ["check.degraded_after_ms"] = "500",
        });
        using var refused = await admin.PostFormAsync("/console/monitors/new", "/console/monitors",
            new() { ["component_id"] = "website", ["kind"] = "http", ["target"] = "https://www.example.test/", ["interval_seconds"] = "0" });
        using var notANumber = await admin.PostFormAsync("/console/monitors/new", "/console/monitors",
            new() { ["component_id"] = "website", ["kind"] = "http", ["target"] = "https://www.example.test/", ["timeout_seconds"] = "soon" });

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/console/monitors/website-home?done=monitor", created.Headers.Location!.ToString());
        var sent = host.IncidentService.Commands.OfType<CreateMonitor>().Single(c => c.MonitorId == "website-home");
        Assert.Equal((ConsoleHost.AdminName, "website", "http", "https://www.example.test/", 30), (sent.Actor, sent.Monitor.ComponentId, sent.Monitor.Kind,
            sent.Monitor.Target, sent.Monitor.IntervalSeconds));
        Assert.Equal((null, null, null), (sent.Monitor.Method, sent.Monitor.TimeoutSeconds, sent.Monitor.PushTokenSha256));
        Assert.Equal([200, 204], sent.Monitor.ExpectedStatusCodes!);
        Assert.Equal([new HttpHeader("Accept", "text/html"), new HttpHeader("X-Probe", "status")], sent.Monitor.Check!.Headers!);
        Assert.Equal(("Welcome", 500, true), (sent.Monitor.Check.KeywordPresent, sent.Monitor.Check.DegradedAfterMs, sent.Monitor.Check.FollowRedirects));
        Assert.Equal(["[RESPONSE_TIME] < 800"], sent.Monitor.Check.Conditions!);
        var (page, html) = await admin.GetAsync("/console/monitors/website-home");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(">Accept: text/html\nX-Probe: status</textarea>", WebUtility.HtmlDecode(html), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Matches("""<span class="field-error" id="error-interval_seconds">'0' s must be between 1 s and 24 h</span>""",
            WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notANumber.StatusCode);
        Assert.Contains("id=\"error-timeout_seconds\">'soon' is not a whole number", WebUtility.HtmlDecode(await notANumber.Content.ReadAsStringAsync()),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_heartbeat_monitor_s_secret_is_shown_once_and_only_its_SHA_256_is_sent()
    {
        using var admin = await host.AdminAsync();

        using var created = await admin.PostFormAsync("/console/monitors/new", "/console/monitors",
            new() { ["monitor_id"] = "nightly-backup", ["component_id"] = "db", ["kind"] = "heartbeat", ["interval_seconds"] = "86400", ["grace_seconds"] = "600" });

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("no-store", created.Headers.CacheControl?.ToString());
        var html = await created.Content.ReadAsStringAsync();
        var token = TokenPattern().Match(html).Groups[1].Value;
        Assert.Matches("^[A-Za-z0-9_-]{43}$", token);
        Assert.Contains($"https://localhost/api/heartbeat/{token}", html, StringComparison.Ordinal);
        var sent = host.IncidentService.Commands.OfType<CreateMonitor>().Single(c => c.MonitorId == "nightly-backup");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), sent.Monitor.PushTokenSha256);
        Assert.Equal((86400, 600), (sent.Monitor.IntervalSeconds, sent.Monitor.GraceSeconds));
        var (again, later) = await admin.GetAsync("/console/monitors/nightly-backup");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.DoesNotContain(token, later, StringComparison.Ordinal);
        Assert.DoesNotContain("Check now", later, StringComparison.Ordinal);

        // Changing it keeps the secret unless a new one is asked for.
        using var kept = await admin.PostFormAsync("/console/monitors/nightly-backup", "/console/monitors/nightly-backup",
            new() { ["version"] = "1", ["component_id"] = "db", ["kind"] = "heartbeat", ["interval_seconds"] = "43200" });
        Assert.Equal(HttpStatusCode.Redirect, kept.StatusCode);
        Assert.Null(host.IncidentService.Commands.OfType<UpdateMonitor>().Single(c => c.MonitorId == "nightly-backup").Monitor.PushTokenSha256);
    }

    [Fact]
    public async Task A_monitor_the_file_defines_is_read_only_and_a_change_is_refused_with_the_reason()
    {
        using var admin = await host.AdminAsync();

        var (page, html) = await admin.GetAsync("/console/monitors/api-health");
        using var refused = await admin.PostFormAsync("/console/monitors/api-health", "/console/monitors/api-health",
            new() { ["component_id"] = "api", ["kind"] = "http", ["target"] = "https://elsewhere.example.test/" });

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Defined in the configuration file", html, StringComparison.Ordinal);
        Assert.DoesNotContain("action=\"/console/monitors/api-health\"", html, StringComparison.Ordinal);
        Assert.Contains("timed out after 5000 ms", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("'api-health' is defined in the configuration file", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var (list, listHtml) = await admin.GetAsync("/console/monitors");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("eu-west: <span class=\"badge outcome-down\">Down</span> 5012 ms – timed out after 5000 ms", listHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_now_asks_the_probes_and_the_monitor_page_shows_each_region_s_answer_as_it_comes()
    {
        using var responder = await host.UserAsync("carl", "responder");

        using var asked = await responder.PostFormAsync("/console/monitors/api-health", "/console/monitors/api-health/check", []);

        Assert.Equal(HttpStatusCode.Redirect, asked.StatusCode);
        var location = asked.Headers.Location!.ToString();
        Assert.Matches("^/console/monitors/api-health\\?check=[0-9a-f-]{36}$", location);
        var request = await Eventually.Until(() => Task.FromResult(host.Received.OfType<CheckNowRequested>()
            .SingleOrDefault(r => location.EndsWith(r.RequestId.ToString(), StringComparison.Ordinal))), r => r is not null, TimeSpan.FromSeconds(10), "the request at the probes");
        Assert.Equal(("api-health", "carl"), (request!.MonitorId, request.RequestedBy));
        var html = await Eventually.Until(async () => (await responder.GetAsync(location)).Html,
            h => h.Split("class=\"check-now-result\"").Length == 3, TimeSpan.FromSeconds(20), "both regions' answers");
        Assert.Contains("connection refused", html, StringComparison.Ordinal);
        Assert.Contains("probe-us-east", html, StringComparison.Ordinal);
        // Both regions that reported before answered: the page stops reloading itself.
        Assert.DoesNotContain("http-equiv=\"refresh\"", html, StringComparison.Ordinal);

        using var viewer = await host.UserAsync("vic", "viewer");
        using var forbidden = await viewer.PostFormAsync("/console/monitors/api-health", "/console/monitors/api-health/check", []);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task Page_settings_send_only_the_changed_fields_and_a_refused_colour_shows_next_to_its_field()
    {
        using var admin = await host.AdminAsync();
        var before = host.IncidentService.Commands.OfType<UpdatePageSettings>().Count();

        using var saved = await admin.PostFormAsync("/console/settings", "/console/settings", new()
        {
            ["version"] = "0", ["name"] = "Campus IT status", ["url"] = "https://status.example.test", ["time_zone"] = "Europe/Berlin", ["accent_color"] = "#1a7f37",
        });
        using var refused = await admin.PostFormAsync("/console/settings", "/console/settings",
            new() { ["name"] = "Campus IT", ["url"] = "https://status.example.test", ["time_zone"] = "Europe/Berlin", ["accent_color_dark"] = "green" });

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var sent = host.IncidentService.Commands.OfType<UpdatePageSettings>().Skip(before).First();
        Assert.Equal((ConsoleHost.AdminName, "Campus IT status", "#1a7f37"), (sent.Actor, sent.Name, sent.AccentColor));
        Assert.Equal((null, null, null, null, null), (sent.Url, sent.TimeZone, sent.LogoUrl, sent.AccentColorDark, sent.CustomCss));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("id=\"error-accent_color_dark\">'green' is not a colour", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()),
            StringComparison.Ordinal);
    }

    [GeneratedRegex("<code class=\"secret token\">([^<]+)</code>")]
    private static partial Regex TokenPattern();
}
