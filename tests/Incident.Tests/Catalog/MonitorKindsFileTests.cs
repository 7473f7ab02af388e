using System.Text.Json;
using StatusPlatform.Contracts;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Monitors;
using Monitor = StatusPlatform.Incident.Monitors.Monitor;

namespace StatusPlatform.Incident.Tests.Catalog;

/// <summary>The monitor kinds and their settings in the configuration file: what they become, and every error with its line.</summary>
public sealed class MonitorKindsFileTests
{
    private const string Head = """
        page:
          name: Acme Status
          url: https://status.acme.test
        components:
          - id: web
            name: Website
        monitors:

        """;

    private const string AllKinds = Head + """
          - id: shop
            component: web
            url: https://shop.acme.test/health
            method: post
            headers:
              Authorization: Bearer abc
              Content-Type: application/json
            body: '{"deep": true}'
            follow_redirects: false
            max_redirects: 3
            keyword: Welcome
            keyword_absent: Maintenance
            json:
              status: UP
              items[0].id: 1
              name: " padded "
            conditions:
              - "[STATUS] == 200"
              - len([BODY].items) > 0
              - "[CERTIFICATE_EXPIRATION] > 72h"
            degraded_after: 800ms
            verify_tls: false
            timeout: 5s
          - id: db
            component: web
            kind: tcp
            target: db.acme.test:5432
            degraded_after: 1s
          - id: cert
            component: web
            kind: tls
            target: shop.acme.test
            certificate_min_days: 21
          - id: resolver
            component: web
            kind: dns
            target: shop.acme.test
            expected_addresses: [192.0.2.10, "2001:DB8::10"]
          - id: ping
            component: web
            kind: icmp
            target: 192.0.2.1
        """;

    // What the event store serializes events with (EventStoreOptions.Json).
    private static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Every_kind_of_monitor_reads_its_target_and_settings()
    {
        var monitors = CatalogFile.Parse(AllKinds, "acme.yaml").Monitors.ToDictionary(m => m.Id, m => m.Settings);

        var shop = monitors["shop"];
        Assert.Equal(("http", "https://shop.acme.test/health", "POST", 5), (shop.Kind, shop.Target, shop.Method, shop.TimeoutSeconds));
        var check = shop.Check!;
        Assert.Equal([new HttpHeader("Authorization", "Bearer abc"), new HttpHeader("Content-Type", "application/json")], check.Headers!);
        Assert.Equal(("""{"deep": true}""", false, 3, "Welcome", "Maintenance", 800, false),
            (check.Body, check.FollowRedirects, check.MaxRedirects, check.KeywordPresent, check.KeywordAbsent, check.DegradedAfterMs, check.VerifyTls));
        // The json: assertions become conditions ahead of the listed ones; a value with spaces keeps them in quotes.
        Assert.Equal(["[BODY].status == UP", "[BODY].items[0].id == 1", "[BODY].name == \" padded \"", "[STATUS] == 200", "len([BODY].items) > 0",
            "[CERTIFICATE_EXPIRATION] > 72h"], check.Conditions!);

        Assert.Equal(("tcp", "db.acme.test:5432", "", 1000), (monitors["db"].Kind, monitors["db"].Target, monitors["db"].Method, monitors["db"].Check!.DegradedAfterMs));
        Assert.Empty(monitors["db"].ExpectedStatusCodes);
        Assert.Equal(("tls", "shop.acme.test", 21, true), (monitors["cert"].Kind, monitors["cert"].Target, monitors["cert"].Check!.CertificateMinDaysLeft, monitors["cert"].Check!.VerifyTls));
        Assert.Equal(["192.0.2.10", "2001:db8::10"], monitors["resolver"].Check!.ExpectedAddresses!);
        Assert.Equal(("icmp", "192.0.2.1", null), (monitors["ping"].Kind, monitors["ping"].Target, monitors["ping"].Check));
    }

