using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace StatusPlatform.StatusApi.Receivers;

/// <summary>
/// Maps a heartbeat token to its monitor through status.heartbeat_monitors, which holds only SHA-256 hashes. Known
/// tokens are remembered for a minute, so a job pinging every few seconds costs no query, and pings keep working while
/// PostgreSQL is briefly away; an unknown token is looked up each time (one primary-key read), so a new monitor works
/// as soon as Incident.Service has projected it.
/// </summary>
public sealed class HeartbeatTokens(NpgsqlDataSource dataSource, TimeProvider time)
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (string MonitorId, DateTimeOffset Until)> _known = new(StringComparer.Ordinal);

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The monitor behind this token, or null when there is none.</summary>
    public async Task<string?> FindMonitorAsync(string token, CancellationToken ct)
    {
        var hash = Hash(token);
        var now = time.GetUtcNow();
        if (_known.TryGetValue(hash, out var known) && known.Until > now)
            return known.MonitorId;
        try
        {
            await using var command = dataSource.CreateCommand("select monitor_id from status.heartbeat_monitors where token_sha256 = $1");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hash });
            if (await command.ExecuteScalarAsync(ct) is not string monitorId)
            {
                _known.TryRemove(hash, out _); // a removed monitor or a changed token stops working
                return null;
            }
            _known[hash] = (monitorId, now + RememberFor);
            return monitorId;
        }
        catch (NpgsqlException) when (known.MonitorId is not null)
        {
            // The database is away: a token that was valid a moment ago still is; better a ping counted than a false alarm.
            return known.MonitorId;
        }
    }
}
