using StatusPlatform.Contracts;
using StatusPlatform.Probe.Tests.Fixtures;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>Check settings travel in the catalog over RabbitMQ and the probe applies them: the contract's optional part works on the wire.</summary>
public sealed class CheckSettingsOverTheBusTests : BrokerAndTarget
{
    [Fact]
    public async Task Keywords_and_conditions_from_the_catalog_decide_the_published_outcome()
    {
        await StartProbeWithCatalogAsync(
            HttpMonitor("plain", Target.Url("/plain")),
            HttpMonitor("passing", Target.Url("/passing")) with
            {
                Check = new CheckSettings(Headers: [new("X-Probe", "1")], KeywordPresent: "ok", Conditions: ["[STATUS] == 200", "[BODY] == ok", "len([BODY]) == 2"]),
            },
            HttpMonitor("failing", Target.Url("/failing")) with { Check = new CheckSettings(Conditions: ["[BODY] == healthy"]) });

        var passing = (await ResultsAsync("passing", 1, "a result of the monitor whose conditions hold"))[0].Message;
        var failing = (await ResultsAsync("failing", 1, "a result of the monitor whose condition fails"))[0].Message;
        var plain = (await ResultsAsync("plain", 1, "a result of the monitor without check settings"))[0].Message;

        Assert.Equal((CheckOutcome.Up, null), (passing.Outcome, passing.FailureReason));
        Assert.Equal((CheckOutcome.Down, 200, "Condition failed: [BODY] == healthy (actual: ok)"), (failing.Outcome, failing.StatusCode, failing.FailureReason));
        Assert.Equal(CheckOutcome.Up, plain.Outcome);
    }
}
