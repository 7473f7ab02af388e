namespace StatusPlatform.Probe.Scheduling;

/// <summary>A monitor's first check: when, and which grid slot it stands in for when it is not on the grid itself.</summary>
public readonly record struct FirstCheck(DateTimeOffset At, DateTimeOffset? MissedSlot);

/// <summary>
/// Where a monitor's first check goes after the probe starts. On the grid alone, a monitor whose slot passed while the
/// probe was starting waits for its next slot, up to one interval after the probe was ready, which is later than one
/// interval after the process started (bench/Probe.Bench measured 32.7 s at 30 s). Those monitors get one catch-up
/// check instead, and the catch-ups are laid over the time left (from ready to just before the interval is up) in the
/// order of the slots they missed, while every other monitor keeps its grid slot. Both are even over that time, so
/// together they are too: N checks spread over the interval minus start-up, a little denser than the grid, never a
/// burst. After its first check every monitor is on its grid again: a catch-up lies before the monitor's next slot.
/// </summary>
public static class FirstRound
{
    /// <summary>
    /// How long before the end of the interval the first round ends: a check lands a few milliseconds after its planned
    /// time, and one planned at the very end would land just outside the interval. Short, because the slots in it before
    /// the process started are caught up too, and a previous run of the probe may have checked them (see MemberTable).
    /// </summary>
    public static TimeSpan Slack(TimeSpan interval) => TimeSpan.FromTicks(Math.Min(interval.Ticks / 40, TimeSpan.FromMilliseconds(250).Ticks));

    /// <summary>
    /// The first check of <paramref name="monitorId"/> for a probe whose process started at <paramref name="processStart"/>
    /// and that can check from <paramref name="ready"/> on (joined, catalog in hand). Never before <paramref name="ready"/>,
    /// and before <c>processStart + interval</c> whenever start-up left any time for it; otherwise the grid's next slot.
    /// </summary>
    public static FirstCheck Plan(string monitorId, TimeSpan interval, DateTimeOffset processStart, DateTimeOffset ready)
    {
        var end = processStart + interval - Slack(interval);
        // The first slot at or after ready. NextStart is strictly after, in whole milliseconds, and ready has ticks below
        // them: a slot a fraction of a millisecond before ready is before the probe counts for it, so it is a missed one.
        var next = ScheduleSpread.NextStart(monitorId, interval, ready - TimeSpan.FromTicks(1));
        if (next <= end || ready >= end)
            return new FirstCheck(next, null);
        // Its previous slot passed during start-up, after `end - interval`; those slots map in order onto [ready, end).
        var missed = next - interval;
        var from = end - interval;
        var share = (missed - from) / (ready - from);
        return new FirstCheck(ready + ((end - ready) * share), missed);
    }
}
