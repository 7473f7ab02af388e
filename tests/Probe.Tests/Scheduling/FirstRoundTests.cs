using StatusPlatform.Probe.Scheduling;

namespace StatusPlatform.Probe.Tests.Scheduling;

/// <summary>
/// The first round after a (re)start, as a pure function of the process start and the moment the probe can check:
/// every monitor once within one interval of the start, spread evenly, then back on its grid.
/// </summary>
public sealed class FirstRoundTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset ProcessStart = new(2026, 3, 1, 12, 0, 7, 421, TimeSpan.Zero);
    private static readonly string[] Monitors = [.. Enumerable.Range(0, 20_000).Select(i => $"monitor-{i:00000}")];

    [Theory]
    [InlineData(0.3)]
    [InlineData(2.7)]
    [InlineData(9)]
    [InlineData(25)]
    public void Every_monitor_is_first_checked_after_ready_and_before_one_interval_from_the_process_start(double readyAfterSeconds)
    {
        // Warm-ups end at any tick, not on the grid's whole milliseconds.
        var ready = ProcessStart.AddSeconds(readyAfterSeconds).AddTicks(4_131);

        var firsts = Monitors.Select(id => FirstRound.Plan(id, Interval, ProcessStart, ready).At).ToList();

        Assert.All(firsts, at => Assert.InRange(at, ready, ProcessStart + Interval - FirstRound.Slack(Interval)));
        // On the grid alone, the monitors whose slot passed during start-up would wait until up to `ready + interval`.
        var gridOnly = Monitors.Max(id => ScheduleSpread.NextStart(id, Interval, ready));
        Assert.True(gridOnly > ProcessStart + Interval, "the case is not a test of anything: no slot passed during start-up");
    }

    [Fact]
    public void A_catch_up_stands_in_for_the_slot_that_passed_during_start_up_and_the_grid_follows_it()
    {
        var ready = ProcessStart.AddSeconds(2.7);
        var end = ProcessStart + Interval - FirstRound.Slack(Interval);

        foreach (var id in Monitors)
        {
            var first = FirstRound.Plan(id, Interval, ProcessStart, ready);
            var gridFirst = ScheduleSpread.NextStart(id, Interval, ready - TimeSpan.FromTicks(1));
            if (first.MissedSlot is { } missed)
            {
                // Its grid slot passed after the round's window opened and before ready, and its next one is past the end.
                Assert.InRange(missed, end - Interval, ready);
                Assert.Equal(gridFirst, missed + Interval);
                Assert.True(gridFirst > end);
                // Within the missed slot's interval, so one check for that slot; the next check is the grid's next slot.
                Assert.InRange(first.At, missed, gridFirst - TimeSpan.FromTicks(1));
                Assert.Equal(gridFirst, ScheduleSpread.NextStart(id, Interval, first.At));
            }
            else
            {
                Assert.Equal(gridFirst, first.At);
            }
        }
    }

    [Fact]
    public void A_slot_a_fraction_of_a_millisecond_before_ready_is_caught_up_not_planned()
    {
        // The warm-up ends at any tick, the grid is in whole milliseconds: bench/Probe.Bench once found one monitor of
        // 10,000 first checked 33 s after the start, its slot having passed 0.9 ms before the probe counted for it.
        var (id, slot) = Monitors.Select(m => (Id: m, Slot: ScheduleSpread.NextStart(m, Interval, ProcessStart.AddSeconds(2))))
            .First(m => m.Slot < ProcessStart.AddSeconds(20));
        var ready = slot + TimeSpan.FromTicks(9_131);

        var first = FirstRound.Plan(id, Interval, ProcessStart, ready);

        Assert.Equal(slot, first.MissedSlot);
        Assert.InRange(first.At, ready, ProcessStart + Interval - FirstRound.Slack(Interval));
        // Ready exactly at the slot: the slot itself.
        Assert.Equal(new FirstCheck(slot, null), FirstRound.Plan(id, Interval, ProcessStart, slot));
    }

    [Fact]
    public void The_first_round_is_spread_evenly_over_the_time_left_without_a_burst()
    {
        var ready = ProcessStart.AddSeconds(2.7);
        var end = ProcessStart + Interval - FirstRound.Slack(Interval);
        var firsts = Monitors.Select(id => FirstRound.Plan(id, Interval, ProcessStart, ready)).ToList();

        // About one in ten monitors (2.7 s and the slack, of 30 s) had its slot during start-up.
        Assert.InRange(firsts.Count(f => f.MissedSlot is not null), 1_400, 2_600);
        // 20,000 checks over the 27 s left: about 740 in every whole second of it, as even as the grid itself (667).
        var left = (end - ready).TotalSeconds;
        var mean = Monitors.Length / left;
        var perSecond = firsts.GroupBy(f => (int)Math.Floor((f.At - ready).TotalSeconds)).Where(g => g.Key + 1 <= left).Select(g => g.Count()).ToList();
        Assert.Equal(27, perSecond.Count);
        Assert.All(perSecond, count => Assert.InRange(count, mean * 0.85, mean * 1.15));
    }

    [Fact]
    public void A_probe_ready_only_after_the_interval_has_passed_plans_the_grid()
    {
        var ready = ProcessStart + Interval + TimeSpan.FromSeconds(3);

        Assert.All(Monitors.Take(2_000), id =>
            Assert.Equal(new FirstCheck(ScheduleSpread.NextStart(id, Interval, ready - TimeSpan.FromTicks(1)), null), FirstRound.Plan(id, Interval, ProcessStart, ready)));
    }

    [Fact]
    public void The_round_ends_a_little_before_the_interval_so_a_check_a_few_milliseconds_late_is_still_inside_it()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(250), FirstRound.Slack(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromMilliseconds(250), FirstRound.Slack(TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromMilliseconds(75), FirstRound.Slack(TimeSpan.FromSeconds(3)));
    }
}
