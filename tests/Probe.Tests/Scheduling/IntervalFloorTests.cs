using StatusPlatform.Probe.Tests.Fixtures;

namespace StatusPlatform.Probe.Tests.Scheduling;

/// <summary>The probe never checks a monitor more often than its floor, whatever the catalog asks for.</summary>
public sealed class IntervalFloorTests : BrokerAndTarget
{
    [Fact]
    public async Task A_monitor_asking_for_less_than_the_floor_is_checked_at_the_floor_on_its_grid()
    {
        Bus.Serve(new Contracts.MonitorCatalog(1, [HttpMonitor("web", Target.Url("/web"), intervalSeconds: 1)]));
        await Bus.StartAnsweringCatalogRequestsAsync();
        var probe = StartProbe("probe-1", ("Probe:MinimumInterval", "00:00:02"));

        var results = await ResultsAsync("web", 4, "four checks of web", timeoutSeconds: 20);

        var floor = TimeSpan.FromSeconds(2);
        var starts = results.Select(r => r.Message.StartedAt).Order().ToList();
        // Each check in a slot of its own on the 2 s grid is the floor at work (at 1 s, two would share a slot). Gaps between
        // start times are not bounded here: on a loaded machine one late start makes one gap long and the next short.
        Assert.Equal(starts.Count, starts.Select(s => Slots.Of("web", floor, s)).Distinct().Count());
        Assert.Contains(probe.Logs, l => l.Message.Contains("below this probe's floor of 2 s", StringComparison.Ordinal));
    }
}
