using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>Which definitions the probe can run: the kind, the target for the kind, and the check settings. No I/O.</summary>
public sealed class MonitorChecksTests
{
    private static readonly MonitorDefinition Web = new("web", "website", "http", "https://example.org/health", "GET", 30, 5, [200]);

    public static TheoryData<MonitorDefinition> Runnable => new()
    {
        Web,
        Web with { Check = new CheckSettings(Conditions: ["[BODY].status == UP"], Headers: [new("Authorization", "Bearer x")]) },
        Web with { Kind = "tcp", Target = "db.internal:5432", Method = "", ExpectedStatusCodes = [] },
        Web with { Kind = "tcp", Target = "[::1]:5432" },
        Web with { Kind = "tls", Target = "example.org" },
        Web with { Kind = "tls", Target = "example.org:8443" },
        Web with { Kind = "dns", Target = "example.org", Check = new CheckSettings(ExpectedAddresses: ["192.0.2.1", "2001:db8::1"]) },
        Web with { Kind = "icmp", Target = "192.0.2.1" },
        Web with { Kind = "ICMP", Target = "example.org" },
    };

    public static TheoryData<MonitorDefinition, string> Unrunnable => new()
    {
        { Web with { Kind = "smtp" }, "kind 'smtp' is not supported by this probe (supported: http, tcp, tls, dns, icmp)" },
        { Web with { Target = "example.org" }, "not an absolute http or https URL" },
        { Web with { Method = "GET THIS" }, "method 'GET THIS'" },
        { Web with { Check = new CheckSettings(Conditions: ["[STATUS] = 200"]) }, "condition column 10 of '[STATUS] = 200': '=' is not an operator" },
        { Web with { Check = new CheckSettings(MaxRedirects: 51) }, "max redirects 51" },
        { Web with { Check = new CheckSettings(Headers: [new("Bad Name", "x")]) }, "header 'Bad Name'" },
        { Web with { Check = new CheckSettings(DegradedAfterMs: 0) }, "degraded threshold must be positive" },
        { Web with { Kind = "tcp", Target = "db.internal" }, "target 'db.internal' is not host:port" },
        { Web with { Kind = "tcp", Target = "db.internal:70000" }, "is not host:port" },
        { Web with { Kind = "tls", Target = "https://example.org/" }, "is not host:port" },
        { Web with { Kind = "dns", Target = "not a name" }, "is not a host name or address" },
        { Web with { Kind = "dns", Target = "example.org", Check = new CheckSettings(ExpectedAddresses: ["example.net"]) }, "expected address 'example.net'" },
    };

    [Theory]
    [MemberData(nameof(Runnable))]
    public void A_monitor_of_a_known_kind_with_a_fitting_target_can_run(MonitorDefinition monitor) => Assert.Null(MonitorChecks.Problem(monitor));

    [Theory]
    [MemberData(nameof(Unrunnable))]
    public void A_monitor_the_probe_cannot_run_is_named_with_the_reason(MonitorDefinition monitor, string reason) =>
        Assert.Contains(reason, MonitorChecks.Problem(monitor));

    [Fact]
    public void Check_settings_compare_by_content_so_an_unchanged_catalog_restarts_nothing()
    {
        var a = new CheckSettings(Headers: [new("A", "1")], Conditions: ["[STATUS] == 200"], ExpectedAddresses: ["127.0.0.1"]);
        var b = new CheckSettings(Headers: new List<HttpHeader> { new("A", "1") }, Conditions: new List<string> { "[STATUS] == 200" },
            ExpectedAddresses: new List<string> { "127.0.0.1" });

        Assert.Equal(a, b);
        Assert.Equal(Web with { Check = a }, Web with { Check = b });
        Assert.NotEqual(a, b with { Conditions = ["[STATUS] == 201"] });
        Assert.NotEqual(a, b with { Headers = [new("A", "2")] });
        Assert.Equal(new CheckSettings(), new CheckSettings(Headers: [], Conditions: []));
    }
}
