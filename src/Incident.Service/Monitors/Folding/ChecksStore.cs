using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;

namespace StatusPlatform.Incident.Monitors.Folding;

/// <summary>The fold's SQL, run in the caller's event-store session so results, fold state and events commit together.</summary>
internal static partial class ChecksStore
{
    /// <summary>Records the raw result; false when this check id was already recorded (a redelivery).</summary>
    public static async Task<bool> TryRecordAsync(EventSession session, CheckCompleted result, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            insert into checks.results (check_id, monitor_id, region, probe_instance, started_at, duration_ms, outcome, status_code, failure_reason, timings, connectivity_lost)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (check_id, started_at) do nothing
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = result.CheckId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = result.MonitorId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = result.Region });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = result.ProbeInstance });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = result.StartedAt });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = result.DurationMs });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = result.Outcome.ToString().ToLowerInvariant() });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)result.StatusCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)result.FailureReason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = result.Timings is null ? DBNull.Value : JsonSerializer.Serialize(result.Timings),
            NpgsqlDbType = NpgsqlDbType.Jsonb,
        });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = result.ConnectivityLost });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Serialises folding per monitor across consumers and instances until the transaction ends.</summary>
    public static async Task LockMonitorAsync(EventSession session, string monitorId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('monitor:' || $1))", session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = monitorId });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Serialises the component and incident decisions of transitions (rare next to results). A decision reads the other
    /// monitors of the component as committed, and one that sees no change appends nothing to the component stream, so
    /// no version check would catch a sibling failing at the same moment (five monitors of one component failing
    /// together left it at partial_outage). They also all append the automation ledger and, in an outage storm, one
    /// shared incident: without the lock hundreds of folds conflict and retry each other for minutes.
    /// </summary>
    public static async Task LockAutomationAsync(EventSession session, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('automation'))", session.Connection, session.Transaction);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The region's newest results by start time, this transaction's own included.</summary>
    /// <remarks>
    /// <paramref name="since"/> bounds the search so PostgreSQL reads only the daily partitions that can hold the window,
    /// not every partition of the retention period.
    /// </remarks>
    public static async Task<List<RecentResult>> ReadRecentAsync(EventSession session, string monitorId, string region, int count, DateTimeOffset since,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select started_at, outcome, failure_reason, status_code from checks.results
            where monitor_id = $1 and region = $2 and not connectivity_lost and started_at >= $4 order by started_at desc limit $3
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = monitorId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = region });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since });
        var results = new List<RecentResult>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            results.Add(new RecentResult(reader.GetFieldValue<DateTimeOffset>(0), Enum.Parse<CheckOutcome>(reader.GetString(1), ignoreCase: true),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3)));
        }
        return results;
    }

    public static async Task<List<RegionState>> ReadRegionsAsync(EventSession session, string monitorId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select region, consecutive_failures, consecutive_successes, is_down, last_started_at, last_reason, last_status_code, is_degraded
            from checks.monitor_regions where monitor_id = $1
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = monitorId });
        var regions = new List<RegionState>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            regions.Add(new RegionState(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetBoolean(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt32(6), reader.GetBoolean(7)));
        }
        return regions;
    }

    public static async Task SaveRegionAsync(EventSession session, string monitorId, RegionState state, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            insert into checks.monitor_regions (monitor_id, region, consecutive_failures, consecutive_successes, is_down, last_started_at, last_reason, last_status_code, is_degraded)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            on conflict (monitor_id, region) do update set consecutive_failures = excluded.consecutive_failures,
                consecutive_successes = excluded.consecutive_successes, is_down = excluded.is_down,
                last_started_at = excluded.last_started_at, last_reason = excluded.last_reason, last_status_code = excluded.last_status_code,
                is_degraded = excluded.is_degraded
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = monitorId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = state.Region });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = state.ConsecutiveFailures });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = state.ConsecutiveSuccesses });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = state.IsDown });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = state.LastStartedAt });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)state.LastReason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)state.LastStatusCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = state.IsDegraded });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The monitor health recorded by the last transition the fold saw, or null before the first one.</summary>
    public static async Task<MonitorHealth?> ReadMonitorHealthAsync(EventSession session, string monitorId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select health from checks.monitor_health where monitor_id = $1", session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = monitorId });
        return await command.ExecuteScalarAsync(ct) is string health ? Enum.Parse<MonitorHealth>(health) : null;
    }

    public static async Task SaveMonitorHealthAsync(EventSession session, string monitorId, MonitorHealth health, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            insert into checks.monitor_health (monitor_id, health) values ($1, $2)
            on conflict (monitor_id) do update set health = excluded.health
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = monitorId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = health.ToString() });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Forgets what the fold concluded about a deleted monitor (its regions and health; the raw results stay for history), so
    /// one created again under the same id starts from its own first results, as its stream (MonitorRemoved) does.
    /// </summary>
    public static async Task ForgetMonitorAsync(EventSession session, string monitorId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            delete from checks.monitor_regions where monitor_id = @id;
            delete from checks.monitor_health where monitor_id = @id;
            """, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<string>("id", monitorId));
        await command.ExecuteNonQueryAsync(ct);
    }
}
