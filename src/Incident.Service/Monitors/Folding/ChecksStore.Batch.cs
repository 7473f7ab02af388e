using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;

namespace StatusPlatform.Incident.Monitors.Folding;

// The batch fold's SQL: the statements of the one-by-one fold, each taking arrays, so a batch costs the same round trips
// as a single result.
internal static partial class ChecksStore
{
    /// <summary>Records the raw results; returns the check ids that were new (the others were redeliveries).</summary>
    public static async Task<HashSet<Guid>> TryRecordManyAsync(EventSession session, IReadOnlyList<CheckCompleted> results, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            insert into checks.results (check_id, monitor_id, region, probe_instance, started_at, duration_ms, outcome, status_code, failure_reason, timings, connectivity_lost)
            select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::double precision[], $7::text[], $8::integer[],
                $9::text[], $10::jsonb[], $11::boolean[])
            on conflict (check_id, started_at) do nothing
            returning check_id
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. results.Select(r => r.CheckId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. results.Select(r => r.MonitorId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. results.Select(r => r.Region)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. results.Select(r => r.ProbeInstance)] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. results.Select(r => r.StartedAt)] });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = [.. results.Select(r => r.DurationMs)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. results.Select(r => r.Outcome.ToString().ToLowerInvariant())] });
        command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. results.Select(r => r.StatusCode)] });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. results.Select(r => r.FailureReason)] });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = results.Select(r => r.Timings is null ? null : JsonSerializer.Serialize(r.Timings)).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
        });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. results.Select(r => r.ConnectivityLost)] });
        var recorded = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            recorded.Add(reader.GetGuid(0));
        return recorded;
    }

    /// <summary>
    /// The per-monitor locks of <see cref="LockMonitorAsync"/> for several monitors, taken in the order given (sorted by
    /// the caller), so two batches sharing monitors wait for each other instead of deadlocking.
    /// </summary>
    public static async Task LockMonitorsAsync(EventSession session, IReadOnlyList<string> sortedMonitorIds, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select pg_advisory_xact_lock(hashtext('monitor:' || m)) from unnest($1::text[]) as m
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. sortedMonitorIds] });
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<Dictionary<string, MonitorHealth>> ReadMonitorHealthAsync(EventSession session, IReadOnlyList<string> monitorIds, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select monitor_id, health from checks.monitor_health where monitor_id = any($1)",
            session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. monitorIds] });
        var health = new Dictionary<string, MonitorHealth>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            health[reader.GetString(0)] = Enum.Parse<MonitorHealth>(reader.GetString(1));
        return health;
    }

    public static async Task<Dictionary<string, List<RegionState>>> ReadRegionsAsync(EventSession session, IReadOnlyList<string> monitorIds, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select monitor_id, region, consecutive_failures, consecutive_successes, is_down, last_started_at, last_reason, last_status_code, is_degraded
            from checks.monitor_regions where monitor_id = any($1)
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. monitorIds] });
        var regions = new Dictionary<string, List<RegionState>>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var monitorId = reader.GetString(0);
            if (!regions.TryGetValue(monitorId, out var list))
                regions[monitorId] = list = [];
            list.Add(new RegionState(reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetBoolean(4), reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetInt32(7), reader.GetBoolean(8)));
        }
        return regions;
    }

    /// <summary>For each key, its newest stored results (this transaction's included), newest first, as <see cref="ReadRecentAsync(EventSession, string, string, int, DateTimeOffset, CancellationToken)"/> reads them.</summary>
    public static async Task<Dictionary<(string Monitor, string Region), List<StoredResult>>> ReadRecentAsync(EventSession session, IReadOnlyList<RecentKey> keys,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select k.monitor_id, k.region, r.check_id, r.started_at, r.outcome, r.failure_reason, r.status_code
            from unnest($1::text[], $2::text[], $3::integer[], $4::timestamptz[]) as k(monitor_id, region, n, since)
            cross join lateral (
                select check_id, started_at, outcome, failure_reason, status_code from checks.results
                where monitor_id = k.monitor_id and region = k.region and not connectivity_lost and started_at >= k.since
                order by started_at desc limit k.n) r
            order by k.monitor_id, k.region, r.started_at desc
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.MonitorId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.Region)] });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. keys.Select(k => k.Count)] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. keys.Select(k => k.Since)] });
        var results = new Dictionary<(string, string), List<StoredResult>>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = (reader.GetString(0), reader.GetString(1));
            if (!results.TryGetValue(key, out var list))
                results[key] = list = [];
            list.Add(new StoredResult(reader.GetGuid(2), new RecentResult(reader.GetFieldValue<DateTimeOffset>(3),
                Enum.Parse<CheckOutcome>(reader.GetString(4), ignoreCase: true), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetInt32(6))));
        }
        return results;
    }

    public static async Task SaveRegionsAsync(EventSession session, IReadOnlyList<(string MonitorId, RegionState State)> regions, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            insert into checks.monitor_regions (monitor_id, region, consecutive_failures, consecutive_successes, is_down, last_started_at, last_reason, last_status_code, is_degraded)
            select * from unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::boolean[], $6::timestamptz[], $7::text[], $8::integer[], $9::boolean[])
            on conflict (monitor_id, region) do update set consecutive_failures = excluded.consecutive_failures,
                consecutive_successes = excluded.consecutive_successes, is_down = excluded.is_down,
                last_started_at = excluded.last_started_at, last_reason = excluded.last_reason, last_status_code = excluded.last_status_code,
                is_degraded = excluded.is_degraded
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. regions.Select(r => r.MonitorId)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. regions.Select(r => r.State.Region)] });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. regions.Select(r => r.State.ConsecutiveFailures)] });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. regions.Select(r => r.State.ConsecutiveSuccesses)] });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. regions.Select(r => r.State.IsDown)] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. regions.Select(r => r.State.LastStartedAt)] });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. regions.Select(r => r.State.LastReason)] });
        command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. regions.Select(r => r.State.LastStatusCode)] });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. regions.Select(r => r.State.IsDegraded)] });
        await command.ExecuteNonQueryAsync(ct);
    }
}
