using System.Net;
using StatusPlatform.Contracts;
using static StatusPlatform.StatusApi.Tests.AdminApi.AdminApiHost;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>Incident writes become commands: what they carry, how the answers map to HTTP, and If-Match.</summary>
public sealed class IncidentWriteTests(AdminApiHost host) : IClassFixture<AdminApiHost>
{
    private const string Incidents = $"/api/v1/pages/{PageId}/incidents";

    private async Task<(string Id, string ETag)> CreateAsync(string key, string name)
    {
        using var response = await host.Anonymous.SendAsync(Request(HttpMethod.Post, Incidents, key,
            $$$"""{"incident": {"name": "{{{name}}}", "status": "identified", "body": "Found it.", "components": {"api": "partial_outage"}, "component_ids": ["api", "website"]}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ((await JsonAsync(response)).GetProperty("id").GetString()!, response.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Create_answers_201_with_the_incident_as_the_read_model_shows_it_and_the_command_carries_the_key_s_name()
    {
        var (_, key) = await host.CreateKeyAsync("alice-laptop", "responder");

        using var response = await host.Anonymous.SendAsync(Request(HttpMethod.Post, Incidents, key,
            """{"incident": {"name": "API errors", "status": "identified", "body": "Found it.", "components": {"api": "partial_outage"}, "component_ids": ["api", "website"], "deliver_notifications": false}}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var incident = await JsonAsync(response);
        var id = incident.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/pages/{PageId}/incidents/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"v1\"", response.Headers.ETag?.Tag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal(("API errors", "identified", PageId), (incident.GetProperty("name").GetString(), incident.GetProperty("status").GetString(), incident.GetProperty("page_id").GetString()));
        Assert.Equal("Found it.", incident.GetProperty("incident_updates")[0].GetProperty("body").GetString());
        // In the page's time zone (America/Tijuana: -08:00, or -07:00 in summer) with milliseconds, as on the public API.
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-0[78]:00$", incident.GetProperty("created_at").GetString());
        var command = host.IncidentService.Commands.OfType<CreateIncident>().Single(c => c.Name == "API errors");
        Assert.Equal("alice-laptop", command.Actor);
        Assert.False(command.DeliverNotifications);
        // The map's status for api; website listed without one keeps the status it shows.
        Assert.Equal([new ComponentStatusChange("api", "partial_outage"), new ComponentStatusChange("website", "operational")], command.Components);
    }

    [Fact]
    public async Task Field_errors_answer_400_with_the_body_s_paths_and_send_nothing_or_change_nothing()
    {
        var before = host.IncidentService.Commands.Count;
        using var noName = await host.Admin.SendAsync(Request(HttpMethod.Post, Incidents, json: """{"incident": {"status": "investigating", "body": "x"}}"""));
        using var unknownComponent = await host.Admin.SendAsync(Request(HttpMethod.Post, Incidents, json: """{"incident": {"name": "n", "components": {"nope": "major_outage"}}}"""));
        var sent = host.IncidentService.Commands.Count - before;
        using var maintenance = await host.Admin.SendAsync(Request(HttpMethod.Post, Incidents, json: """{"incident": {"name": "n", "scheduled_for": "2030-01-01T00:00:00Z"}}"""));
        using var unwrapped = await host.Admin.SendAsync(Request(HttpMethod.Post, Incidents, json: """{"name": "n"}"""));
        using var wrongType = await host.Admin.SendAsync(Request(HttpMethod.Post, Incidents, json: """{"incident": {"name": 42}}"""));
        using var malformed = await host.Admin.SendAsync(Request(HttpMethod.Post, Incidents, json: """{"incident": {"name": "n",}"""));

        Assert.Equal(2, sent); // the first two reached Incident.Service (which refused them), the rest never left StatusApi
        Assert.Equal(host.IncidentService.Commands.Count - before, sent);
        await AssertFieldErrorAsync(noName, "incident.name");
        await AssertFieldErrorAsync(unknownComponent, "incident.components.nope");
        await AssertFieldErrorAsync(maintenance, "incident.scheduled_for");
        await AssertFieldErrorAsync(unwrapped, "incident");
        await AssertFieldErrorAsync(wrongType, "incident.name");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("line 1", (await JsonAsync(malformed)).GetProperty("errors").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task If_match_is_sent_as_the_expected_version_and_the_answer_carries_the_next_ETag()
    {
        var (id, etag) = await CreateAsync(host.Admin.DefaultRequestHeaders.Authorization!.Parameter!, "Slow pages");

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Incidents}/{id}", ifMatch: etag,
            json: """{"incident": {"status": "monitoring", "body": "A fix is out.", "name": "Slow pages (fixed)"}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"v2\"", response.Headers.ETag?.Tag);
        var command = host.IncidentService.Last<PostIncidentUpdate>();
        Assert.Equal((id, 1L, "monitoring", "A fix is out.", "Slow pages (fixed)", "bootstrap"),
            (command.IncidentId, command.ExpectedVersion, command.Status, command.Body, command.Name, command.Actor));
        var incident = await JsonAsync(response);
        Assert.Equal("monitoring", incident.GetProperty("status").GetString());
        Assert.Equal(2, incident.GetProperty("incident_updates").GetArrayLength());
        Assert.Equal("A fix is out.", incident.GetProperty("incident_updates")[0].GetProperty("body").GetString());

        // A reader who never wrote gets the same ETag from GET, and a write with it goes through.
        using var read = await host.Admin.GetAsync(new Uri($"{Incidents}/{id}", UriKind.Relative));
        Assert.Equal("\"v2\"", read.Headers.ETag?.Tag);
        using var next = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Incidents}/{id}", ifMatch: read.Headers.ETag!.Tag,
            json: """{"incident": {"status": "resolved", "body": "Done."}}"""));
        Assert.Equal("\"v3\"", next.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task A_stale_if_match_answers_412_with_the_current_ETag_and_changes_nothing()
    {
        var (id, etag) = await CreateAsync(host.Admin.DefaultRequestHeaders.Authorization!.Parameter!, "Racing responders");
        using (var first = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Incidents}/{id}", ifMatch: etag,
                   json: """{"incident": {"body": "First responder."}}""")))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var second = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Incidents}/{id}", ifMatch: etag,
            json: """{"incident": {"body": "Second responder, who had not seen the first."}}"""));

        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        Assert.Equal("\"v2\"", second.Headers.ETag?.Tag);
        Assert.Equal("urn:statusplatform:problem:version-conflict", (await JsonAsync(second)).GetProperty("type").GetString());
        Assert.Equal(2L, await host.ScalarAsync<long>("select count(*) from status.incident_updates where incident_id = $1", id));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("\"1\"")]
    [InlineData("\"v1\", \"v2\"")]
    public async Task An_if_match_this_API_did_not_issue_is_a_field_error(string ifMatch)
    {
        var (id, _) = await CreateAsync(host.Admin.DefaultRequestHeaders.Authorization!.Parameter!, $"Bad if-match {ifMatch.Length}");

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Incidents}/{id}", ifMatch: ifMatch,
            json: """{"incident": {"body": "x"}}"""));

        await AssertFieldErrorAsync(response, "If-Match");
    }

    [Fact]
    public async Task Unknown_pages_and_incidents_answer_404()
    {
        using var page = await host.Admin.GetAsync(new Uri("/api/v1/pages/nosuchpage/incidents", UriKind.Relative));
        using var incident = await host.Admin.GetAsync(new Uri($"{Incidents}/nosuchincident", UriKind.Relative));
        using var update = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Incidents}/nosuchincident", json: """{"incident": {"body": "x"}}"""));

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, incident.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);
    }

    [Fact]
    public async Task A_command_nobody_answers_is_a_503_after_the_command_timeout()
    {
        using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Incidents,
            json: $$$"""{"incident": {"name": "{{{FakeIncidentService.Unanswered}}}"}}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("urn:statusplatform:problem:command-unavailable", (await JsonAsync(response)).GetProperty("type").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_postmortem_draft_is_saved_then_published_as_a_command_with_the_draft()
    {
        var (id, _) = await CreateAsync(host.Admin.DefaultRequestHeaders.Authorization!.Parameter!, "Postmortem me");
        using (var resolve = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Incidents}/{id}", json: """{"incident": {"status": "resolved", "body": "Fixed."}}""")))
            Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);

        using var draft = await host.Admin.SendAsync(Request(HttpMethod.Put, $"{Incidents}/{id}/postmortem", json: """{"postmortem": {"body_draft": "A disk filled up."}}"""));
        var commandsAfterDraft = host.IncidentService.Commands.OfType<PublishPostmortem>().Count(c => c.IncidentId == id);
        using var publish = await host.Admin.SendAsync(Request(HttpMethod.Put, $"{Incidents}/{id}/postmortem/publish", json: """{"postmortem": {"notify_twitter": false}}"""));

        Assert.Equal(HttpStatusCode.OK, draft.StatusCode);
        Assert.Equal(0, commandsAfterDraft);
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        Assert.Equal("A disk filled up.", host.IncidentService.Commands.OfType<PublishPostmortem>().Single(c => c.IncidentId == id).Body);
        Assert.Equal("A disk filled up.", (await JsonAsync(publish)).GetProperty("body").GetString());
        Assert.Equal("\"v3\"", publish.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task A_component_status_patch_is_a_manual_override_answered_with_the_component()
    {
        using var response = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"/api/v1/pages/{PageId}/components/website",
            json: """{"component": {"status": "major_outage"}}"""));
        using var rename = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"/api/v1/pages/{PageId}/components/website",
            json: """{"component": {"name": "Site"}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("major_outage", (await JsonAsync(response)).GetProperty("status").GetString());
        Assert.Equal(("website", "major_outage", "bootstrap"), host.IncidentService.Commands.OfType<SetComponentOverride>()
            .Select(c => (c.ComponentId, c.Status, c.Actor)).Single());
        Assert.Equal("\"v4\"", response.Headers.ETag?.Tag);
        // The configuration file defines website: Incident.Service refuses the rename for the component as a whole.
        await AssertFieldErrorAsync(rename, "component");
    }

    private static async Task AssertFieldErrorAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await JsonAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages) && messages.GetArrayLength() > 0, $"no error for {field}: {errors}");
    }
}
