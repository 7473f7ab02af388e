using StatusPlatform.Incident.History.Uptime;

namespace StatusPlatform.Incident.Tests.History;

/// <summary>Uptime arithmetic on cases computed by hand (the expected values are written as the sums they come from).</summary>
public sealed class UptimeCalculatorTests
{
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.FindSystemTimeZoneById("Etc/UTC");
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly DateOnly May1 = new(2024, 5, 1);
    private static readonly DateTimeOffset Later = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset T(string utc) => DateTimeOffset.Parse(utc + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static StatusInterval I(string status, string from, string? to) => new(status, T(from), to is null ? null : T(to));

    private static DailyUptime OneDay(DateOnly day, TimeZoneInfo zone, params StatusInterval[] intervals) =>
        Assert.Single(UptimeCalculator.Calculate(intervals, day, day, zone, Later).Days);

    [Fact]
    public void A_major_outage_counts_as_down()
    {
        var day = OneDay(May1, Utc,
            I("operational", "2024-04-01T00:00", "2024-05-01T06:00"),
            I("major_outage", "2024-05-01T06:00", "2024-05-01T12:00"),
            I("operational", "2024-05-01T12:00", null));
        Assert.Equal(1 - 6.0 / 24, day.Uptime!.Value, 12);
        Assert.Equal(TimeSpan.FromHours(6), day.MajorOutage);
    }

    [Fact]
    public void A_partial_outage_counts_thirty_percent_down_and_degraded_performance_counts_as_up()
    {
        var day = OneDay(May1, Utc,
            I("degraded_performance", "2024-04-01T00:00", "2024-05-01T04:00"),
            I("partial_outage", "2024-05-01T04:00", "2024-05-01T14:00"),
            I("major_outage", "2024-05-01T14:00", "2024-05-01T16:00"),
            I("degraded_performance", "2024-05-01T16:00", null));
        // 10 h partial = 3 h down, plus 2 h major.
        Assert.Equal(1 - (10 * 0.3 + 2) / 24, day.Uptime!.Value, 12);
        Assert.Equal(TimeSpan.FromHours(5), day.Down);
    }

    [Fact]
    public void Maintenance_is_left_out_of_both_the_counted_and_the_down_time()
    {
        var day = OneDay(May1, Utc,
            I("operational", "2024-04-01T00:00", "2024-05-01T02:00"),
            I("under_maintenance", "2024-05-01T02:00", "2024-05-01T06:00"),
            I("major_outage", "2024-05-01T06:00", "2024-05-01T11:00"),
            I("operational", "2024-05-01T11:00", null));
        Assert.Equal(1 - 5.0 / 20, day.Uptime!.Value, 12);
        Assert.Equal((TimeSpan.FromHours(20), TimeSpan.FromHours(4)), (day.Counted, day.Maintenance));
    }

    [Fact]
    public void Time_before_the_component_existed_is_not_counted_and_a_day_without_counted_time_has_no_uptime()
    {
        var report = UptimeCalculator.Calculate([
                I("operational", "2024-05-01T12:00", "2024-05-01T15:00"),
                I("major_outage", "2024-05-01T15:00", "2024-05-01T18:00"),
                I("operational", "2024-05-01T18:00", "2024-05-02T00:00"),
                I("under_maintenance", "2024-05-02T00:00", "2024-05-03T00:00"),
                I("operational", "2024-05-03T00:00", null),
            ], new DateOnly(2024, 4, 30), new DateOnly(2024, 5, 3), Utc, Later);
        Assert.Equal(new double?[] { null, 1 - 3.0 / 12, null, 1.0 }, report.Days.Select(d => d.Uptime is { } u ? Math.Round(u, 12) : (double?)null));
        Assert.Equal(TimeSpan.FromHours(12), report.Days[1].Counted);
        // The range as a whole weighs each day by its counted time: 3 h down of 12 + 24 h.
        Assert.Equal(1 - 3.0 / 36, report.Uptime!.Value, 12);
    }

    [Fact]
    public void Days_follow_the_page_time_zone()
    {
        StatusInterval[] intervals = [
            I("operational", "2023-12-01T00:00", "2024-01-01T23:00"),
            I("major_outage", "2024-01-01T23:00", "2024-01-02T01:00"), // 00:00-02:00 on 2 January in Berlin (UTC+1)
            I("operational", "2024-01-02T01:00", null),
        ];
        var (first, last) = (new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 2));

        var berlin = UptimeCalculator.Calculate(intervals, first, last, Berlin, Later).Days;
        Assert.Equal(1.0, berlin[0].Uptime!.Value, 12);
        Assert.Equal(1 - 2.0 / 24, berlin[1].Uptime!.Value, 12);

        var utc = UptimeCalculator.Calculate(intervals, first, last, Utc, Later).Days;
        Assert.Equal(1 - 1.0 / 24, utc[0].Uptime!.Value, 12);
        Assert.Equal(1 - 1.0 / 24, utc[1].Uptime!.Value, 12);
    }

    [Fact]
    public void A_day_when_the_clocks_go_forward_has_twenty_three_hours()
    {
        // 31 March 2024 in Berlin runs from 30 March 23:00 UTC to 31 March 22:00 UTC.
        var day = OneDay(new DateOnly(2024, 3, 31), Berlin,
            I("operational", "2024-03-01T00:00", "2024-03-31T10:00"),
            I("major_outage", "2024-03-31T10:00", "2024-03-31T12:18"), // 2.3 h
            I("operational", "2024-03-31T12:18", null));
        Assert.Equal(TimeSpan.FromHours(23), day.Counted);
        Assert.Equal(1 - 2.3 / 23, day.Uptime!.Value, 12);
        Assert.Equal(T("2024-03-30T23:00"), UptimeCalculator.StartOfDay(new DateOnly(2024, 3, 31), Berlin));
        Assert.Equal(T("2024-10-26T22:00"), UptimeCalculator.StartOfDay(new DateOnly(2024, 10, 27), Berlin)); // a 25-hour day
        Assert.Equal(T("2024-10-27T23:00"), UptimeCalculator.StartOfDay(new DateOnly(2024, 10, 28), Berlin));
    }

    [Fact]
    public void The_current_stretch_counts_until_now_and_the_future_not_at_all()
    {
        var now = T("2024-05-01T18:00");
        var report = UptimeCalculator.Calculate([
                I("operational", "2024-04-01T00:00", "2024-05-01T12:00"),
                I("major_outage", "2024-05-01T12:00", null),
            ], May1, May1.AddDays(1), Utc, now);
        Assert.Equal(TimeSpan.FromHours(18), report.Days[0].Counted);
        Assert.Equal(1 - 6.0 / 18, report.Days[0].Uptime!.Value, 12);
        Assert.Null(report.Days[1].Uptime);
    }

    [Fact]
    public void A_reversed_range_is_refused_with_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => UptimeCalculator.Calculate([], May1, May1.AddDays(-1), Utc, Later));
        Assert.Contains("before the first", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => UptimeCalculator.Calculate([], May1, May1.AddDays(UptimeCalculator.MaxDays), Utc, Later));
    }
}
