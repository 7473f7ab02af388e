using Microsoft.Extensions.DependencyInjection;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Membership;
using StatusPlatform.Probe.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Probe.Tests.Membership;

/// <summary>The probe checks a canary target of its own and says, while the canary fails, that its connectivity is lost.</summary>
public sealed class ConnectivityGuardTests : BrokerAndTarget
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_canary_switched_off_means_connectivity_lost_and_switched_back_on_clears_it()
    {
        var canary = await TargetServer.StartAsync();
        var port = canary.Port;
        var guard = Guard(StartProbe("probe-1", ("Probe:CanaryUrl", canary.Url("/canary")), ("Probe:CanaryInterval", "00:00:00.200")));
        await Eventually.Until(() => Task.FromResult(canary.Requests("/canary")), n => n >= 2, Patience, "the guard to check the canary");
        Assert.False(guard.ConnectivityLost);

        await canary.DisposeAsync();
        await Eventually.Until(() => Task.FromResult(guard.ConnectivityLost), Patience, "connectivity lost while the canary is off");

        await using var back = await TargetServer.StartAsync(port: port);
        await Eventually.Until(() => Task.FromResult(!guard.ConnectivityLost), Patience, "connectivity restored once the canary answers");
        Assert.True(back.Requests("/canary") >= 1);
    }

    [Fact]
    public async Task A_canary_that_hangs_or_answers_5xx_counts_as_lost_and_a_4xx_does_not()
    {
        var guard = Guard(StartProbe("probe-1", ("Probe:CanaryUrl", Target.Url("/canary")), ("Probe:CanaryInterval", "00:00:00.300")));

        Target.Set("/canary", TargetMode.Hanging);
        await Eventually.Until(() => Task.FromResult(guard.ConnectivityLost), Patience, "a hanging canary to count as lost");
        Target.Set("/canary", TargetMode.Up);
        await Eventually.Until(() => Task.FromResult(!guard.ConnectivityLost), Patience, "the canary to answer again");
        Target.Set("/canary", TargetMode.Failing);
        await Eventually.Until(() => Task.FromResult(guard.ConnectivityLost), Patience, "a 503 from the canary to count as lost");
    }

    [Fact]
    public async Task Without_a_canary_url_the_guard_is_off_and_never_reports_a_loss()
    {
        Target.Set("/web", TargetMode.Failing);
        var probe = await StartProbeWithCatalogAsync(HttpMonitor("web", Target.Url("/web")));

        // Every check fails, yet without a canary the probe has no grounds to doubt its own network.
        await ResultsAsync("web", 3, "three failed checks");
        Assert.False(Guard(probe).ConnectivityLost);
        Assert.DoesNotContain(probe.Logs, l => l.Message.Contains("Connectivity guard", StringComparison.Ordinal));
    }

    private static IConnectivityGuard Guard(ProbeHost probe) => probe.Services.GetRequiredService<IConnectivityGuard>();

    [Fact]
    public async Task Results_built_while_the_canary_fails_say_the_probe_lost_connectivity()
    {
        var canary = await TargetServer.StartAsync();
        Bus.Serve(new MonitorCatalog(1, [HttpMonitor("web", Target.Url("/web"))]));
        await Bus.StartAnsweringCatalogRequestsAsync();
        StartProbe("probe-1", ("Probe:CanaryUrl", canary.Url("/canary")), ("Probe:CanaryInterval", "00:00:00.200"));
        await ResultsAsync("web", 2, "checks while the canary answers");
        Assert.All(Bus.ResultsFor("web"), r => Assert.False(r.Message.ConnectivityLost));
        await canary.DisposeAsync();
        await Eventually.Until(() => Task.FromResult(Bus.ResultsFor("web").Count(r => r.Message.ConnectivityLost)), n => n >= 2, Patience, "flagged results");
    }
}
