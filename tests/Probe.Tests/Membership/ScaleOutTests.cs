using System.Globalization;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Membership;
using StatusPlatform.Probe.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Probe.Tests.Membership;

/// <summary>
/// Three probes of one region on one broker split the monitors: every slot of every monitor is checked by one probe
/// (the target counts the requests per monitor per slot), a joining probe takes its share, and when one stops or dies
/// the other two take over its monitors within one interval.
/// </summary>
public sealed class ScaleOutTests : BrokerAndTarget
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    // Heartbeat 0.5 s, dead after 4 missed (2 s): shorter than the interval, so a dead probe's monitors miss at most one slot.
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);
    private static readonly (string Key, string? Value)[] Settings =
        [("Probe:MinimumInterval", "00:00:03"), ("Probe:HeartbeatInterval", "00:00:00.500"), ("Probe:MissedHeartbeats", "4")];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly string[] MonitorIds = [.. Enumerable.Range(0, 24).Select(i => $"m-{i:00}")];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Bus.Serve(new MonitorCatalog(1, [.. MonitorIds.Select(id => HttpMonitor(id, Target.Url("/m/" + id), intervalSeconds: (int)Interval.TotalSeconds))]));
        await Bus.StartAnsweringCatalogRequestsAsync();
    }

    [Fact]
    public async Task Three_probes_check_each_slot_of_each_monitor_once_and_a_joining_probe_takes_its_share()
    {
        var started = DateTimeOffset.UtcNow;
        StartProbe("probe-1", Settings);
        await CheckingAsync("probe-1");
        StartProbe("probe-2", Settings);
        await CheckingAsync("probe-2");
        StartProbe("probe-3", Settings);
        await CheckingAsync("probe-3");
        var allJoined = DateTimeOffset.UtcNow;

        await EveryMonitorCheckedAsync(after: allJoined, times: 3);

        AssertNoSlotCheckedTwiceAndNoneMissedTwiceInARow(since: started);
        AssertEachSlotCheckedOnceBy(["probe-1", "probe-2", "probe-3"], since: allJoined + Interval);
    }

    [Fact]
    public async Task When_a_probe_stops_the_other_two_take_over_its_monitors_at_their_next_slot()
    {
        var started = DateTimeOffset.UtcNow;
        var leaving = StartProbe("probe-2", Settings);
        StartProbe("probe-1", Settings);
        StartProbe("probe-3", Settings);
        await Task.WhenAll(CheckingAsync("probe-1"), CheckingAsync("probe-2"), CheckingAsync("probe-3"));

        await StopProbeAsync(leaving);
        var stopped = DateTimeOffset.UtcNow;
        await EveryMonitorCheckedAsync(after: stopped, times: 3);

        AssertNoSlotCheckedTwiceAndNoneMissedTwiceInARow(since: started);
        // The leave notice moved its monitors at a slot time it announced: nothing waited for heartbeats to run out.
        AssertEachSlotCheckedOnceBy(["probe-1", "probe-3"], since: stopped);
    }

    [Fact]
    public async Task When_a_probe_dies_the_other_two_take_over_its_monitors_within_one_interval()
    {
        var started = DateTimeOffset.UtcNow;
        using var doomed = ProbeProcess.Start(VirtualHost.AmqpUri, "probe-3",
            [("Probe:Region", "test-region"), .. Settings.Select(s => (s.Key, s.Value!))]);
        StartProbe("probe-1", Settings);
        StartProbe("probe-2", Settings);
        await Task.WhenAll(CheckingAsync("probe-1"), CheckingAsync("probe-2"), CheckingAsync("probe-3", doomed));

        doomed.Kill();
        var killed = DateTimeOffset.UtcNow;
        await EveryMonitorCheckedAsync(after: killed + Lifetime, times: 3);

        // Its monitors go unchecked until its heartbeats run out (2 s), which is less than an interval: one slot at most.
        AssertNoSlotCheckedTwiceAndNoneMissedTwiceInARow(since: started);
        AssertEachSlotCheckedOnceBy(["probe-1", "probe-2"], since: killed + Lifetime);
    }

    private async Task CheckingAsync(string instanceId, ProbeProcess? process = null)
    {
        try
        {
            await Eventually.Until(() => Task.FromResult(Bus.Results.Any(r => r.Message.ProbeInstance == instanceId)), Patience, $"{instanceId} to check its share");
        }
        catch (TimeoutException e) when (process is not null)
        {
            throw new TimeoutException($"{e.Message}; its output:\n{string.Join('\n', process.Output)}", e);
        }
    }

    private Task<int> EveryMonitorCheckedAsync(DateTimeOffset after, int times) =>
        Eventually.Until(() => Task.FromResult(MonitorIds.Min(id => Target.Arrivals("/m/" + id).Count(a => a > after))), n => n >= times,
            Patience, $"every monitor to be checked {times} times after {after:O}");

    /// <summary>From each monitor's first check to its last complete slot: at most one check per slot, never two empty slots in a row.</summary>
    private void AssertNoSlotCheckedTwiceAndNoneMissedTwiceInARow(DateTimeOffset since)
    {
        // A slot that began a second ago has had its check if it is getting one.
        var lastComplete = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1);
        foreach (var id in MonitorIds)
        {
            var arrivals = Target.Arrivals("/m/" + id).Where(a => a >= since).ToList();
            var counts = Slots.Count(id, Interval, arrivals, Slots.Of(id, Interval, arrivals.Min()), Slots.Of(id, Interval, lastComplete));
            Assert.True(counts.All(c => c.Checks <= 1), $"{id} was checked twice in slot(s) {string.Join(", ", counts.Where(c => c.Checks > 1).Select(c => Slots.Start(id, Interval, c.Slot).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)))}");
            Assert.True(Slots.LongestGap(counts) <= 1, $"{id} went unchecked for {Slots.LongestGap(counts)} slots in a row");
        }
    }

    /// <summary>From the first slot after <paramref name="since"/>: every slot checked exactly once, by its rendezvous owner among <paramref name="members"/>.</summary>
    private void AssertEachSlotCheckedOnceBy(string[] members, DateTimeOffset since)
    {
        var lastComplete = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1);
        foreach (var id in MonitorIds)
        {
            var (from, to) = (Slots.Of(id, Interval, since) + 1, Slots.Of(id, Interval, lastComplete));
            var counts = Slots.Count(id, Interval, Target.Arrivals("/m/" + id), from, to);
            Assert.True(counts.All(c => c.Checks == 1), $"{id}: checks per slot since {since:HH:mm:ss.fff}: {string.Join(" ", counts.Select(c => c.Checks))}");
            var checkers = Bus.ResultsFor(id).Where(r => Slots.Of(id, Interval, r.Message.StartedAt) >= from).Select(r => r.Message.ProbeInstance).Distinct();
            Assert.Equal([Rendezvous.Owner(id, members)!], checkers);
        }
        // Every member has a share (24 monitors, about 8 each).
        var shares = MonitorIds.GroupBy(id => Rendezvous.Owner(id, members)).ToDictionary(g => g.Key!, g => g.Count());
        Assert.All(members, m => Assert.InRange(shares.GetValueOrDefault(m), 3, 24));
    }
}
