using System.Text.Json;
using StatusPlatform.Contracts;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Monitors;
using Monitor = StatusPlatform.Incident.Monitors.Monitor;

namespace StatusPlatform.Incident.Tests.Monitors;

/// <summary>Given a catalog, when a monitor command, then these events or these field errors; the file's rules, without I/O.</summary>
public sealed class MonitorDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    // What the event store serializes events with (EventStoreOptions.Json).
    private static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web);
    private static readonly Component Web = new("web", new ComponentSettings("Website", null, null, 1, false, true, null, true, false), ComponentStatus.Operational, null, false);
    private static readonly Component Backend = new("backend", new ComponentSettings("Backend", null, null, 1, true, false, null, false, false), ComponentStatus.Operational, null, false);
    private const string Token = "abcdefghijklmnopqrstuvwxyz012345";
    private static readonly string TokenHash = HeartbeatSettings.Hash(Token);

    private const string Yaml = """
        page:
          name: Acme Status
          url: https://status.acme.test
        components:
          - id: web
            name: Website
        monitors:
          - id: shop
            component: web
            url: https://shop.acme.test/health
            method: post
            headers:
              Accept: application/json
            keyword: Welcome
            conditions:
              - "[STATUS] == 200"
            degraded_after: 800ms
            timeout: 5s
          - id: db
            component: web
            kind: tcp
            target: db.acme.test:5432
          - id: resolver
            component: web
            kind: dns
            target: shop.acme.test
            expected_addresses: ["2001:DB8::10"]
          - id: nightly
            component: web
            kind: heartbeat
            token: abcdefghijklmnopqrstuvwxyz012345
            interval: 1h
          - id: alerts
            component: web
            kind: external
            source: grafana
            token: zyxwvutsrqponmlkjihgfedcba543210
        """;

    private static readonly Dictionary<string, MonitorSpec> SameAsTheFile = new()
    {
        ["shop"] = new("web", "http", "https://shop.acme.test/health", Method: "post", TimeoutSeconds: 5,
            Check: new CheckSettings(Headers: [new HttpHeader("Accept", "application/json")], KeywordPresent: "Welcome", Conditions: ["[STATUS] == 200"], DegradedAfterMs: 800)),
        ["db"] = new("web", "tcp", "db.acme.test:5432"),
        ["resolver"] = new("web", "dns", "shop.acme.test", Check: new CheckSettings(ExpectedAddresses: ["2001:DB8::10"])),
        ["nightly"] = new("web", "heartbeat", IntervalSeconds: 3600, PushTokenSha256: TokenHash),
        ["alerts"] = new("web", "external", ExternalSource: "grafana", PushTokenSha256: HeartbeatSettings.Hash("zyxwvutsrqponmlkjihgfedcba543210")),
    };

    private static Monitor Existing(string id, MonitorSettings settings, string managedBy) =>
        Monitor.Create(new MonitorDefined(id, settings, Now.AddDays(-1), managedBy));

    private static Dictionary<string, string[]> Errors(MonitorSpec spec, Component? component = null, IEnumerable<Monitor>? others = null) =>
        MonitorDecisions.Settings(spec, component ?? Web, others ?? [], null).Errors;

    [Fact]
    public void A_spec_becomes_exactly_the_settings_the_file_gives_the_same_monitor()
    {
        foreach (var (id, fromFile) in CatalogFile.Parse(Yaml, "acme.yaml").Monitors)
        {
            var (errors, settings) = MonitorDecisions.Settings(SameAsTheFile[id], Web, [], null);

            Assert.Empty(errors);
            Assert.Equal(fromFile, settings);
            // Equal as configuration, and equal in what is stored: kind defaults (interval, timeout, thresholds) included.
            Assert.Equal((fromFile.IntervalSeconds, fromFile.TimeoutSeconds, fromFile.FailureThreshold, fromFile.SuccessThreshold, fromFile.Method, fromFile.Check is null),
                (settings!.IntervalSeconds, settings.TimeoutSeconds, settings.FailureThreshold, settings.SuccessThreshold, settings.Method, settings.Check is null));
        }
    }

    [Theory]
    [InlineData("timeout_seconds", "must not exceed the interval")]
    [InlineData("check.degraded_after_ms", "must be shorter than the timeout")]
    [InlineData("target", "is not an absolute http(s) URL")]
    [InlineData("method", "is not an HTTP method")]
    [InlineData("failure_threshold", "from 1 to 100")]
    [InlineData("expected_status_codes[1]", "is not an HTTP status code")]
    [InlineData("check.headers[0]", "is not a valid header name")]
    [InlineData("check.conditions[0]", "column 1 of '[CERTIFICATE_EXPIRATION] > 72h': [CERTIFICATE_EXPIRATION] needs an https url")]
    [InlineData("interval_seconds", "between 1 s and 24 h")]
    public void Each_rule_of_the_file_refuses_the_field_that_breaks_it(string field, string problem)
    {
        var valid = new MonitorSpec("web", "http", "http://shop.acme.test/", IntervalSeconds: 30, TimeoutSeconds: 10, ExpectedStatusCodes: [200]);
        Assert.Empty(Errors(valid));
        var broken = field switch
        {
            "timeout_seconds" => valid with { TimeoutSeconds = 31 },
            "check.degraded_after_ms" => valid with { Check = new CheckSettings(DegradedAfterMs: 10_000) },
            "target" => valid with { Target = "ftp://shop.acme.test/" },
            "method" => valid with { Method = "GE T" },
            "failure_threshold" => valid with { FailureThreshold = 0 },
            "expected_status_codes[1]" => valid with { ExpectedStatusCodes = [200, 42] },
            "check.headers[0]" => valid with { Check = new CheckSettings(Headers: [new HttpHeader("Bad Header", "x")]) },
            "check.conditions[0]" => valid with { Check = new CheckSettings(Conditions: ["[CERTIFICATE_EXPIRATION] > 72h"]) },
            _ => valid with { IntervalSeconds = 100_000 },
        };

        var errors = Errors(broken);

        Assert.Equal([field], errors.Keys);
        Assert.Contains(problem, errors[field][0]);
    }

    [Fact]
    public void Settings_of_another_kind_are_refused_as_the_file_refuses_their_keys()
    {
        var tcp = Errors(new MonitorSpec("web", "tcp", "db.acme.test:5432", Method: "POST", ExpectedStatusCodes: [200],
            Check: new CheckSettings(KeywordPresent: "ok", CertificateMinDaysLeft: 30)));
        Assert.Equal(["check.certificate_min_days_left", "check.keyword_present", "expected_status_codes", "method"], tcp.Keys.Order());
        Assert.Equal("applies to http monitors, not to kind tcp", tcp["method"][0]);
        Assert.Equal("applies to tls monitors, not to kind tcp", tcp["check.certificate_min_days_left"][0]);

        var heartbeat = Errors(new MonitorSpec("web", "heartbeat", "host", TimeoutSeconds: 5, FailureThreshold: 3, PushTokenSha256: TokenHash, ExternalSource: "grafana"));
        Assert.Equal(["external_source", "failure_threshold", "target", "timeout_seconds"], heartbeat.Keys.Order());
        Assert.Contains("the deadline (interval + grace) is their flap guard", heartbeat["timeout_seconds"][0]);

        Assert.Equal("'ftp' is not a supported monitor kind (supported: http, tcp, tls, dns, icmp, heartbeat, external)", Errors(new MonitorSpec("web", "ftp"))["kind"][0]);
        Assert.Contains("is not host:port", Errors(new MonitorSpec("web", "tcp", "db.acme.test"))["target"][0]);
    }

    [Fact]
    public void Pushed_monitors_need_a_token_hash_of_their_own_and_external_ones_a_known_source()
    {
        var other = Existing("nightly", new MonitorSettings("web", "heartbeat", "", "", 300, 0, 1, 1, [], Heartbeat: new HeartbeatSettings(TokenHash, 60)), Monitor.File);

        Assert.Contains("64 lowercase hex", Errors(new MonitorSpec("web", "heartbeat", PushTokenSha256: Token))["push_token_sha256"][0]);
        Assert.Contains("64 lowercase hex", Errors(new MonitorSpec("web", "heartbeat", PushTokenSha256: TokenHash.ToUpperInvariant()))["push_token_sha256"][0]);
        Assert.Contains("64 lowercase hex", Errors(new MonitorSpec("web", "heartbeat"))["push_token_sha256"][0]);
        Assert.Equal("another monitor already uses this token", Errors(new MonitorSpec("web", "external", PushTokenSha256: TokenHash, ExternalSource: "pingdom"), others: [other])["push_token_sha256"][0]);
        Assert.Contains("not a supported alert source", Errors(new MonitorSpec("web", "external", PushTokenSha256: HeartbeatSettings.Hash("x"), ExternalSource: "nagios"))["external_source"][0]);
        Assert.Equal("is required for external monitors", Errors(new MonitorSpec("web", "external", PushTokenSha256: HeartbeatSettings.Hash("x")))["external_source"][0]);

        var (_, heartbeat) = MonitorDecisions.Settings(new MonitorSpec("web", "heartbeat", PushTokenSha256: TokenHash, GraceSeconds: 120), Web, [], null);
        Assert.Equal((300, new HeartbeatSettings(TokenHash, 120)), (heartbeat!.IntervalSeconds, heartbeat.Heartbeat));
    }

    [Fact]
    public void The_component_must_exist_and_not_be_a_group()
    {
        Assert.Equal("'nope' is not a component", MonitorDecisions.Settings(new MonitorSpec("nope", "tcp", "db:5432"), null, [], null).Errors["component_id"][0]);
        Assert.Contains("is a group", MonitorDecisions.Settings(new MonitorSpec("backend", "tcp", "db:5432"), Backend, [], null).Errors["component_id"][0]);
        Assert.Contains("component_id", MonitorDecisions.Settings(new MonitorSpec("web", "tcp", "db:5432"), Web with { Removed = true }, [], null).Errors.Keys);
    }

    [Fact]
    public void Creating_defines_an_api_monitor_and_the_same_create_again_is_done()
    {
        var command = new CreateMonitor("alice", new MonitorSpec("web", "tcp", "db.acme.test:5432"), "db");

        var (errors, events) = MonitorDecisions.Create(null, "db", command, Web, [], Now);

        Assert.Empty(errors);
        var defined = Assert.IsType<MonitorDefined>(Assert.Single(events));
        Assert.Equal(("db", Monitor.Api, "tcp", 10), (defined.MonitorId, defined.ManagedBy, defined.Settings.Kind, defined.Settings.TimeoutSeconds));
        var created = Monitor.Create(defined);
        Assert.Empty(MonitorDecisions.Create(created, "db", command, Web, [created], Now).Events);
        Assert.Contains("already exists", MonitorDecisions.Create(created, "db", command with { Monitor = command.Monitor with { Target = "db2:5432" } }, Web, [created], Now)
            .Errors["monitor_id"][0]);
        Assert.Contains("already exists", MonitorDecisions.Create(created with { ManagedBy = Monitor.File }, "db", command, Web, [created], Now).Errors["monitor_id"][0]);
        var again = MonitorDecisions.Create(created.Apply(new MonitorRemoved("db", Now)), "db", command, Web, [], Now).Events;
        Assert.Equal(Monitor.Api, Assert.IsType<MonitorReconfigured>(Assert.Single(again)).ManagedBy);
        Assert.Equal(["actor", "monitor_id"], MonitorDecisions.Create(null, "Bad Id", command with { Actor = " " }, Web, [], Now).Errors.Keys.Order());
    }

    [Fact]
    public void Updating_and_deleting_apply_to_api_monitors_only()
    {
        var settings = MonitorDecisions.Settings(new MonitorSpec("web", "heartbeat", PushTokenSha256: TokenHash), Web, [], null).Settings!;
        var api = Existing("nightly", settings, Monitor.Api);
        var file = Existing("nightly", settings, Monitor.File);

        // No token hash: the secret stays; the other settings change.
        var update = new UpdateMonitor("bob", "nightly", new MonitorSpec("web", "heartbeat", GraceSeconds: 600));
        var reconfigured = Assert.IsType<MonitorReconfigured>(Assert.Single(MonitorDecisions.Update(api, update, Web, [api], Now).Events));
        Assert.Equal(new HeartbeatSettings(TokenHash, 600), reconfigured.Settings.Heartbeat);
        Assert.Null(reconfigured.ManagedBy);
        Assert.Empty(MonitorDecisions.Update(api, update with { Monitor = new MonitorSpec("web", "heartbeat") }, Web, [api], Now).Events);
        Assert.Equal([new MonitorRemoved("nightly", Now)], MonitorDecisions.Delete(api, new DeleteMonitor("bob", "nightly"), Now).Events);

        Assert.Contains("configuration file", MonitorDecisions.Update(file, update, Web, [file], Now).Errors["monitor_id"][0]);
        Assert.Contains("configuration file", MonitorDecisions.Delete(file, new DeleteMonitor("bob", "nightly"), Now).Errors["monitor_id"][0]);
        Assert.Empty(MonitorDecisions.Delete(file, new DeleteMonitor("bob", "nightly"), Now).Events);
    }

    [Fact]
    public void The_file_takes_over_a_monitor_it_names_and_old_events_read_as_the_files()
    {
        var settings = new MonitorSettings("web", "tcp", "db:5432", "", 60, 10, 2, 1, []);

        var takeOver = Assert.IsType<MonitorReconfigured>(Assert.Single(Monitor.Decide(Existing("db", settings, Monitor.Api), "db", settings, Now)));
        Assert.Equal(Monitor.File, takeOver.ManagedBy);
        Assert.Empty(Monitor.Decide(Existing("db", settings, Monitor.File), "db", settings, Now));

        var old = JsonSerializer.Deserialize<MonitorDefined>("""{"monitorId":"db","settings":{"componentId":"web","kind":"tcp","target":"db:5432","method":"","intervalSeconds":60,"timeoutSeconds":10,"failureThreshold":2,"successThreshold":1,"expectedStatusCodes":[]},"definedAt":"2026-01-01T00:00:00Z"}""", EventJson)!;
        Assert.Equal(Monitor.File, Monitor.Create(old).ManagedBy);
    }
}
