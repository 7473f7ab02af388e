using StatusPlatform.Incident.History.Results;

namespace StatusPlatform.Incident.Tests.History;

/// <summary>Hourly rollups of a known set of results, recomputed for late results, and the response-time series read from them.</summary>
public sealed class HourlyRollupTests
{
    private static DateTimeOffset T(string utc) => DateTimeOffset.Parse(utc + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Task ResultAsync(HistoryDatabase db, string region, string at, double ms, string outcome = "up", bool connectivityLost = false) => db.ExecuteAsync("""
        insert into checks.results (check_id, monitor_id, region, probe_instance, started_at, duration_ms, outcome, connectivity_lost)
        values (gen_random_uuid(), 'web', $1, 'p', $2, $3, $4, $5)
        """, region, T(at), ms, outcome, connectivityLost);

    // Through the series query, so the numbers checked are the ones a chart gets; latencies to a micro-millisecond.
    private static async Task<List<string>> RollupsAsync(HistoryDatabase db, DateTimeOffset now) =>
        [.. (await new ResponseTimeQuery(db.Database.DataSource).GetSeriesAsync("web", now.AddDays(-400), now)).Select(p =>
            $"{p.Region} {p.Hour:HH:mm} {p.Count} {p.Failures} {Ms(p.P50Ms)} {Ms(p.P95Ms)} {Ms(p.MaxMs)}")];

    private static string Ms(double? value) => value is { } v ? Math.Round(v, 6).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";

    [Fact]
    public async Task Completed_hours_roll_up_to_count_failures_and_latency_percentiles()
    {
        await using var db = await HistoryDatabase.CreateAsync();
        var clock = new TestClock(T("2030-02-01T10:20"));
        var maintenance = db.Maintenance(clock);
        await maintenance.RunOnceAsync(CancellationToken.None); // partitions first

        await ResultAsync(db, "eu", "2030-02-01T08:00", 10);
        await ResultAsync(db, "eu", "2030-02-01T08:10", 20);
        await ResultAsync(db, "eu", "2030-02-01T08:20", 30, "degraded");
        await ResultAsync(db, "eu", "2030-02-01T08:30", 40);
        await ResultAsync(db, "eu", "2030-02-01T08:40", 5000, "down");        // counted and failed, no response time
        await ResultAsync(db, "eu", "2030-02-01T08:50", 1, connectivityLost: true); // says nothing about the target
        await ResultAsync(db, "eu", "2030-02-01T09:59", 50);
        await ResultAsync(db, "us", "2030-02-01T09:00", 3000, "down");
        await ResultAsync(db, "eu", "2030-02-01T10:05", 60);                  // the hour still running
        await db.ExecuteAsync("""
            insert into checks.result_rollups_hourly (monitor_id, region, hour, count, failures) values
                ('web', 'eu', $1, 1, 0), ('web', 'eu', $2, 1, 0)
            """, T("2030-02-01T10:00").AddDays(-401), T("2030-02-01T10:00").AddDays(-399));

        await maintenance.RunOnceAsync(CancellationToken.None);

        // p50 of 10, 20, 30, 40 is 25; p95 sits at 0.95 x 3 = 2.85 between 30 and 40: 38.5.
        Assert.Equal([
            "eu 10:00 1 0 - - -", // 399 days old: kept; the 401-day-old one is gone
            "eu 08:00 5 1 25 38.5 40",
            "eu 09:00 1 0 50 50 50",
            "us 09:00 1 1 - - -",
        ], await RollupsAsync(db, clock.Now));
        Assert.Equal(0, (await db.ListAsync<long>("select count(*) from checks.result_rollups_hourly where hour < $1", clock.Now.AddDays(-400))).Single());

        // A result that arrives late for 08:00 is in the next run (the last hours are recomputed), and twice changes nothing.
        await ResultAsync(db, "eu", "2030-02-01T08:55", 100);
        clock.Now = T("2030-02-01T10:25");
        await maintenance.RunOnceAsync(CancellationToken.None);
        await maintenance.RunOnceAsync(CancellationToken.None);
        // 10, 20, 30, 40, 100: p50 30; p95 at 0.95 x 4 = 3.8 between 40 and 100: 88.
        Assert.Equal("eu 08:00 6 1 30 88 100", (await RollupsAsync(db, clock.Now))[1]);

        var series = await new ResponseTimeQuery(db.Database.DataSource).GetSeriesAsync("web", T("2030-02-01T09:00"), T("2030-02-01T10:00"));
        Assert.Equal([("eu", T("2030-02-01T09:00"), 50.0), ("us", T("2030-02-01T09:00"), -1)], series.Select(p => (p.Region, p.Hour, p.P50Ms ?? -1)));
        await Assert.ThrowsAsync<ArgumentException>(() => new ResponseTimeQuery(db.Database.DataSource).GetSeriesAsync("web", T("2030-02-01T10:00"), T("2030-02-01T08:00")));
    }
}
