using StatusPlatform.Contracts;
using StatusPlatform.Probe.Catalog;

namespace StatusPlatform.Probe.Tests.Catalog;

public sealed class MonitorRulesTests
{
    private static readonly MonitorDefinition Valid = new("web", "website", "http", "https://example.org/health", "GET", 30, 5, [200]);

    [Fact]
    public void A_complete_http_monitor_can_run() => Assert.Null(MonitorRules.Problem(Valid));

    [Theory]
    [InlineData("tcp", "db.example.org:5432")]
    [InlineData("tls", "example.org:443")]
    [InlineData("dns", "example.org")]
    [InlineData("icmp", "192.0.2.1")]
    public void Every_kind_the_checks_know_can_run(string kind, string target) =>
        Assert.Null(MonitorRules.Problem(Valid with { Kind = kind, Target = target, Method = "" }));

    [Fact]
    public void An_empty_method_and_empty_expected_codes_fall_back_to_get_and_any_2xx() =>
        Assert.Null(MonitorRules.Problem(Valid with { Method = "", ExpectedStatusCodes = [] }));

    public static TheoryData<MonitorDefinition, string> Unrunnable => new()
    {
        { Valid with { Kind = "smtp" }, "kind 'smtp'" },
        { Valid with { Kind = " " }, "no kind" },
        { Valid with { Kind = "tcp", Target = "example.org" }, "not host:port" },
        { Valid with { Target = "example.org/health" }, "not an absolute http or https URL" },
        { Valid with { Target = "ftp://example.org/" }, "not an absolute http or https URL" },
        { Valid with { IntervalSeconds = 0 }, "interval 0 s is outside" },
        { Valid with { IntervalSeconds = int.MaxValue }, "interval 2147483647 s is outside" },
        { Valid with { TimeoutSeconds = -1 }, "timeout -1 s is outside" },
        { Valid with { TimeoutSeconds = 7200 }, "timeout 7200 s is outside" },
        { Valid with { ExpectedStatusCodes = [200, 700] }, "between 100 and 599" },
        { Valid with { Method = "GET THIS" }, "method 'GET THIS'" },
        { Valid with { MonitorId = " " }, "no id" },
    };

    [Fact]
    public void An_interval_below_the_probe_floor_is_raised_to_it_and_others_are_kept()
    {
        Assert.Equal(10, MonitorRules.WithMinimumInterval(Valid with { IntervalSeconds = 2 }, 10).IntervalSeconds);
        Assert.Same(Valid, MonitorRules.WithMinimumInterval(Valid, 10));
        Assert.Equal(Valid with { IntervalSeconds = 45 }, MonitorRules.WithMinimumInterval(Valid, 45));
    }

    [Theory]
    [MemberData(nameof(Unrunnable))]
    public void A_monitor_the_probe_cannot_run_is_named_with_the_reason(MonitorDefinition monitor, string reason) =>
        Assert.Contains(reason, MonitorRules.Problem(monitor));
}
