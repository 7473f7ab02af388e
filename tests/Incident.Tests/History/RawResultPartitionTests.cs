using StatusPlatform.Incident.History.Results;

namespace StatusPlatform.Incident.Tests.History;

/// <summary>checks.results partitioned by day: the move from the previous version's plain table, and retention.</summary>
public sealed class RawResultPartitionTests
{
    // checks.results exactly as the version before partitioning created it.
    private const string PreviousVersionTable = """
        create schema if not exists checks;
        create table checks.results (
            check_id uuid primary key, monitor_id text not null, region text not null, probe_instance text not null,
            started_at timestamptz not null, duration_ms double precision not null, outcome text not null,
            status_code integer null, failure_reason text null, timings jsonb null, received_at timestamptz not null default now());
        alter table checks.results add column if not exists connectivity_lost boolean not null default false;
        create index if not exists results_by_monitor_region on checks.results (monitor_id, region, started_at desc);
        """;

    private const string Insert = """
        insert into checks.results (check_id, monitor_id, region, probe_instance, started_at, duration_ms, outcome)
        values ($1, 'm', 'eu', 'p', $2, 12, 'up')
        """;

    private static DateTimeOffset T(string utc) => DateTimeOffset.Parse(utc + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Task<List<string>> PartitionsAsync(HistoryDatabase db) => db.ListAsync<string>("""
        select c.relname::text from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'checks.results'::regclass order by 1
        """);

    [Fact]
    public async Task A_plain_table_from_the_previous_version_becomes_daily_partitions_keeping_the_rows_within_retention()
    {
        var now = DateTimeOffset.UtcNow;
        var (recent, threeDaysOld, tenDaysOld) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await using var db = await HistoryDatabase.CreateAsync(async database =>
        {
            await using var command = database.DataSource.CreateCommand(PreviousVersionTable);
            await command.ExecuteNonQueryAsync();
            foreach (var (id, at) in new[] { (recent, now.AddMinutes(-5)), (threeDaysOld, now.AddDays(-3)), (tenDaysOld, now.AddDays(-10)) })
            {
                await using var insert = database.DataSource.CreateCommand(Insert);
                insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
                insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = at });
                await insert.ExecuteNonQueryAsync();
            }
        });
        Assert.True(await db.Maintenance(new TestClock(now)).RunOnceAsync(CancellationToken.None));

        Assert.Equal(["p"], await db.ListAsync<string>("select relkind::text from pg_class where oid = 'checks.results'::regclass")); // partitioned
        Assert.Empty(await db.ListAsync<string>("select 'legacy' where to_regclass('checks.results_legacy') is not null"));
        Assert.Equal(new[] { recent, threeDaysOld }.Order(), (await db.ListAsync<Guid>("select check_id from checks.results")).Order());
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var expected = Enumerable.Range(-7, 10).Select(d => $"results_{today.AddDays(d):yyyyMMdd}").Append("results_default").Order(StringComparer.Ordinal);
        Assert.Equal(expected, await PartitionsAsync(db));

        // Start-up runs the schema and maintenance again every time: nothing changes, nothing fails.
        await new StatusPlatform.Incident.Storage.IncidentSchema(db.Database.DataSource).StartAsync(CancellationToken.None);
        Assert.True(await db.Maintenance(new TestClock(now)).RunOnceAsync(CancellationToken.None));
        Assert.Equal(2, (await db.ListAsync<Guid>("select check_id from checks.results")).Count);
        Assert.Equal(expected, await PartitionsAsync(db));
    }

    [Fact]
    public async Task Days_beyond_retention_are_dropped_and_a_day_created_late_takes_its_rows_from_the_default_partition()
    {
        await using var db = await HistoryDatabase.CreateAsync();
        var clock = new TestClock(T("2030-01-10T12:00"));
        var maintenance = db.Maintenance(clock);
        await maintenance.RunOnceAsync(CancellationToken.None);
        Assert.Equal(["results_20300110", "results_20300111", "results_20300112", "results_default"], await PartitionsAsync(db));

        var (kept, ahead, dropped, stray) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await db.ExecuteAsync(Insert, dropped, T("2030-01-11T08:00"));
        await db.ExecuteAsync(Insert, ahead, T("2030-01-20T09:00"));   // no partition yet: the default one takes it
        await db.ExecuteAsync(Insert, stray, T("2029-12-01T09:00"));   // a probe clock far behind: default partition too
        Assert.Equal(["checks.results_default", "checks.results_default"],
            await db.ListAsync<string>("select tableoid::regclass::text from checks.results where check_id in ($1, $2)", ahead, stray));

        clock.Now = T("2030-01-20T12:00");
        await maintenance.RunOnceAsync(CancellationToken.None);
        await db.ExecuteAsync(Insert, kept, T("2030-01-21T10:00"));

        Assert.Equal(["results_20300120", "results_20300121", "results_20300122", "results_default"], await PartitionsAsync(db));
        Assert.Equal(["checks.results_20300120"], await db.ListAsync<string>("select tableoid::regclass::text from checks.results where check_id = $1", ahead));
        Assert.Equal(new[] { ahead, kept }.Order(), (await db.ListAsync<Guid>("select check_id from checks.results")).Order());
    }

    [Fact]
    public async Task Bad_retention_settings_stop_the_service_with_the_setting_named()
    {
        await using var db = await HistoryDatabase.CreateAsync();
        var e = Assert.Throws<InvalidOperationException>(() => db.Maintenance(new TestClock(DateTimeOffset.UtcNow), rawRetentionDays: 0));
        Assert.Contains("Checks:RawRetentionDays", e.Message);
        Assert.Equal(7, CheckResultsOptions.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()).RawRetentionDays);
    }
}
