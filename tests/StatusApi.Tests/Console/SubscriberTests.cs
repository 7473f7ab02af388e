using System.Net;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Tests.Console;

/// <summary>The subscribers pages: asked of Notify.Service over the bus (a stand-in here), quarantine and delivery history shown, changes admin only.</summary>
public sealed class SubscriberTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task The_search_asks_Notify_Service_and_shows_each_subscriber_s_state_including_quarantine()
    {
        using var responder = await host.UserAsync("quinn", "responder");

        var (response, html) = await responder.GetAsync("/console/subscribers?q=BOUNCED&state=quarantined&channel=email");
        var (bad, badHtml) = await responder.GetAsync("/console/subscribers?state=nonsense");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var asked = host.Received.OfType<ListSubscribers>().First(r => r.Query == "BOUNCED");
        Assert.Equal(("quarantined", "email", 1, 50), (asked.State, asked.Channel, asked.Page, asked.PerPage));
        Assert.Contains("bounced@example.test", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge state-quarantined\">quarantined</span>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("fine@example.test", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Must be one of pending, confirmed", badHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subscriber_page_shows_why_it_is_quarantined_and_its_deliveries_and_an_admin_lifts_the_quarantine()
    {
        using var admin = await host.AdminAsync();

        var (response, html) = await admin.GetAsync("/console/subscribers/sub-bounced");
        using var lifted = await admin.PostFormAsync("/console/subscribers/sub-bounced", "/console/subscribers/sub-bounced/reactivate", []);
        var (missing, _) = await admin.GetAsync("/console/subscribers/nobody");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("after 5 failed deliveries in a row: <span class=\"error\">550 5.1.1 mailbox unavailable</span>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/console/incidents/inc-old\">inc-old</a>", html, StringComparison.Ordinal);
        Assert.Contains("Lift the quarantine", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, lifted.StatusCode);
        Assert.Equal("sub-bounced", host.Received.OfType<ReactivateSubscriber>().Single().SubscriberId);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Viewers_do_not_see_addresses_and_responders_cannot_change_subscribers()
    {
        using var viewer = await host.UserAsync("vanna", "viewer");
        using var responder = await host.UserAsync("roy", "responder");

        var (list, _) = await viewer.GetAsync("/console/subscribers");
        var (details, html) = await responder.GetAsync("/console/subscribers/sub-fine");
        using var remove = await responder.PostFormAsync("/console/subscribers/sub-fine", "/console/subscribers/sub-fine/remove", []);

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, details.StatusCode);
        Assert.DoesNotContain("End this subscription", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, remove.StatusCode);
        Assert.Empty(host.Received.OfType<RemoveSubscriber>());
    }
}
