using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Tickets;

/// <summary>
/// Tickets against a local fake JIRA that checks requests against JIRA's REST v2 shapes (and answers 400 like JIRA
/// when they do not match): an issue on the opening, a comment per update, a transition on resolve.
/// </summary>
public sealed class JiraTicketTests
{
    private const string Owner = "5b10ac8d82e05b22cc7d4ef5";

    [Fact]
    public async Task An_incident_gets_an_issue_assigned_to_the_owner_a_comment_per_update_and_a_transition_on_resolve()
    {
        await using var jira = await FakeReceiver.StartAsync();
        jira.Respond = FakeJira;
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(
            ("Notify:Jira:BaseUrl", jira.BaseUri.ToString()),
            ("Notify:Jira:Project", "OPS"),
            ("Notify:Jira:User", "bot@example.com"),
            ("Notify:Jira:ApiToken", "api-token"),
            ("Notify:Jira:ResolveTransitionId", "31"),
            ($"Notify:Jira:Owners:{ServiceWithSubscribers.Api}", Owner)));
        var announced = new TaskCompletionSource<IncidentTicketCreated>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handle = given.Service.Bus.ConnectReceiveEndpoint($"test-tickets-{Guid.NewGuid():N}", e => e.Handler<IncidentTicketCreated>(context =>
        {
            announced.TrySetResult(context.Message);
            return Task.CompletedTask;
        }));
        await handle.Ready;
        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Website, Fixtures.Incidents.Api);
        var openedId = NewId.NextGuid();

        await given.Service.PublishAsync(opened, openedId);
        await given.Service.PublishAsync(opened, openedId); // a redelivery creates nothing more

        var ticket = await announced.Task.WaitAsync(NotifyServiceHost.Patience);
        Assert.Equal((opened.IncidentId, "OPS-1", new Uri(jira.BaseUri, "browse/OPS-1").ToString()), (ticket.IncidentId, ticket.TicketKey, ticket.Url));
        var create = Assert.Single(jira.To("/rest/api/2/issue"));
        var fields = JsonNode.Parse(create.Body)!["fields"]!;
        Assert.Equal(("OPS", "Task", Owner), ((string?)fields["project"]!["key"], (string?)fields["issuetype"]!["name"], (string?)fields["assignee"]!["accountId"]));
        Assert.Contains(opened.Name, (string?)fields["summary"]);
        Assert.Contains($"incident-{opened.IncidentId}", fields["labels"]!.AsArray().Select(l => (string?)l));
        Assert.Contains($"/incidents/{opened.IncidentId}", (string?)fields["description"]);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bot@example.com:api-token")), create.Header("Authorization"));

        var updateId = NewId.NextGuid();
        var update = new IncidentUpdated(opened.IncidentId, "u2", opened.Name, IncidentStatus.Identified, "The database is full.", opened.Components, DateTimeOffset.UtcNow);
        await given.Service.PublishAsync(update, updateId);
        await given.Service.PublishAsync(update, updateId);
        await given.Service.PublishAsync(Fixtures.Incidents.Resolved(opened), NewId.NextGuid());

        var transition = Assert.Single(await Eventually.Until(() => Task.FromResult(jira.To("/rest/api/2/issue/OPS-1/transitions")), r => r.Count > 0,
            NotifyServiceHost.Patience, "the resolve transition"));
        Assert.Equal("31", (string?)JsonNode.Parse(transition.Body)!["transition"]!["id"]);
        var comments = jira.To("/rest/api/2/issue/OPS-1/comment");
        Assert.Equal(2, comments.Count);
        Assert.Contains("The database is full.", (string?)JsonNode.Parse(comments[0].Body)!["body"]);
        Assert.Contains("The problem is fixed.", (string?)JsonNode.Parse(comments[1].Body)!["body"]);
        Assert.Single(jira.To("/rest/api/2/issue"));
        Assert.All(jira.Received, r => Assert.NotEqual(400, FakeJira(r).Status));
        await handle.StopAsync();
    }

    /// <summary>JIRA's REST v2 as far as the requests go: the documented shapes, 400 with errorMessages otherwise.</summary>
    private static (int Status, string Body) FakeJira(ReceivedRequest request)
    {
        JsonNode? body = null;
        try
        {
            body = request.Body.Length == 0 ? null : JsonNode.Parse(request.Body);
        }
        catch (JsonException)
        {
            return Bad("body is not JSON");
        }
        if (request.Header("Authorization") is null)
            return (401, "");
        return (request.Method, request.Path) switch
        {
            ("GET", "/rest/api/2/search") => (200, "{\"startAt\":0,\"maxResults\":1,\"total\":0,\"issues\":[]}"),
            ("POST", "/rest/api/2/issue") when body?["fields"] is JsonObject f
                && f["project"]?["key"] is JsonValue && f["summary"] is JsonValue && f["issuetype"]?["name"] is JsonValue
                && (f["assignee"] is null || f["assignee"]?["accountId"] is JsonValue || f["assignee"]?["name"] is JsonValue)
                && (f["labels"] is null || f["labels"]!.AsArray().All(l => l is JsonValue v && !v.ToString().Contains(' ', StringComparison.Ordinal)))
                => (201, "{\"id\":\"10001\",\"key\":\"OPS-1\",\"self\":\"http://jira/rest/api/2/issue/10001\"}"),
            ("POST", "/rest/api/2/issue") => Bad("fields.project.key, summary and issuetype are required"),
            ("POST", "/rest/api/2/issue/OPS-1/comment") when body?["body"] is JsonValue => (201, "{\"id\":\"1\"}"),
            ("POST", "/rest/api/2/issue/OPS-1/transitions") when body?["transition"]?["id"] is JsonValue => (204, ""),
            _ => Bad($"unexpected {request.Method} {request.Path}"),
        };

        static (int, string) Bad(string why) => (400, JsonSerializer.Serialize(new { errorMessages = new[] { why }, errors = new { } }));
    }
}
