using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace StatusPlatform.StatusApi.Receivers;

/// <summary>
/// Maps a heartbeat or alert-webhook token to its monitor through status.heartbeat_monitors, which holds only SHA-256 hashes. Known
/// tokens are remembered for a minute, so a job pinging every few seconds costs no query, and pings keep working while
/// PostgreSQL is briefly away; an unknown token is looked up each time (one primary-key read), so a new monitor works
/// as soon as Incident.Service has projected it.
/// </summary>
public sealed class HeartbeatTokens(NpgsqlDataSource dataSource, TimeProvider time)
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (PushedMonitor Monitor, DateTimeOffset Until)> _known = new(StringComparer.Ordinal);

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The monitor behind this token if it is of <paramref name="kind"/> (heartbeat, or an alert source), else null.</summary>
    public async Task<string?> FindMonitorAsync(string token, string kind, CancellationToken ct) =>
        await FindAsync(token, ct) is { } monitor && monitor.Kind == kind ? monitor.MonitorId : null;

    private async Task<PushedMonitor?> FindAsync(string token, CancellationToken ct)
    {
        var hash = Hash(token);
        var now = time.GetUtcNow();
        if (_known.TryGetValue(hash, out var known) && known.Until > now)
            return known.Monitor;
        try
        {
            await using var command = dataSource.CreateCommand("select monitor_id, kind from status.heartbeat_monitors where token_sha256 = $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hash });
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                _known.TryRemove(hash, out _); // a removed monitor or a changed token stops working
                return null;
            }
            var monitor = new PushedMonitor(reader.GetString(0), reader.GetString(1));
            _known[hash] = (monitor, now + RememberFor);
            return monitor;
        }
        catch (NpgsqlException) when (known.Monitor is not null)
        {
            // The database is away: a token that was valid a moment ago still is; better a ping counted than a false alarm.
            return known.Monitor;
        }
    }

    private sealed record PushedMonitor(string MonitorId, string Kind);
}
