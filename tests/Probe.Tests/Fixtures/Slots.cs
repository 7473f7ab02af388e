using StatusPlatform.Probe.Scheduling;

namespace StatusPlatform.Probe.Tests.Fixtures;

/// <summary>
/// The slots of a monitor's grid (the probe's own <see cref="ScheduleSpread"/>), numbered from the epoch, and how
/// many checks landed in each: what "checked twice within an interval" and "missed a slot" mean, measured.
/// </summary>
public static class Slots
{
    public static long Of(string monitorId, TimeSpan interval, DateTimeOffset at)
    {
        var offsetMs = (long)ScheduleSpread.Offset(monitorId, interval).TotalMilliseconds;
        return (long)Math.Floor((at.ToUnixTimeMilliseconds() - offsetMs) / interval.TotalMilliseconds);
    }

    public static DateTimeOffset Start(string monitorId, TimeSpan interval, long slot) =>
        DateTimeOffset.FromUnixTimeMilliseconds((slot * (long)interval.TotalMilliseconds) + (long)ScheduleSpread.Offset(monitorId, interval).TotalMilliseconds);

    /// <summary>Checks per slot, for the slots from <paramref name="from"/> to <paramref name="to"/> (inclusive, zeros kept).</summary>
    public static IReadOnlyList<(long Slot, int Checks)> Count(string monitorId, TimeSpan interval, IEnumerable<DateTimeOffset> arrivals, long from, long to)
    {
        var counts = arrivals.GroupBy(a => Of(monitorId, interval, a)).ToDictionary(g => g.Key, g => g.Count());
        var result = new List<(long, int)>();
        for (var slot = from; slot <= to; slot++)
            result.Add((slot, counts.GetValueOrDefault(slot)));
        return result;
    }

    /// <summary>The longest run of consecutive slots without a check.</summary>
    public static int LongestGap(IReadOnlyList<(long Slot, int Checks)> counts)
    {
        var (longest, run) = (0, 0);
        foreach (var (_, checks) in counts)
        {
            run = checks == 0 ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }
}
