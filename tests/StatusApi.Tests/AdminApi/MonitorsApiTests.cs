using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StatusPlatform.Contracts;
using static StatusPlatform.StatusApi.Tests.AdminApi.AdminApiHost;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>Monitors through the admin API: the commands they become, the push secret shown once and sent only as a hash, If-Match, refusals.</summary>
public sealed class MonitorsApiTests(AdminApiHost host) : IClassFixture<AdminApiHost>
{
    private const string Monitors = $"/api/v1/pages/{PageId}/monitors";

    private static string Sha256(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private async Task<(JsonElement Monitor, HttpResponseMessage Response)> CreateAsync(string json)
    {
        var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Monitors, json: json));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        return (await JsonAsync(response), response);
    }

    private Task<long> CountAsync() => host.ScalarAsync<long>("select count(*) from status.monitors");

    [Fact]
    public async Task An_http_monitor_is_created_with_its_settings_and_no_secret()
    {
        var (monitor, response) = await CreateAsync("""
            {"monitor": {"id": "api-health", "component_id": "api", "kind": "http", "target": "https://api.example.test/health",
             "interval_seconds": 30, "expected_status_codes": [200, 204], "check": {"keyword_present": "ok", "headers": [{"name": "X-Probe", "value": "1"}]}}}
            """);

        Assert.Equal($"{Monitors}/api-health", response.Headers.Location?.OriginalString);
        Assert.Equal("\"v1\"", response.Headers.ETag?.Tag);
        Assert.Equal(("api-health", "api", "http", "https://api.example.test/health", "GET", 30, "api"),
            (monitor.GetProperty("id").GetString(), monitor.GetProperty("component_id").GetString(), monitor.GetProperty("kind").GetString(),
             monitor.GetProperty("target").GetString(), monitor.GetProperty("method").GetString(), monitor.GetProperty("interval_seconds").GetInt32(),
             monitor.GetProperty("managed_by").GetString()));
        Assert.Equal("ok", monitor.GetProperty("check").GetProperty("keyword_present").GetString());
        Assert.False(monitor.TryGetProperty("token", out _));
        var sent = host.IncidentService.Commands.OfType<CreateMonitor>().Single(c => c.MonitorId == "api-health");
        Assert.Equal(("bootstrap", 30, (string?)null), (sent.Actor, sent.Monitor.IntervalSeconds, sent.Monitor.PushTokenSha256));
        Assert.Equal([200, 204], sent.Monitor.ExpectedStatusCodes!);
        Assert.Equal(new HttpHeader("X-Probe", "1"), Assert.Single(sent.Monitor.Check!.Headers!));
        response.Dispose();
    }

    [Fact]
    public async Task A_heartbeat_monitor_s_secret_is_shown_once_travels_only_as_its_hash_and_its_push_url_works()
    {
        var (monitor, response) = await CreateAsync("""{"monitor": {"id": "nightly-backup", "component_id": "website", "kind": "heartbeat", "interval_seconds": 86400, "grace_seconds": 600}}""");

        var token = monitor.GetProperty("token").GetString()!;
        Assert.Matches("^[A-Za-z0-9_-]{24,128}$", token);
        var pushUrl = new Uri(monitor.GetProperty("push_url").GetString()!);
        Assert.Equal($"/api/heartbeat/{token}", pushUrl.AbsolutePath);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var sent = host.IncidentService.Commands.OfType<CreateMonitor>().Single(c => c.MonitorId == "nightly-backup");
        Assert.Equal(Sha256(token), sent.Monitor.PushTokenSha256);
        Assert.DoesNotContain(token, JsonSerializer.Serialize(host.IncidentService.Commands.ToArray()), StringComparison.Ordinal);

        using var read = await host.Admin.GetAsync(new Uri($"{Monitors}/nightly-backup", UriKind.Relative));
        using var list = await host.Admin.GetAsync(new Uri(Monitors, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var shown = await read.Content.ReadAsStringAsync() + await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, shown, StringComparison.Ordinal);
        Assert.DoesNotContain("push_url", shown, StringComparison.Ordinal);
        Assert.Equal(600, (await JsonAsync(read)).GetProperty("grace_seconds").GetInt32());

        using var ping = await host.Anonymous.GetAsync(new Uri(pushUrl.PathAndQuery, UriKind.Relative));
        Assert.True(ping.IsSuccessStatusCode, $"{ping.StatusCode}: {await ping.Content.ReadAsStringAsync()}");
        Assert.Equal("nightly-backup", (await JsonAsync(ping)).GetProperty("monitor_id").GetString());
        response.Dispose();
    }

    [Fact]
    public async Task An_external_monitor_gets_its_alert_source_s_webhook_url_and_rotating_replaces_the_secret()
    {
        var (monitor, response) = await CreateAsync("""{"monitor": {"id": "grafana-alerts", "component_id": "api", "kind": "external", "external_source": "grafana"}}""");
        var first = monitor.GetProperty("token").GetString()!;
        Assert.EndsWith($"/api/webhooks/grafana/{first}", monitor.GetProperty("push_url").GetString(), StringComparison.Ordinal);

        using var rotated = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Monitors}/grafana-alerts", ifMatch: response.Headers.ETag!.Tag,
            json: """{"monitor": {"rotate_token": true}}"""));

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = (await JsonAsync(rotated)).GetProperty("token").GetString()!;
        Assert.NotEqual(first, second);
        Assert.Equal(Sha256(second), await host.ScalarAsync<string>("select token_sha256 from status.heartbeat_monitors where monitor_id = 'grafana-alerts'"));
        var sent = host.IncidentService.Last<UpdateMonitor>();
        Assert.Equal(("grafana-alerts", "external", "grafana", 1L), (sent.MonitorId, sent.Monitor.Kind, sent.Monitor.ExternalSource, sent.ExpectedVersion!.Value));

        using var unchanged = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Monitors}/grafana-alerts", json: """{"monitor": {"interval_seconds": 120}}"""));
        Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode);
        Assert.False((await JsonAsync(unchanged)).TryGetProperty("token", out _));
        Assert.Null(host.IncidentService.Last<UpdateMonitor>().Monitor.PushTokenSha256); // null keeps the secret
        response.Dispose();
    }

    [Fact]
    public async Task Patch_keeps_what_it_does_not_name_put_replaces_and_a_stale_if_match_changes_nothing()
    {
        var (_, response) = await CreateAsync("""
            {"monitor": {"id": "shop-page", "component_id": "website", "kind": "http", "target": "https://shop.example.test/", "interval_seconds": 45, "failure_threshold": 3}}
            """);

        using var patched = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Monitors}/shop-page", ifMatch: response.Headers.ETag!.Tag,
            json: """{"monitor": {"interval_seconds": 20, "timeout_seconds": 5}}"""));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("\"v2\"", patched.Headers.ETag?.Tag);
        var merged = host.IncidentService.Last<UpdateMonitor>().Monitor;
        Assert.Equal(("https://shop.example.test/", 20, 5, 3, "website"), (merged.Target, merged.IntervalSeconds, merged.TimeoutSeconds, merged.FailureThreshold, merged.ComponentId));

        using var stale = await host.Admin.SendAsync(Request(HttpMethod.Put, $"{Monitors}/shop-page", ifMatch: response.Headers.ETag!.Tag,
            json: """{"monitor": {"component_id": "website", "kind": "http", "target": "https://elsewhere.example.test/"}}"""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("\"v2\"", stale.Headers.ETag?.Tag);
        Assert.Equal("https://shop.example.test/", await host.ScalarAsync<string>("select settings ->> 'target' from status.monitors where id = 'shop-page'"));

        using var replaced = await host.Admin.SendAsync(Request(HttpMethod.Put, $"{Monitors}/shop-page", ifMatch: "\"v2\"",
            json: """{"monitor": {"component_id": "website", "kind": "http", "target": "https://shop.example.test/health"}}"""));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var put = host.IncidentService.Last<UpdateMonitor>().Monitor;
        Assert.Equal(((int?)null, (int?)null), (put.IntervalSeconds, put.FailureThreshold));
        Assert.Equal(60, (await JsonAsync(replaced)).GetProperty("interval_seconds").GetInt32());
        response.Dispose();
    }

    [Theory]
    [InlineData("""{"monitor": {"component_id": "api", "kind": "http", "url": "https://x.example.test"}}""", "monitor.url")]
    [InlineData("""{"monitor": {"component_id": "api", "kind": "http", "target": "https://x.example.test", "interval_seconds": "60"}}""", "monitor.interval_seconds")]
    [InlineData("""{"monitor": {"component_id": "api", "kind": "heartbeat", "rotate_token": true}}""", "monitor.rotate_token")]
    [InlineData("""{"monitor": {"component_id": "api", "kind": "http", "target": "https://x.example.test", "check": {"keyword": "ok"}}}""", "monitor.check.keyword")]
    [InlineData("""{"component_id": "api"}""", "monitor")]
    [InlineData("""{"monitor": {"component_id": "api", "kind": "smtp"}}""", "monitor.kind")]
    [InlineData("""{"monitor": {"component_id": "api", "kind": "http", "target": "not a url"}}""", "monitor.target")]
    [InlineData("""{"monitor": {"component_id": "nosuch", "kind": "http", "target": "https://x.example.test"}}""", "monitor.component_id")]
    [InlineData("""{"monitor": {"component_id": "api", "kind": "http", "target": "https://x.example.test", "check": {"degraded_after_ms": 0}}}""", "monitor.check.degraded_after_ms")]
    [InlineData("""{"monitor": {"component_id": "api", "kind": "external", "external_source": "nagios"}}""", "monitor.external_source")]
    [InlineData("""{"monitor": {"id": "Bad Id!", "component_id": "api", "kind": "heartbeat", "timeout_seconds": 5}}""", "monitor.timeout_seconds")]
    public async Task Invalid_monitors_answer_400_with_the_body_path_and_create_nothing(string json, string field)
    {
        var before = await CountAsync();

        using var response = await host.Admin.SendAsync(Request(HttpMethod.Post, Monitors, json: json));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _), body);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task A_monitor_the_configuration_file_defines_is_not_changed_deleting_removes_and_unknown_ids_are_404()
    {
        await host.ScalarAsync<int>("""
            insert into status.monitors (id, component_id, kind, settings, managed_by, created_at, updated_at, version)
            values ('file-monitor', 'api', 'tcp', '{"component_id": "api", "kind": "tcp", "target": "db.internal:5432", "interval_seconds": 60}', 'file', now(), now(), 4)
            """);
        var (_, created) = await CreateAsync("""{"monitor": {"id": "short-lived", "component_id": "api", "kind": "heartbeat"}}""");

        using var fileChange = await host.Admin.SendAsync(Request(HttpMethod.Patch, $"{Monitors}/file-monitor", json: """{"monitor": {"interval_seconds": 10}}"""));
        using var read = await host.Admin.GetAsync(new Uri($"{Monitors}/file-monitor", UriKind.Relative));
        using var deleted = await host.Admin.SendAsync(Request(HttpMethod.Delete, $"{Monitors}/short-lived", ifMatch: created.Headers.ETag!.Tag));
        using var gone = await host.Admin.GetAsync(new Uri($"{Monitors}/short-lived", UriKind.Relative));
        using var unknown = await host.Admin.SendAsync(Request(HttpMethod.Put, $"{Monitors}/nosuch", json: """{"monitor": {"component_id": "api", "kind": "icmp", "target": "x"}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, fileChange.StatusCode);
        Assert.Contains("configuration file", (await JsonAsync(fileChange)).GetProperty("errors").GetProperty("monitor")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(("\"v4\"", "file", "db.internal:5432"), (read.Headers.ETag?.Tag, (await JsonAsync(read)).GetProperty("managed_by").GetString(),
            (await JsonAsync(read)).GetProperty("target").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0L, await host.ScalarAsync<long>("select count(*) from status.heartbeat_monitors where monitor_id = 'short-lived'"));
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (gone.StatusCode, unknown.StatusCode));
        created.Dispose();
    }

    [Fact]
    public async Task Lists_page_and_filter_by_component_and_only_admins_write()
    {
        foreach (var id in new[] { "list-1", "list-2", "list-3" })
            (await CreateAsync($$$"""{"monitor": {"id": "{{{id}}}", "component_id": "api", "kind": "icmp", "target": "10.0.0.1"}}""")).Response.Dispose();
        var (_, responder) = await host.CreateKeyAsync("monitors-responder", "responder");
        var (_, viewer) = await host.CreateKeyAsync("monitors-viewer", "viewer");

        using var page = await host.Anonymous.SendAsync(Request(HttpMethod.Get, $"{Monitors}?component_id=api&per_page=2&page=2", viewer));
        using var websiteOnly = await host.Admin.GetAsync(new Uri($"{Monitors}?component_id=website", UriKind.Relative));
        using var responderCreate = await host.Anonymous.SendAsync(Request(HttpMethod.Post, Monitors, responder,
            """{"monitor": {"id": "by-responder", "component_id": "api", "kind": "icmp", "target": "10.0.0.2"}}"""));
        using var viewerDelete = await host.Anonymous.SendAsync(Request(HttpMethod.Delete, $"{Monitors}/list-1", viewer));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var apiTotal = await host.ScalarAsync<long>("select count(*) from status.monitors where component_id = 'api'");
        Assert.Equal(apiTotal.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(page.Headers.GetValues("X-Total-Count")));
        Assert.All((await JsonAsync(page)).EnumerateArray(), m => Assert.Equal("api", m.GetProperty("component_id").GetString()));
        Assert.All((await JsonAsync(websiteOnly)).EnumerateArray(), m => Assert.Equal("website", m.GetProperty("component_id").GetString()));
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (responderCreate.StatusCode, viewerDelete.StatusCode));
        Assert.DoesNotContain(host.IncidentService.Commands, c => c is CreateMonitor { MonitorId: "by-responder" } or DeleteMonitor { MonitorId: "list-1" });
    }
}
