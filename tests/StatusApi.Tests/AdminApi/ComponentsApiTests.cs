using System.Net;
using StatusPlatform.Contracts;
using static StatusPlatform.StatusApi.Tests.AdminApi.AdminApiHost;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>Components through the admin API: create, change, pin, delete as commands; what they carry; If-Match; refusals change nothing.</summary>
public sealed class ComponentsApiTests(AdminApiHost host) : IClassFixture<AdminApiHost>
{
    private const string Components = $"/api/v1/pages/{PageId}/components";

    private async Task<(string Id, string ETag)> CreateAsync(string id, string name)
    {
        using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Components, json: $$$"""{"component": {"id": "{{{id}}}", "name": "{{{name}}}"}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (id, response.Headers.ETag!.Tag);
    }

    private Task<long> RowsAsync() => host.ScalarAsync<long>("select count(*) from status.components");

    [Fact]
    public async Task Create_answers_201_with_the_component_as_the_read_model_shows_it_and_the_command_carries_every_field()
    {
        using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Components, json: """
            {"component": {"id": "billing", "name": "Billing", "description": "Invoices and payments", "showcase": false,
             "only_show_if_degraded": true, "owner": "team-billing", "automation": false, "position": 5, "start_date": null}}
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"{Components}/billing", response.Headers.Location?.OriginalString);
        Assert.Equal("\"v1\"", response.Headers.ETag?.Tag);
        var component = await JsonAsync(response);
        Assert.Equal(("billing", "Billing", "Invoices and payments", PageId, 5, false, true, false),
            (component.GetProperty("id").GetString(), component.GetProperty("name").GetString(), component.GetProperty("description").GetString(),
             component.GetProperty("page_id").GetString(), component.GetProperty("position").GetInt32(), component.GetProperty("showcase").GetBoolean(),
             component.GetProperty("only_show_if_degraded").GetBoolean(), component.GetProperty("group").GetBoolean()));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-0[78]:00$", component.GetProperty("created_at").GetString());
        var sent = host.IncidentService.Commands.OfType<CreateComponent>().Single(c => c.ComponentId == "billing");
        Assert.Equal(("bootstrap", "team-billing", false, 5, false, false), (sent.Actor, sent.Owner, sent.Automation, sent.Position, sent.IsGroup, sent.Showcase));
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is SetComponentOverride { ComponentId: "billing" });
    }

    [Fact]
    public async Task A_status_given_at_creation_is_pinned_as_the_override()
    {
        using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Components,
            json: """{"component": {"id": "legacy-ftp", "name": "Legacy FTP", "status": "partial_outage"}}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("partial_outage", (await JsonAsync(response)).GetProperty("status").GetString());
        Assert.Equal(("legacy-ftp", "partial_outage"), host.IncidentService.Commands.OfType<SetComponentOverride>()
            .Where(c => c.ComponentId == "legacy-ftp").Select(c => (c.ComponentId, c.Status)).Single());
        Assert.Equal("\"v2\"", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task An_update_sends_only_what_changed_with_if_match_as_the_expected_version()
    {
        var (id, etag) = await CreateAsync("search", "Search");

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Components}/{id}", ifMatch: etag,
            json: """{"component": {"name": "Site search", "description": "Full-text search", "showcase": true, "owner": "team-search"}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"v2\"", response.Headers.ETag?.Tag);
        var component = await JsonAsync(response);
        Assert.Equal(("Site search", "Full-text search"), (component.GetProperty("name").GetString(), component.GetProperty("description").GetString()));
        var sent = host.IncidentService.Commands.OfType<UpdateComponent>().Single(c => c.ComponentId == id);
        // showcase was already true: not a change, so not sent.
        Assert.Equal(("Site search", "Full-text search", (bool?)null, "team-search", 1L, (string?)null),
            (sent.Name, sent.Description, sent.Showcase, sent.Owner, sent.ExpectedVersion, sent.GroupId));
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is SetComponentOverride { ComponentId: "search" });
    }

    [Fact]
    public async Task A_stale_if_match_answers_412_with_the_current_ETag_and_changes_nothing()
    {
        var (id, etag) = await CreateAsync("queue", "Queue");
        using (var first = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Components}/{id}", ifMatch: etag, json: """{"component": {"name": "Queues"}}""")))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var second = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Components}/{id}", ifMatch: etag,
            json: """{"component": {"name": "Message queue", "status": "major_outage"}}"""));
        using var delete = await host.Admin.SendAsync(Request(HttpMethod.Delete, $"{Components}/{id}", ifMatch: etag));

        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        Assert.Equal("\"v2\"", second.Headers.ETag?.Tag);
        Assert.Equal("urn:statusplatform:problem:version-conflict", (await JsonAsync(second)).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, delete.StatusCode);
        Assert.Equal(("Queues", "operational"), (await host.ScalarAsync<string>("select name from status.components where id = $1", id),
            await host.ScalarAsync<string>("select status from status.components where id = $1", id)));
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is SetComponentOverride { ComponentId: "queue" });
    }

    [Fact]
    public async Task The_whole_component_sent_back_with_a_new_status_pins_only_the_status_even_for_a_file_defined_one()
    {
        using var read = await host.Admin.GetAsync(new Uri($"{Components}/api", UriKind.Relative));
        var api = await JsonAsync(read);

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Put, $"{Components}/api", json: $$$"""
            {"component": {"name": "{{{api.GetProperty("name").GetString()}}}", "description": null, "showcase": true, "position": 2, "status": "degraded_performance"}}
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("degraded_performance", (await JsonAsync(response)).GetProperty("status").GetString());
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is UpdateComponent { ComponentId: "api" });
        Assert.Equal(("api", "degraded_performance"), host.IncidentService.Commands.OfType<SetComponentOverride>()
            .Where(c => c.ComponentId == "api").Select(c => (c.ComponentId, c.Status)).Single());
    }

    [Fact]
    public async Task Renaming_a_component_the_configuration_file_defines_is_refused_with_the_reason()
    {
        using var response = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Components}/website", json: """{"component": {"name": "Site"}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("configuration file", (await JsonAsync(response)).GetProperty("errors").GetProperty("component")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("Website", await host.ScalarAsync<string>("select name from status.components where id = 'website'"));
    }

    [Theory]
    [InlineData("""{"component": {"name": 42}}""", "component.name")]
    [InlineData("""{"component": {"name": "x", "position": "2"}}""", "component.position")]
    [InlineData("""{"component": {"name": "x", "showcase": "yes"}}""", "component.showcase")]
    [InlineData("""{"component": {"name": "x", "status": "down"}}""", "component.status")]
    [InlineData("""{"component": {"name": "x", "start_date": "2024-01-01"}}""", "component.start_date")]
    [InlineData("""{"component": {"name": "x", "colour": "red"}}""", "component.colour")]
    [InlineData("""{"component": {"name": "x", "group": true}}""", "component.group")]
    [InlineData("""{"name": "x"}""", "component")]
    [InlineData("""{"component": {"name": ""}}""", "component.name")]
    [InlineData("""{"component": {"name": "x", "position": 0}}""", "component.position")]
    [InlineData("""{"component": {"name": "x", "group_id": "website"}}""", "component.group_id")]
    [InlineData("""{"component": {"name": "x", "id": "Not Valid"}}""", "component.id")]
    [InlineData("""{"component": {"name": "x", "id": "website"}}""", "component.id")]
    public async Task Invalid_components_answer_400_with_the_body_path_and_create_nothing(string json, string field)
    {
        var before = await RowsAsync();

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Components, json: json));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _), body);
        Assert.Equal(before, await RowsAsync());
    }

    [Fact]
    public async Task Delete_answers_204_and_the_component_is_gone_unknown_ones_answer_404()
    {
        var (id, etag) = await CreateAsync("old-wiki", "Old wiki");

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Delete, $"{Components}/{id}", ifMatch: etag));
        using var again = await host.Admin.SendAsync(Request(HttpMethod.Delete, $"{Components}/{id}"));
        using var read = await host.Admin.GetAsync(new Uri($"{Components}/{id}", UriKind.Relative));
        using var patch = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Components}/nosuch", json: """{"component": {"name": "x"}}"""));
        using var wrongPage = await host.Admin.SendAsync(Request(HttpMethod.Post, "/api/v1/pages/otherpage/components", json: """{"component": {"name": "On another page"}}"""));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0L, await host.ScalarAsync<long>("select count(*) from status.components where id = $1", id));
        Assert.Equal((1L, "bootstrap"), host.IncidentService.Commands.OfType<DeleteComponent>().Where(c => c.ComponentId == id)
            .Select(c => (c.ExpectedVersion!.Value, c.Actor)).Single());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, wrongPage.StatusCode);
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is CreateComponent { Name: "On another page" });
    }

    [Fact]
    public async Task Viewers_read_responders_and_viewers_may_not_write_and_no_key_is_401()
    {
        var (_, viewer) = await host.CreateKeyAsync("components-viewer", "viewer");
        var (_, responder) = await host.CreateKeyAsync("components-responder", "responder");
        const string create = """{"component": {"id": "not-allowed", "name": "Nope"}}""";

        using var viewerRead = await host.Anonymous.SendAsync(Request(HttpMethod.Get, Components, viewer));
        using var viewerCreate = await host.Anonymous.SendAsync(Request(HttpMethod.Post, Components, viewer, create));
        using var responderCreate = await host.Anonymous.SendAsync(Request(HttpMethod.Post, Components, responder, create));
        using var responderDelete = await host.Anonymous.SendAsync(Request(HttpMethod.Delete, $"{Components}/api", responder));
        using var responderRename = await host.Anonymous.SendAsync(Request(HttpMethod.Patch, $"{Components}/api", responder, """{"component": {"name": "x"}}"""));
        using var anonymous = await host.Anonymous.SendAsync(Request(HttpMethod.Post, Components, json: create));

        Assert.Equal(HttpStatusCode.OK, viewerRead.StatusCode);
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized],
            new[] { viewerCreate, responderCreate, responderDelete, responderRename, anonymous }.Select(r => r.StatusCode));
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is CreateComponent { ComponentId: "not-allowed" });
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is DeleteComponent { ComponentId: "api" });
    }
}
