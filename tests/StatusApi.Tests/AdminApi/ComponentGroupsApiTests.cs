using System.Net;
using StatusPlatform.Contracts;
using static StatusPlatform.StatusApi.Tests.AdminApi.AdminApiHost;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>Component groups: a group and the moves of its members, where a refused move leaves everything as it was.</summary>
public sealed class ComponentGroupsApiTests(AdminApiHost host) : IClassFixture<AdminApiHost>
{
    private const string Groups = $"/api/v1/pages/{PageId}/component-groups";

    private async Task CreateComponentsAsync(params string[] ids)
    {
        foreach (var id in ids)
        {
            using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, $"/api/v1/pages/{PageId}/components",
                json: $$$"""{"component": {"id": "{{{id}}}", "name": "{{{id}}}"}}"""));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    private async Task<string?> GroupOfAsync(string componentId) =>
        await host.ScalarAsync<string>("select group_id from status.components where id = $1", componentId);

    private async Task<bool> ExistsAsync(string id) => await host.ScalarAsync<long>("select count(*) from status.components where id = $1", id) == 1;

    [Fact]
    public async Task Creating_a_group_moves_its_components_into_it()
    {
        await CreateComponentsAsync("mail-in", "mail-out");

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Groups,
            json: """{"description": "Everything mail", "component_group": {"id": "mail", "name": "Mail", "components": ["mail-out", "mail-in"]}}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"{Groups}/mail", response.Headers.Location?.OriginalString);
        var group = await JsonAsync(response);
        Assert.Equal(("mail", "Mail", "Everything mail", PageId), (group.GetProperty("id").GetString(), group.GetProperty("name").GetString(),
            group.GetProperty("description").GetString(), group.GetProperty("page_id").GetString()));
        Assert.Equal(["mail-in", "mail-out"], group.GetProperty("components").EnumerateArray().Select(c => c.GetString()!).Order());
        Assert.True(host.IncidentService.Commands.OfType<CreateComponent>().Single(c => c.ComponentId == "mail").IsGroup);
        Assert.Equal(("mail", "mail"), (await GroupOfAsync("mail-in"), await GroupOfAsync("mail-out")));
    }

    [Fact]
    public async Task A_component_that_may_not_move_refuses_the_whole_request_before_anything_changes()
    {
        await CreateComponentsAsync("cdn");

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Groups,
            json: """{"component_group": {"id": "edge", "name": "Edge", "components": ["cdn", "website"]}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await JsonAsync(response)).GetProperty("errors");
        Assert.Contains("configuration file", errors.GetProperty("component_group.components[1]")[0].GetString(), StringComparison.Ordinal);
        Assert.False(await ExistsAsync("edge"));
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is CreateComponent { ComponentId: "edge" });
        Assert.Null(await GroupOfAsync("cdn"));
    }

    [Fact]
    public async Task A_move_refused_halfway_reverses_the_moves_and_the_group_already_made()
    {
        await CreateComponentsAsync("dns-a", "dns-b");
        host.IncidentService.ChangedMeanwhile["dns-b"] = true;

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Groups,
            json: """{"component_group": {"id": "dns", "name": "DNS", "components": ["dns-a", "dns-b"]}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("changed by someone else", (await JsonAsync(response)).GetProperty("errors").GetProperty("component_group.components[1]")[0].GetString(),
            StringComparison.Ordinal);
        // It did get this far: the group existed and dns-a was in it, and both were reversed.
        Assert.Contains(host.IncidentService.Commands, c => c is UpdateComponent { ComponentId: "dns-a", GroupId: "dns" });
        Assert.False(await ExistsAsync("dns"));
        Assert.Equal((null, null), (await GroupOfAsync("dns-a"), await GroupOfAsync("dns-b")));
    }

    [Fact]
    public async Task Updating_the_members_moves_the_listed_in_and_the_others_out_and_if_match_guards_the_group()
    {
        await CreateComponentsAsync("pay-api", "pay-web", "pay-db");
        string etag;
        using (var created = await host.Admin.SendAsync(Request(HttpMethod.Post, Groups,
                   json: """{"component_group": {"id": "payments", "name": "Payments", "components": ["pay-api", "pay-web"]}}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            etag = created.Headers.ETag!.Tag;
        }

        using var stale = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Groups}/payments", ifMatch: "\"v9\"",
            json: """{"component_group": {"components": ["pay-db"]}}"""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(("payments", null), (await GroupOfAsync("pay-api"), await GroupOfAsync("pay-db")));

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Groups}/payments", ifMatch: etag,
            json: """{"component_group": {"name": "Payments and billing", "components": ["pay-web", "pay-db"]}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var group = await JsonAsync(response);
        Assert.Equal("Payments and billing", group.GetProperty("name").GetString());
        Assert.Equal(["pay-db", "pay-web"], group.GetProperty("components").EnumerateArray().Select(c => c.GetString()!).Order());
        Assert.Equal((null, "payments", "payments"), (await GroupOfAsync("pay-api"), await GroupOfAsync("pay-web"), await GroupOfAsync("pay-db")));
        Assert.Equal("\"v2\"", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Deleting_a_group_moves_its_components_to_the_top_level_first()
    {
        await CreateComponentsAsync("vpn-eu", "vpn-us");
        using (var created = await host.Admin.SendAsync(Request(HttpMethod.Post, Groups,
                   json: """{"component_group": {"id": "vpn", "name": "VPN", "components": ["vpn-eu", "vpn-us"]}}""")))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Delete, $"{Groups}/vpn"));
        using var again = await host.Admin.SendAsync(Request(HttpMethod.Get, $"{Groups}/vpn"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(await ExistsAsync("vpn"));
        Assert.Equal((null, null), (await GroupOfAsync("vpn-eu"), await GroupOfAsync("vpn-us")));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Groups_list_alone_with_paging_and_a_component_is_not_a_group()
    {
        foreach (var id in new[] { "list-a", "list-b", "list-c" })
        {
            using var created = await host.Admin.SendAsync(Request(HttpMethod.Post, Groups, json: $$$"""{"component_group": {"id": "{{{id}}}", "name": "{{{id}}}", "position": 50}}"""));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var all = await host.Admin.GetAsync(new Uri(Groups, UriKind.Relative));
        using var second = await host.Admin.GetAsync(new Uri($"{Groups}?page=2&per_page=1", UriKind.Relative));
        using var component = await host.Admin.GetAsync(new Uri($"{Groups}/website", UriKind.Relative));

        Assert.DoesNotContain("website", (await all.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var total = int.Parse(Assert.Single(second.Headers.GetValues("X-Total-Count")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((await JsonAsync(all)).GetArrayLength(), total);
        Assert.Equal(1, (await JsonAsync(second)).GetArrayLength());
        Assert.Contains("rel=\"next\"", Assert.Single(second.Headers.GetValues("Link")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, component.StatusCode);
    }

    [Theory]
    [InlineData("""{"component_group": {"name": "G", "components": ["nope"]}}""", "component_group.components[0]")]
    [InlineData("""{"component_group": {"name": "G", "components": ["api", "api"]}}""", "component_group.components[1]")]
    [InlineData("""{"component_group": {"name": "G", "components": "api"}}""", "component_group.components")]
    [InlineData("""{"component_group": {"name": "", "components": []}}""", "component_group.name")]
    [InlineData("""{"component_group": {"name": "G", "status": "major_outage"}}""", "component_group.status")]
    [InlineData("""{"group": {"name": "G"}}""", "component_group")]
    public async Task Invalid_groups_answer_400_with_the_body_path_and_change_nothing(string json, string field)
    {
        var before = await host.ScalarAsync<long>("select count(*) from status.components");

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Groups, json: json));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _), body);
        Assert.Equal(before, await host.ScalarAsync<long>("select count(*) from status.components"));
    }

    [Fact]
    public async Task Responders_and_viewers_may_not_change_groups()
    {
        var (_, responder) = await host.CreateKeyAsync("groups-responder", "responder");
        var (_, viewer) = await host.CreateKeyAsync("groups-viewer", "viewer");

        using var responderCreate = await host.Anonymous.SendAsync(Request(HttpMethod.Post, Groups, responder, """{"component_group": {"id": "nope", "name": "Nope"}}"""));
        using var viewerDelete = await host.Anonymous.SendAsync(Request(HttpMethod.Delete, $"{Groups}/nope", viewer));
        using var viewerRead = await host.Anonymous.SendAsync(Request(HttpMethod.Get, Groups, viewer));

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.OK), (responderCreate.StatusCode, viewerDelete.StatusCode, viewerRead.StatusCode));
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is CreateComponent { ComponentId: "nope" });
    }
}
