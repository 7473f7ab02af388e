using System.Net;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Tests.Console;

/// <summary>Posting incidents and maintenance from the console: the commands they send, previews, the dashboard.</summary>
public sealed class IncidentTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Posting_an_incident_sends_CreateIncident_with_the_user_s_name_as_actor_and_shows_it()
    {
        using var responder = await host.UserAsync("erin", "responder");

        using var post = await responder.PostFormAsync("/console/incidents/new", "/console/incidents", new()
        {
            ["name"] = "Login fails for {components}",
            ["status"] = "identified",
            ["body"] = "We **know** why.",
            ["component.api"] = "major_outage",
            ["component.db"] = "degraded_performance",
            ["component.website"] = "",
            ["action"] = "post",
        });

        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        var command = host.IncidentService.Commands.OfType<CreateIncident>().Single(c => c.Name.StartsWith("Login fails", StringComparison.Ordinal));
        Assert.Equal("erin", command.Actor);
        Assert.Equal("Login fails for Backend › API, Backend › Database", command.Name);
        Assert.Equal(("identified", "We **know** why.", false), (command.Status, command.Body, command.DeliverNotifications));
        Assert.Equal([new ComponentStatusChange("api", "major_outage"), new ComponentStatusChange("db", "degraded_performance")],
            command.Components!.OrderBy(c => c.ComponentId));
        var location = post.Headers.Location!.ToString();
        Assert.Matches("^/console/incidents/inc[0-9]+\\?done=posted$", location);
        var (page, html) = await responder.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<strong>know</strong>", html, StringComparison.Ordinal);
        Assert.Contains("Posted.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_renders_safe_markdown_and_counts_the_subscribers_it_will_reach_without_sending_anything()
    {
        using var admin = await host.AdminAsync();
        var before = host.IncidentService.Commands.Count;

        using var preview = await admin.PostFormAsync("/console/incidents/new", "/console/incidents", new()
        {
            ["name"] = "Slow API",
            ["body"] = "Slow <script>alert(1)</script> [click](javascript:alert(2)) *now*",
            ["component.api"] = "degraded_performance",
            ["deliver"] = "true",
            ["action"] = "preview",
        });

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var html = await preview.Content.ReadAsStringAsync();
        var rendered = html[html.IndexOf("<section class=\"preview\"", StringComparison.Ordinal)..];
        Assert.Contains("<em>now</em>", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", rendered, StringComparison.Ordinal);
        // ann (whole page, email) and the Slack hook (api, db); not bob (website), the unconfirmed or the quarantined one.
        Assert.Contains("Will reach up to 2 subscribers: 1 by email, 1 by slack.", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Slow API\"", html, StringComparison.Ordinal);
        Assert.Equal(before, host.IncidentService.Commands.Count);
    }

    [Fact]
    public async Task Updating_resolving_and_a_stale_form_send_PostIncidentUpdate_with_the_version_the_author_saw()
    {
        using var admin = await host.AdminAsync();
        using var created = await admin.PostFormAsync("/console/incidents/new", "/console/incidents",
            new() { ["name"] = "Mail delayed", ["body"] = "Looking.", ["component.website"] = "partial_outage", ["action"] = "post" });
        var page = created.Headers.Location!.ToString().Split('?')[0];
        var id = page.Split('/')[^1];

        using var update = await admin.PostFormAsync(page, page + "/updates",
            new() { ["version"] = "1", ["status"] = "monitoring", ["body"] = "Fix deployed.", ["component.website"] = "operational", ["action"] = "post" });
        Assert.Equal(HttpStatusCode.Redirect, update.StatusCode);
        var sent = host.IncidentService.Commands.OfType<PostIncidentUpdate>().Single(c => c.IncidentId == id);
        Assert.Equal((ConsoleHost.AdminName, "monitoring", "Fix deployed.", 1L), (sent.Actor, sent.Status, sent.Body, sent.ExpectedVersion));

        // A form opened before that update still carries version 1: nothing is posted, and the author is told.
        using var stale = await admin.PostFormAsync(page, page + "/updates",
            new() { ["version"] = "1", ["status"] = "resolved", ["body"] = "All good.", ["action"] = "post" });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("Someone else changed this incident", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, host.IncidentService.VersionOf(id));

        using var resolve = await admin.PostFormAsync(page, page + "/updates",
            new() { ["version"] = "2", ["status"] = "resolved", ["body"] = "All good.", ["deliver"] = "true", ["action"] = "post" });
        Assert.Equal(HttpStatusCode.Redirect, resolve.StatusCode);
        Assert.Equal("resolved", host.IncidentService.Commands.OfType<PostIncidentUpdate>().Last(c => c.IncidentId == id).Status);

        using var postmortem = await admin.PostFormAsync(page, page + "/postmortem", new() { ["version"] = "3", ["postmortem"] = "The queue filled up." });
        Assert.Equal(HttpStatusCode.Redirect, postmortem.StatusCode);
        Assert.Equal((ConsoleHost.AdminName, "The queue filled up."), host.IncidentService.Commands.OfType<PublishPostmortem>()
            .Where(c => c.IncidentId == id).Select(c => (c.Actor, c.Body)).Single());
    }

    [Fact]
    public async Task Scheduling_maintenance_reads_the_calendar_times_in_the_page_s_zone_and_sends_the_reminders()
    {
        using var responder = await host.UserAsync("finn", "responder");

        using var post = await responder.PostFormAsync("/console/maintenances", "/console/maintenances", new()
        {
            ["name"] = "Database upgrade",
            ["scheduled_for"] = "2030-07-01T22:00",
            ["scheduled_until"] = "2030-07-01T23:30",
            ["component"] = "db",
            ["reminders"] = "60, 1440",
            ["auto_transition"] = "true",
            ["body"] = "Short read-only phase.",
        });
        using var bad = await responder.PostFormAsync("/console/maintenances", "/console/maintenances",
            new() { ["name"] = "Broken", ["scheduled_for"] = "tomorrow", ["scheduled_until"] = "2030-07-01T23:30", ["reminders"] = "soon" });

        Assert.True(post.StatusCode == HttpStatusCode.Redirect, await post.Content.ReadAsStringAsync());
        var command = host.IncidentService.Commands.OfType<ScheduleMaintenance>().Single(c => c.Name == "Database upgrade");
        // Europe/Berlin in July is UTC+2.
        Assert.Equal(new DateTimeOffset(2030, 7, 1, 20, 0, 0, TimeSpan.Zero), command.ScheduledFor);
        Assert.Equal(new DateTimeOffset(2030, 7, 1, 21, 30, 0, TimeSpan.Zero), command.ScheduledUntil);
        Assert.Equal(("finn", true, false), (command.Actor, command.AutoTransition, command.DeliverNotifications));
        Assert.Equal(["db"], command.ComponentIds);
        Assert.Equal([60, 1440], command.ReminderMinutesBefore!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var html = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
        Assert.Contains("'tomorrow' is not a date and time", html, StringComparison.Ordinal);
        Assert.Contains("'soon' is not a whole number of minutes", html, StringComparison.Ordinal);
        Assert.DoesNotContain(host.IncidentService.Commands.OfType<ScheduleMaintenance>(), c => c.Name == "Broken");
    }

    [Fact]
    public async Task The_dashboard_shows_components_open_incidents_and_the_last_check_per_monitor_and_region()
    {
        using var admin = await host.AdminAsync();
        using var created = await admin.PostFormAsync("/console/incidents/new", "/console/incidents",
            new() { ["name"] = "Printing broken", ["body"] = "Investigating.", ["action"] = "post" });

        var (response, html) = await admin.GetAsync("/console");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Backend › Database", html, StringComparison.Ordinal);
        Assert.Contains("Printing broken", html, StringComparison.Ordinal);
        // eu-west's newest check (down, with its error and DNS time), not the older success; us-east's one.
        Assert.Contains("timed out after 5000 ms", html, StringComparison.Ordinal);
        Assert.Contains("5012 ms", html, StringComparison.Ordinal);
        Assert.DoesNotContain("44 ms", html, StringComparison.Ordinal);
        Assert.Contains("us-east", html, StringComparison.Ordinal);
    }
}
