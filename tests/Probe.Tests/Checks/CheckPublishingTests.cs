using StatusPlatform.Contracts;
using StatusPlatform.Probe.Scheduling;
using StatusPlatform.Probe.Tests.Fixtures;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>How checks go out: one message per check with its own id, one request per check, never overlapping.</summary>
public sealed class CheckPublishingTests : BrokerAndTarget
{
    [Fact]
    public async Task Every_check_has_its_own_check_id_and_the_message_id_equals_it()
    {
        await StartProbeWithCatalogAsync(HttpMonitor("web", Target.Url("/web")), HttpMonitor("api", Target.Url("/api")));

        await ResultsAsync("web", 3, "three checks of web");
        await ResultsAsync("api", 3, "three checks of api");
        var results = Bus.Results;

        Assert.All(results, r => Assert.Equal(r.Message.CheckId, r.MessageId));
        Assert.Equal(results.Count, results.Select(r => r.Message.CheckId).Distinct().Count());
        Assert.DoesNotContain(results, r => r.Message.CheckId == Guid.Empty);
    }

    [Fact]
    public async Task A_failing_target_gets_exactly_one_request_per_check()
    {
        // The service defaults would retry a 503 on GET three times; the probe must not.
        Target.Set("/web", TargetMode.Failing);
        await StartProbeWithCatalogAsync(HttpMonitor("web", Target.Url("/web")));

        await ResultsAsync("web", 3, "three checks of the failing target");
        var (requests, results) = (Target.Requests("/web"), Bus.ResultsFor("web"));

        Assert.All(results, r => Assert.Equal(CheckOutcome.Down, r.Message.Outcome));
        // At most one check can be in flight between the two reads: its request arrived, its result not yet.
        Assert.InRange(requests, results.Count, results.Count + 1);
    }

    [Fact]
    public async Task A_check_slower_than_its_interval_never_overlaps_itself()
    {
        Target.Set("/slow", TargetMode.Hanging);
        await StartProbeWithCatalogAsync(HttpMonitor("slow", Target.Url("/slow"), intervalSeconds: 1, timeoutSeconds: 3));

        var results = await ResultsAsync("slow", 2, "two timed-out checks", timeoutSeconds: 20);

        Assert.Equal(1, Target.MostInFlight("/slow"));
        var starts = results.Select(r => r.Message.StartedAt).Order().ToList();
        Assert.True(starts[1] - starts[0] >= TimeSpan.FromSeconds(3), $"checks started {starts[1] - starts[0]} apart, inside a 3 s check");
    }

    [Fact]
    public async Task Checks_start_on_their_monitor_grid_at_the_monitor_interval()
    {
        await StartProbeWithCatalogAsync(HttpMonitor("web", Target.Url("/web"), intervalSeconds: 5));

        var results = await ResultsAsync("web", 3, "three checks of web", timeoutSeconds: 40);

        var offsetMs = (long)ScheduleSpread.Offset("web", TimeSpan.FromSeconds(5)).TotalMilliseconds;
        var starts = results.Select(r => r.Message.StartedAt).Order().ToList();
        // On (or after) a slot of the monitor's grid. The bound is loose on purpose: a loaded 2-core CI machine
        // delays timers by hundreds of ms; how small drift really is, bench/Probe.Bench measures.
        Assert.All(starts, start => Assert.InRange((start.ToUnixTimeMilliseconds() - offsetMs) % 5000, 0, 2000));
        Assert.All(starts.Zip(starts.Skip(1), (a, b) => b - a), gap => Assert.InRange(gap.TotalSeconds, 3, 7));
    }
}