    [Fact]
    public void A_monitor_without_check_settings_has_none_so_upgrading_reconfigures_nothing()
    {
        var (_, plain) = Assert.Single(CatalogFile.Parse(Head + "  - id: web-http\n    component: web\n    url: http://127.0.0.1:9/\n", "acme.yaml").Monitors);

        Assert.Null(plain.Check);
        Assert.Equal(plain, plain with { Check = CheckSettings.Default });
        Assert.Empty(Monitor.Decide(Monitor.Create(new MonitorDefined("web-http", plain with { Check = CheckSettings.Default }, DateTimeOffset.UnixEpoch)),
            "web-http", plain, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Settings_read_back_from_an_event_equal_the_file_and_a_change_in_them_is_a_change()
    {
        var monitors = CatalogFile.Parse(AllKinds, "acme.yaml").Monitors;
        var json = EventJson;

        foreach (var (id, settings) in monitors)
        {
            var stored = JsonSerializer.Deserialize<MonitorSettings>(JsonSerializer.Serialize(settings, json), json)!;
            var state = Monitor.Create(new MonitorDefined(id, stored, DateTimeOffset.UnixEpoch));
            Assert.Empty(Monitor.Decide(state, id, settings, DateTimeOffset.UnixEpoch));
        }
        var shop = monitors.Single(m => m.Id == "shop").Settings;
        var changed = shop with { Check = shop.Check! with { Conditions = [.. shop.Check.Conditions!.SkipLast(1), "[CERTIFICATE_EXPIRATION] > 96h"] } };
        Assert.NotEqual(shop, changed);
    }

    [Fact]
    public void An_event_written_before_check_settings_existed_reads_as_a_monitor_without_them()
    {
        const string before = """{"componentId":"web","kind":"http","target":"http://127.0.0.1:9/","method":"GET","intervalSeconds":10,"timeoutSeconds":2,"failureThreshold":2,"successThreshold":1,"expectedStatusCodes":[]}""";

        var settings = JsonSerializer.Deserialize<MonitorSettings>(before, EventJson)!;

        Assert.Null(settings.Check);
    }

    [Fact]
    public void The_catalog_message_carries_the_check_settings_to_probes()
    {
        var monitors = CatalogFile.Parse(AllKinds, "acme.yaml").Monitors
            .ToDictionary(m => m.Id, m => new Monitor(m.Id, m.Settings, IsDown: false, Removed: false));

        var message = new CatalogSnapshot(7, monitors).ToMessage();

        var shop = message.Monitors.Single(m => m.MonitorId == "shop");
        Assert.Equal(monitors["shop"].Settings.Check, shop.Check);
        Assert.Null(message.Monitors.Single(m => m.MonitorId == "ping").Check);
        Assert.Equal(("dns", "shop.acme.test"), message.Monitors.Where(m => m.MonitorId == "resolver").Select(m => (m.Kind, m.Target)).Single());
    }

    [Theory]
    [InlineData("kind: tcp", "kind: smtp", "monitors[1].kind", "'smtp' is not a supported monitor kind (supported: http, tcp, tls, dns, icmp, heartbeat, external)")]
    [InlineData("target: db.acme.test:5432", "url: http://db.acme.test/", "monitors[1].url", "applies to http monitors, not to kind tcp")]
    [InlineData("certificate_min_days: 21", "keyword: Welcome", "monitors[2].keyword", "applies to http monitors, not to kind tls")]
    [InlineData("verify_tls: false", "verify_certificate: false", "monitors[0].verify_certificate", "is not a monitor setting")]
    [InlineData("target: db.acme.test:5432", "target: db.acme.test", "monitors[1].target", "'db.acme.test' is not host:port")]
    [InlineData("target: shop.acme.test\n    certificate", "target: https://shop.acme.test/\n    certificate", "monitors[2].target", "is not host or host:port")]
    [InlineData("target: 192.0.2.1", "target: not a host", "monitors[4].target", "is not a host name or IP address")]
    [InlineData("target: shop.acme.test\n    expected", "target: 192.0.2.5\n    expected", "monitors[3].target", "is not a host name to resolve")]
    [InlineData("192.0.2.10, ", "192.0.2.300, ", "monitors[3].expected_addresses[0]", "is not an IP address")]
    [InlineData("Authorization: Bearer abc", "Author ization: Bearer abc", "monitors[0].headers.Author ization", "is not a valid header name")]
    [InlineData("degraded_after: 800ms", "degraded_after: 5s", "monitors[0].degraded_after", "must be shorter than the timeout (5 s)")]
    [InlineData("degraded_after: 800ms", "degraded_after: quick", "monitors[0].degraded_after", "is not a duration")]
    [InlineData("max_redirects: 3", "max_redirects: 99", "monitors[0].max_redirects", "from 0 to 50")]
    [InlineData("certificate_min_days: 21", "certificate_min_days: -1", "monitors[2].certificate_min_days", "is not a whole number")]
    [InlineData("method: post", "method: GET THIS", "monitors[0].method", "is not an HTTP method")]
    [InlineData("items[0].id: 1", "items[x].id: 1", "monitors[0].json.items[x].id", "is not a JSON field path such as status or items[0].id: expected an array index")]
    [InlineData("url: https://shop.acme.test/health", "url: http://shop.acme.test/health", "monitors[0].conditions[2]", "[CERTIFICATE_EXPIRATION] needs an https url")]
    public void Invalid_monitor_settings_name_the_field_and_line(string original, string replacement, string field, string problem)
    {
        var yaml = AllKinds.Replace(original, replacement, StringComparison.Ordinal);
        Assert.NotEqual(AllKinds, yaml);

        var error = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(yaml, "acme.yaml"));

        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message);
        Assert.True(error.Line > 8, $"line {error.Line}");
    }

    [Theory]
    // "      - len([BODY].items) > 0" is line 26; the plain scalar starts in column 9 and the parser stops at column 18 of it.
    [InlineData("len([BODY].items) > 0", "len([BODY].items > 0", 26, 9 + 18 - 1, "column 18 of 'len([BODY].items > 0': expected ')' to close len(")]
    // A quoted condition starts one column after its quote.
    [InlineData("\"[STATUS] == 200\"", "\"[STATUS] = 200\"", 25, 9 + 1 + 10 - 1, "column 10 of '[STATUS] = 200': '=' is not an operator; write == to compare")]
    [InlineData("\"[STATUS] == 200\"", "\"[STATUS] == OK\"", 25, 9 + 1 + 13 - 1, "column 13 of '[STATUS] == OK': [STATUS] is compared with a whole number such as 200, not 'OK'")]
    public void A_condition_that_does_not_parse_stops_start_up_with_line_and_column_in_the_file(string original, string replacement, long line, long column, string problem)
    {
        var yaml = AllKinds.Replace(original, replacement, StringComparison.Ordinal);

        var error = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(yaml, "acme.yaml"));

        Assert.Equal(line, error.Line);
        Assert.StartsWith($"acme.yaml:{line}:{column}: ", error.Message);
        Assert.EndsWith(problem, error.Message);
        Assert.StartsWith("monitors[0].conditions[", error.Field);
        var lineText = yaml.Split('\n')[line - 1];
        Assert.Equal(replacement.Trim('"')[(int)(column - 9 - (replacement.StartsWith('"') ? 1 : 0))], lineText[(int)column - 1]);
    }
}
