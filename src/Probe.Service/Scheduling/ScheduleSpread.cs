using System.Text;

namespace StatusPlatform.Probe.Scheduling;

/// <summary>
/// Places each monitor's checks on a fixed grid: every <c>interval</c>, shifted by an offset taken from a stable hash
/// of the monitor id. Many monitors with the same interval then start at different moments instead of all at once,
/// and because the grid hangs off the Unix epoch, a restarted or rescheduled probe keeps the same rhythm.
/// </summary>
public static class ScheduleSpread
{
    /// <summary>Where in each interval this monitor's checks start, in [0, interval).</summary>
    public static TimeSpan Offset(string monitorId, TimeSpan interval)
    {
        var intervalMs = IntervalMs(interval);
        return TimeSpan.FromMilliseconds((long)(StableHash(monitorId) % (ulong)intervalMs));
    }

    /// <summary>The first start on this monitor's grid strictly after <paramref name="after"/>.</summary>
    public static DateTimeOffset NextStart(string monitorId, TimeSpan interval, DateTimeOffset after)
    {
        var intervalMs = IntervalMs(interval);
        var offsetMs = (long)Offset(monitorId, interval).TotalMilliseconds;
        var afterMs = after.ToUnixTimeMilliseconds();
        // Floor division: the grid slot at or before `after`, then one step on, which is strictly later than `after`.
        var slot = Math.DivRem(afterMs - offsetMs, intervalMs, out var remainder);
        if (remainder < 0)
            slot--;
        return DateTimeOffset.FromUnixTimeMilliseconds(((slot + 1) * intervalMs) + offsetMs);
    }

    /// <summary>
    /// FNV-1a over the UTF-8 bytes: string.GetHashCode is randomised per process, which would move every monitor's
    /// start time on each restart and give two probes different spreads.
    /// </summary>
    public static ulong StableHash(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    private static long IntervalMs(TimeSpan interval) =>
        interval >= TimeSpan.FromMilliseconds(1)
            ? (long)interval.TotalMilliseconds
            : throw new ArgumentOutOfRangeException(nameof(interval), interval, "An interval must be at least 1 ms.");
}
