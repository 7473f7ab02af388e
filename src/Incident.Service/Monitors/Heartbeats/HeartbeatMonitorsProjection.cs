using Npgsql;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;

namespace StatusPlatform.Incident.Monitors.Heartbeats;

/// <summary>
/// Projects pushed monitors into status.heartbeat_monitors (token hash -> monitor id and kind: heartbeat, or the external
/// alert source), so StatusApi can tell a valid heartbeat or webhook URL from a wrong one without asking this service.
/// </summary>
public sealed class HeartbeatMonitorsProjection : IProjection
{
    public string Name => "status.heartbeat_monitors";

    public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        foreach (var e in events)
        {
            var (monitorId, settings) = e.Data switch
            {
                MonitorDefined d => (d.MonitorId, d.Settings),
                MonitorReconfigured r => (r.MonitorId, r.Settings),
                MonitorRemoved r => (r.MonitorId, null),
                _ => (null, null),
            };
            if (monitorId is null)
                continue;
            // Delete then insert: a changed token must stop working at once, and a monitor may stop being a heartbeat.
            await ExecuteAsync("delete from status.heartbeat_monitors where monitor_id = $1", monitorId);
            if (settings?.PushTokenSha256 is { } token)
                await ExecuteAsync("insert into status.heartbeat_monitors (token_sha256, monitor_id, kind) values ($1, $2, $3)", token, monitorId,
                    settings.External?.Source ?? "heartbeat");
        }

        async Task ExecuteAsync(string sql, params string[] values)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            foreach (var value in values)
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = value });
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
