using Npgsql;

namespace StatusPlatform.Incident.History.Results;

/// <summary>The SQL that rolls raw results up into checks.result_rollups_hourly; runs in the caller's transaction.</summary>
internal static class HourlyRollups
{
    /// <summary>
    /// The first hour to (re)compute so that the run ends at <paramref name="currentHour"/> (exclusive, the hour still
    /// running): the hour after the newest rollup when the service was away longer than the recompute window, else the
    /// recompute window itself (late results); the oldest raw result's hour before any rollup exists. Null: nothing to do.
    /// </summary>
    public static async Task<DateTimeOffset?> FirstHourAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset currentHour, int recomputeHours, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select coalesce((select least(max(hour) + interval '1 hour', $1) from checks.result_rollups_hourly having count(*) > 0),
                            (select date_trunc('hour', min(started_at), 'UTC') from checks.results))
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = currentHour.AddHours(-recomputeHours) });
        return await command.ExecuteScalarAsync(ct) is DateTime first && first < currentHour.UtcDateTime ? new DateTimeOffset(first, TimeSpan.Zero) : null;
    }

    /// <summary>
    /// Upserts the rollup of every (monitor, region, UTC hour) with results in [from, to). Results flagged
    /// connectivity_lost say nothing about the target and are left out; latencies are those of results that got an
    /// answer (up or degraded), since a timeout's duration is the timeout, not a response time.
    /// </summary>
    public static async Task<int> UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            insert into checks.result_rollups_hourly (monitor_id, region, hour, count, failures, p50_ms, p95_ms, max_ms)
            select monitor_id, region, date_trunc('hour', started_at, 'UTC'), count(*), count(*) filter (where outcome = 'down'),
                   percentile_cont(0.5) within group (order by duration_ms) filter (where outcome <> 'down'),
                   percentile_cont(0.95) within group (order by duration_ms) filter (where outcome <> 'down'),
                   max(duration_ms) filter (where outcome <> 'down')
            from checks.results
            where started_at >= $1 and started_at < $2 and not connectivity_lost
            group by 1, 2, 3
            on conflict (monitor_id, region, hour) do update set count = excluded.count, failures = excluded.failures,
                p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms, max_ms = excluded.max_ms
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime() });
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<int> DeleteBeforeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("delete from checks.result_rollups_hourly where hour < $1", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff.ToUniversalTime() });
        return await command.ExecuteNonQueryAsync(ct);
    }
}
