using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.History.Uptime;

/// <summary>One stretch of a component's status history; <see cref="EndedAt"/> is null while it lasts.</summary>
public sealed record StatusInterval(string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt);

/// <summary>
/// One day of the page's calendar. <see cref="Uptime"/> is a fraction (0..1), null when no time of the day counted;
/// <see cref="Counted"/> is the time that counted and <see cref="Down"/> the down time it contains (partial outage
/// already weighted).
/// </summary>
public sealed record DailyUptime(DateOnly Day, double? Uptime, TimeSpan Counted, TimeSpan Down, TimeSpan MajorOutage, TimeSpan PartialOutage, TimeSpan Maintenance);

/// <summary>Per-day uptime over a range of days and the uptime of the range as a whole (weighted by counted time).</summary>
public sealed record UptimeReport(IReadOnlyList<DailyUptime> Days, double? Uptime);

/// <summary>
/// Daily uptime from a component's status intervals, in the page's time zone. The rule (also in docs/history.md):
/// <list type="bullet">
/// <item>major_outage counts as down;</item>
/// <item>partial_outage counts as 30% down (an hour of it is 18 minutes of down time);</item>
/// <item>operational and degraded_performance count as up (degraded is slow, not unavailable), and so does any
/// status this code does not know, so that a status added later cannot make history look worse;</item>
/// <item>under_maintenance is excluded from both the counted time and the down time (announced work is not an outage);</item>
/// <item>time outside every interval (before the component existed, while it was removed) and time after
/// <c>now</c> are excluded likewise;</item>
/// <item>uptime = 1 - down / counted; a day with no counted time has no uptime (null), not 100%.</item>
/// </list>
/// A day runs from local midnight to the next local midnight in the page's zone, so it lasts 23 or 25 hours on days
/// when the clocks change; where a midnight does not exist (a change at 00:00) the day starts at the first local time
/// that does. Intervals are assumed not to overlap (the projection guarantees it).
/// </summary>
public static class UptimeCalculator
{
    public const double PartialOutageWeight = 0.3;

    /// <summary>Bounds the work of one call (ten years of days).</summary>
    public const int MaxDays = 3660;

    public static UptimeReport Calculate(IEnumerable<StatusInterval> intervals, DateOnly firstDay, DateOnly lastDay, TimeZoneInfo zone, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var dayCount = CheckRange(firstDay, lastDay);

        var sorted = intervals.OrderBy(i => i.StartedAt).ToList();
        var days = new List<DailyUptime>(dayCount);
        var (totalCounted, totalDown) = (TimeSpan.Zero, TimeSpan.Zero);
        var dayStart = StartOfDay(firstDay, zone);
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            var dayEnd = StartOfDay(day.AddDays(1), zone);
            var (major, partial, maintenance, counted) = (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
            foreach (var interval in sorted)
            {
                if (interval.StartedAt >= dayEnd)
                    break;
                var start = Max(interval.StartedAt, dayStart);
                var end = Min(Min(interval.EndedAt ?? now, now), dayEnd);
                if (end <= start)
                    continue;
                var length = end - start;
                switch (interval.Status)
                {
                    case ComponentStatus.UnderMaintenance:
                        maintenance += length;
                        continue;
                    case ComponentStatus.MajorOutage:
                        major += length;
                        break;
                    case ComponentStatus.PartialOutage:
                        partial += length;
                        break;
                }
                counted += length;
            }
            var down = major + partial * PartialOutageWeight;
            days.Add(new DailyUptime(day, Fraction(counted, down), counted, down, major, partial, maintenance));
            (totalCounted, totalDown) = (totalCounted + counted, totalDown + down);
            dayStart = dayEnd;
        }
        return new UptimeReport(days, Fraction(totalCounted, totalDown));
    }

    /// <summary>The number of days from <paramref name="firstDay"/> to <paramref name="lastDay"/>, both included; a clear error when the range is reversed or too long.</summary>
    public static int CheckRange(DateOnly firstDay, DateOnly lastDay)
    {
        var dayCount = lastDay.DayNumber - firstDay.DayNumber + 1;
        if (dayCount < 1)
            throw new ArgumentException($"The last day ({lastDay:yyyy-MM-dd}) is before the first ({firstDay:yyyy-MM-dd}).", nameof(lastDay));
        if (dayCount > MaxDays)
            throw new ArgumentOutOfRangeException(nameof(lastDay), $"{dayCount} days asked for; at most {MaxDays} at a time.");
        return dayCount;
    }

    /// <summary>The instant a calendar day begins in <paramref name="zone"/>.</summary>
    public static DateTimeOffset StartOfDay(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // A clock change at midnight skips it: the day starts when the local clock first shows a time of that day.
        while (zone.IsInvalidTime(local))
            local = local.AddMinutes(1);
        // An ambiguous midnight (clocks going back over it) happens twice; the day starts at the first.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static double? Fraction(TimeSpan counted, TimeSpan down) =>
        counted > TimeSpan.Zero ? 1 - down / counted : null;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
