using StatusPlatform.Contracts;
using StatusPlatform.Probe.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Probe.Tests.Membership;

/// <summary>What a probe says about itself on the broker: when it starts checking, how long to wait for it, when it leaves.</summary>
public sealed class MembershipTests : BrokerAndTarget
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_probe_announces_when_it_starts_checking_how_long_to_wait_for_it_and_when_it_leaves()
    {
        var probe = StartProbe("probe-1", ("Probe:MinimumInterval", "00:00:03"), ("Probe:HeartbeatInterval", "00:00:00.400"), ("Probe:MissedHeartbeats", "5"));

        var heartbeats = await Eventually.Until(() => Task.FromResult(Bus.HeartbeatsOf("probe-1")), h => h.Count >= 3, Patience, "three heartbeats");
        var first = heartbeats[0];
        Assert.Equal(("test-region", TimeSpan.FromSeconds(2)), (first.Region, first.Lifetime));
        // One heartbeat interval of warm-up before it checks anything.
        Assert.Equal(TimeSpan.FromMilliseconds(400), first.ActiveFrom - first.StartedAt);
        Assert.All(heartbeats, h => Assert.Equal((first.StartedAt, first.ActiveFrom), (h.StartedAt, h.ActiveFrom)));
        Assert.All(heartbeats.Zip(heartbeats.Skip(1), (a, b) => b.SentAt - a.SentAt), gap => Assert.InRange(gap.TotalSeconds, 0.2, 1));
        // It hears the others on a queue of its own that goes away once it is gone, like its catalog-change queue.
        var queue = Assert.Single(await QueuesAsync(), q => q.Name.StartsWith("probe-probe-membership", StringComparison.Ordinal));
        Assert.EndsWith("-probe-1", queue.Name, StringComparison.Ordinal);
        Assert.False(queue.Durable);
        Assert.InRange(queue.Arguments["x-expires"].GetInt32(), 1, 5 * 60 * 1000);

        var stopping = DateTimeOffset.UtcNow;
        await StopProbeAsync(probe);
        var stopped = DateTimeOffset.UtcNow;
        var leaving = Assert.Single(Bus.Membership.OfType<ProbeLeaving>());
        // Half a heartbeat of notice, and the probe only stopped once it had passed.
        Assert.Equal(("probe-1", first.StartedAt), (leaving.InstanceId, leaving.StartedAt));
        Assert.InRange(leaving.LeavingAt, stopping + TimeSpan.FromMilliseconds(200), stopped);
    }

    [Fact]
    public async Task A_probe_answers_a_newcomer_at_once_instead_of_at_its_next_heartbeat()
    {
        // probe-1 beats every 24 s: within the test, a second heartbeat from it can only be an answer.
        StartProbe("probe-1", ("Probe:MinimumInterval", "00:02:00"), ("Probe:HeartbeatInterval", "00:00:24"));
        await Eventually.Until(() => Task.FromResult(Bus.HeartbeatsOf("probe-1").Count), n => n == 1, Patience, "probe-1's first heartbeat");

        StartProbe("probe-2", ("Probe:MinimumInterval", "00:00:03"), ("Probe:HeartbeatInterval", "00:00:00.500"));
        var newcomer = await Eventually.Until(() => Task.FromResult(Bus.HeartbeatsOf("probe-2")), h => h.Count >= 1, Patience, "probe-2's first heartbeat");

        var answer = (await Eventually.Until(() => Task.FromResult(Bus.HeartbeatsOf("probe-1")), h => h.Count >= 2, TimeSpan.FromSeconds(5), "probe-1 to answer"))[1];
        Assert.InRange(answer.SentAt - newcomer[0].SentAt, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        // Answered once: probe-2's later heartbeats are not news.
        await Eventually.Until(() => Task.FromResult(Bus.HeartbeatsOf("probe-2").Count), n => n >= 6, Patience, "more heartbeats of probe-2");
        Assert.Equal(2, Bus.HeartbeatsOf("probe-1").Count);
    }
}
