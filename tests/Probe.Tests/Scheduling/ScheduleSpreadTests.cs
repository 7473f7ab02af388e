using StatusPlatform.Probe.Scheduling;

namespace StatusPlatform.Probe.Tests.Scheduling;

public sealed class ScheduleSpreadTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void A_monitor_gets_the_same_offset_in_every_process()
    {
        // Pinned values (FNV-1a 64): a per-process hash such as string.GetHashCode would give other numbers on each run.
        Assert.Equal(0xaf63dc4c8601ec8cUL, ScheduleSpread.StableHash("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(23_705), ScheduleSpread.Offset("demo-website-http", Minute));
    }

    [Fact]
    public void Offsets_stay_inside_the_interval_and_spread_many_monitors_across_it()
    {
        var offsets = Enumerable.Range(0, 600).Select(i => ScheduleSpread.Offset($"monitor-{i}", Minute)).ToList();

        Assert.All(offsets, offset => Assert.InRange(offset, TimeSpan.Zero, Minute - TimeSpan.FromMilliseconds(1)));
        // Six 10-second buckets of an even spread hold 100 each; all of them at once would put 600 in one.
        var buckets = offsets.GroupBy(o => (int)(o.TotalSeconds / 10)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(6, buckets.Count);
        Assert.All(buckets.Values, count => Assert.InRange(count, 60, 140));
    }

    [Fact]
    public void Monitors_that_differ_only_slightly_still_start_at_different_moments()
    {
        var offsets = Enumerable.Range(1, 10).Select(i => ScheduleSpread.Offset($"web-{i}", TimeSpan.FromSeconds(10))).ToList();

        Assert.True(offsets.Distinct().Count() >= 9, $"offsets bunch together: {string.Join(", ", offsets)}");
    }

    [Theory]
    [InlineData("web", 1)]
    [InlineData("api-health", 10)]
    [InlineData("db", 60)]
    [InlineData("slow", 3600)]
    public void The_next_start_lies_on_the_monitor_grid_within_one_interval_after_now(string monitorId, int intervalSeconds)
    {
        var interval = TimeSpan.FromSeconds(intervalSeconds);
        var offsetMs = (long)ScheduleSpread.Offset(monitorId, interval).TotalMilliseconds;
        var now = new DateTimeOffset(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);

        for (var step = 0; step < 500; step++)
        {
            var after = now.AddMilliseconds(step * 7919.3);
            var next = ScheduleSpread.NextStart(monitorId, interval, after);

            Assert.True(next > after, $"{next:O} is not after {after:O}");
            Assert.True(next - after <= interval, $"{next:O} is more than one interval after {after:O}");
            Assert.Equal(0, (next.ToUnixTimeMilliseconds() - offsetMs) % (long)interval.TotalMilliseconds);
        }
    }

    [Fact]
    public void A_check_starting_exactly_on_its_slot_is_next_due_one_interval_later()
    {
        var interval = TimeSpan.FromSeconds(30);
        var slot = ScheduleSpread.NextStart("web", interval, DateTimeOffset.UnixEpoch.AddDays(20000));

        Assert.Equal(slot + interval, ScheduleSpread.NextStart("web", interval, slot));
    }

    [Fact]
    public void A_time_before_the_first_offset_after_the_epoch_still_lands_on_the_grid()
    {
        var interval = TimeSpan.FromSeconds(10);

        Assert.Equal(TimeSpan.FromMilliseconds(1_521), ScheduleSpread.Offset("web", interval));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMilliseconds(1_521), ScheduleSpread.NextStart("web", interval, DateTimeOffset.UnixEpoch));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMilliseconds(1_521), ScheduleSpread.NextStart("web", interval, DateTimeOffset.UnixEpoch.AddMilliseconds(-8_479)));
    }
}
