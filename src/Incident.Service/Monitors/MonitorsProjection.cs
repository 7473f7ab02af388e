using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;

namespace StatusPlatform.Incident.Monitors;

/// <summary>
/// Projects monitor streams into status.monitors, the monitor list the admin API serves: the settings in the shape of the
/// admin API's monitor body (MonitorSpec's members, snake_case), who manages the monitor, and the stream version (the
/// ETag). The push secret's hash stays out: StatusApi finds pushed monitors through status.heartbeat_monitors.
/// </summary>
public sealed class MonitorsProjection : IProjection
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string Name => "status.monitors";

    public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        foreach (var e in events)
        {
            if (!e.StreamId.StartsWith(Monitor.StreamId(""), StringComparison.Ordinal))
                continue;
            switch (e.Data)
            {
                case MonitorDefined d:
                    await UpsertAsync(d.MonitorId, d.Settings, d.ManagedBy, d.DefinedAt, e.Version);
                    break;
                case MonitorReconfigured r:
                    await UpsertAsync(r.MonitorId, r.Settings, r.ManagedBy, r.ReconfiguredAt, e.Version);
                    break;
                case MonitorRemoved r:
                    await ExecuteAsync("delete from status.monitors where id = $1", r.MonitorId);
                    break;
                default:
                    // Transitions (down, recovered, ...) move the stream's version too, and If-Match names that version.
                    await ExecuteAsync("update status.monitors set version = $2 where id = $1", e.StreamId[Monitor.StreamId("").Length..], e.Version);
                    break;
            }
        }

        // A reconfiguration without ManagedBy keeps the owner the row has ("file" for a row that has none yet).
        Task UpsertAsync(string id, MonitorSettings s, string? managedBy, DateTimeOffset at, long version) => ExecuteAsync("""
            insert into status.monitors (id, component_id, kind, settings, managed_by, created_at, updated_at, version)
            values ($1, $2, $3, $4::jsonb, coalesce($5, 'file'), $6, $6, $7)
            on conflict (id) do update set component_id = excluded.component_id, kind = excluded.kind, settings = excluded.settings,
                managed_by = coalesce($5, status.monitors.managed_by), updated_at = excluded.updated_at, version = excluded.version
            """, id, s.ComponentId, s.Kind, JsonSerializer.Serialize(Wire(s), Json), managedBy, at, version);

        async Task ExecuteAsync(string sql, params object?[] values)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            foreach (var value in values)
                command.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The settings as the admin API's body names them; what does not apply to the kind is left out (null).</summary>
    public static MonitorWire Wire(MonitorSettings s)
    {
        var pushed = MonitorRules.IsPushed(s.Kind);
        var http = s.Kind == "http";
        return new MonitorWire(s.ComponentId, s.Kind, pushed ? null : s.Target, http ? s.Method : null, s.IntervalSeconds,
            pushed ? null : s.TimeoutSeconds, pushed ? null : s.FailureThreshold, pushed ? null : s.SuccessThreshold,
            http ? s.ExpectedStatusCodes : null, pushed ? null : s.Check, s.Heartbeat?.GraceSeconds, s.External?.Source);
    }

    public sealed record MonitorWire(
        string ComponentId, string Kind, string? Target, string? Method, int IntervalSeconds, int? TimeoutSeconds, int? FailureThreshold,
        int? SuccessThreshold, IReadOnlyList<int>? ExpectedStatusCodes, Contracts.CheckSettings? Check, int? GraceSeconds, string? ExternalSource);
}
