using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using static StatusPlatform.StatusApi.Tests.AdminApi.AdminApiHost;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>Who may do what: 401 for a missing, wrong or revoked key; 403 for a role that may not; keys kept only as hashes.</summary>
public sealed class AuthTests(AdminApiHost host) : IClassFixture<AdminApiHost>
{
    private const string Incidents = $"/api/v1/pages/{PageId}/incidents";
    private const string NewIncident = """{"incident": {"name": "Login fails", "status": "investigating", "body": "Looking."}}""";

    [Theory]
    [InlineData(null)]
    [InlineData("sp_thisKeyWasNeverIssuedToAnyoneAtAll0123456789")]
    [InlineData("")]
    public async Task A_missing_or_unknown_key_gets_401_with_a_challenge(string? key)
    {
        using var request = Request(HttpMethod.Get, Incidents);
        if (key is not null)
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {key}");
        using var response = await host.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:statusplatform:problem:unauthenticated", (await JsonAsync(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_revoked_key_gets_401_from_its_next_request_on()
    {
        var (id, key) = await host.CreateKeyAsync("soon-revoked", "viewer");
        using (var before = await host.Anonymous.SendAsync(Request(HttpMethod.Get, Incidents, key)))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        using (var revoke = await host.Admin.DeleteAsync(new Uri($"/api/v1/keys/{id}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
            Assert.NotEqual(System.Text.Json.JsonValueKind.Null, (await JsonAsync(revoke)).GetProperty("revoked_at").ValueKind);
        }

        using var after = await host.Anonymous.SendAsync(Request(HttpMethod.Get, Incidents, key));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task A_viewer_reads_but_may_not_write()
    {
        var (_, key) = await host.CreateKeyAsync("viewer-1", "viewer");

        using var read = await host.Anonymous.SendAsync(Request(HttpMethod.Get, Incidents, key));
        using var write = await host.Anonymous.SendAsync(Request(HttpMethod.Post, Incidents, key, NewIncident));
        using var component = await host.Anonymous.SendAsync(Request(HttpMethod.Patch, $"/api/v1/pages/{PageId}/components/api", key,
            """{"component": {"status": "major_outage"}}"""));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("urn:statusplatform:problem:forbidden", (await JsonAsync(write)).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, component.StatusCode);
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is Contracts.CreateIncident { Actor: "viewer-1" });
    }

    [Fact]
    public async Task A_responder_manages_incidents_but_not_keys_or_components()
    {
        var (_, key) = await host.CreateKeyAsync("responder-1", "responder");

        using var incident = await host.Anonymous.SendAsync(Request(HttpMethod.Post, Incidents, key, NewIncident));
        using var createKey = await host.Anonymous.SendAsync(Request(HttpMethod.Post, "/api/v1/keys", key, """{"key": {"name": "mine", "role": "admin"}}"""));
        using var listKeys = await host.Anonymous.SendAsync(Request(HttpMethod.Get, "/api/v1/keys", key));
        using var component = await host.Anonymous.SendAsync(Request(HttpMethod.Patch, $"/api/v1/pages/{PageId}/components/api", key,
            """{"component": {"status": "major_outage"}}"""));

        Assert.Equal(HttpStatusCode.Created, incident.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, createKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, listKeys.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, component.StatusCode);
    }

    [Fact]
    public async Task Statuspage_s_OAuth_scheme_works_like_Bearer()
    {
        var (_, key) = await host.CreateKeyAsync("oauth-client", "viewer");
        using var request = Request(HttpMethod.Get, Incidents);
        request.Headers.Authorization = new AuthenticationHeaderValue("OAuth", key);

        using var response = await host.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_key_is_shown_once_and_stored_only_as_its_SHA_256()
    {
        var (id, key) = await host.CreateKeyAsync("hash-check", "viewer");

        using var list = await host.Admin.GetAsync(new Uri("/api/v1/keys", UriKind.Relative));
        var listed = await list.Content.ReadAsStringAsync();
        var stored = await host.ScalarAsync<byte[]>("select key_sha256 from api.keys where id = $1", id);
        var anywhere = await host.ScalarAsync<long>("select count(*) from api.keys k where k::text like '%' || $1 || '%'", key);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("\"hash-check\"", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\"", listed, StringComparison.Ordinal);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(key)), stored);
        Assert.Equal(0, anywhere);
        Assert.True(key.Length >= 43, "32 random bytes, base64url");
    }

    [Fact]
    public async Task A_second_live_key_with_the_same_name_or_an_unknown_role_is_refused_with_the_field()
    {
        await host.CreateKeyAsync("unique-name", "viewer");

        using var duplicate = await host.Admin.SendAsync(Request(HttpMethod.Post, "/api/v1/keys", json: """{"key": {"name": "unique-name", "role": "viewer"}}"""));
        using var badRole = await host.Admin.SendAsync(Request(HttpMethod.Post, "/api/v1/keys", json: """{"key": {"name": "other-name", "role": "root"}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.True((await JsonAsync(duplicate)).GetProperty("errors").TryGetProperty("key.name", out _));
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        Assert.True((await JsonAsync(badRole)).GetProperty("errors").TryGetProperty("key.role", out _));
    }
}
