using StatusPlatform.Contracts;
using StatusPlatform.Probe.Catalog;

namespace StatusPlatform.Probe.Tests.Catalog;

public sealed class MonitorRulesTests
{
    private static readonly MonitorDefinition Valid = new("web", "website", "http", "https://example.org/health", "GET", 30, 5, [200]);

    [Fact]
    public void A_complete_http_monitor_can_run() => Assert.Null(MonitorRules.Problem(Valid));

    [Fact]
    public void An_empty_method_and_empty_expected_codes_fall_back_to_get_and_any_2xx() =>
        Assert.Null(MonitorRules.Problem(Valid with { Method = "", ExpectedStatusCodes = [] }));

    public static TheoryData<MonitorDefinition, string> Unrunnable => new()
    {
        { Valid with { Kind = "tcp" }, "kind 'tcp'" },
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

    [Theory]
    [MemberData(nameof(Unrunnable))]
    public void A_monitor_the_probe_cannot_run_is_named_with_the_reason(MonitorDefinition monitor, string reason) =>
        Assert.Contains(reason, MonitorRules.Problem(monitor));
}
