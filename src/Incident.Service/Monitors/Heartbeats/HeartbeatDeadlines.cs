using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Monitors.Folding;

namespace StatusPlatform.Incident.Monitors.Heartbeats;

/// <summary>
/// The deadline side of heartbeat monitors. It lives here, beside the fold, because only this service knows the last
/// ping of every monitor (checks.monitor_regions) and can record a missed deadline in the same transaction as the
/// transition it causes; StatusApi only receives pings and probes never see heartbeat monitors. Every
/// Heartbeats:SweepSeconds (default 5) it folds a failed result for each monitor whose interval + grace passed without
/// a ping; several instances may sweep at once, the derived check id makes the second one a no-op.
/// </summary>
public sealed class HeartbeatDeadlines(MonitorFold fold, CatalogReader catalog, NpgsqlDataSource dataSource, TimeProvider time,
    IConfiguration configuration, ILogger<HeartbeatDeadlines> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(configuration.GetValue("Heartbeats:SweepSeconds", 5.0)), time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or ConcurrencyException or TimeoutException)
            {
                // The database is away or another fold moved the component first: the next sweep tries again.
                logger.LogWarning(e, "Heartbeat deadline sweep failed; retrying at the next sweep");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task SweepAsync(CancellationToken ct)
    {
        var heartbeats = (await catalog.GetAsync(ct)).Monitors.Values.Where(m => m.Settings.Heartbeat is not null).ToList();
        if (heartbeats.Count == 0)
            return;
        var regions = await ReadRegionsAsync([.. heartbeats.Select(m => m.Id)], ct);
        var now = time.GetUtcNow();
        foreach (var monitor in heartbeats)
        {
            var (lastPing, isDown) = regions.TryGetValue(monitor.Id, out var region) ? region : (null, false);
            var (interval, grace) = (monitor.Settings.IntervalSeconds, monitor.Settings.Heartbeat!.GraceSeconds);
            if (HeartbeatDeadline.Missed(lastPing, isDown, monitor.Since, interval, grace, now) is { } deadline)
                await fold.FoldAsync(HeartbeatDeadline.Result(monitor.Id, deadline, interval, grace), ct);
        }
    }

    private async Task<Dictionary<string, (DateTimeOffset?, bool)>> ReadRegionsAsync(string[] monitorIds, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select monitor_id, last_started_at, is_down from checks.monitor_regions where region = $1 and monitor_id = any($2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = HeartbeatPings.Region });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = monitorIds });
        var regions = new Dictionary<string, (DateTimeOffset?, bool)>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            regions[reader.GetString(0)] = (reader.GetFieldValue<DateTimeOffset>(1), reader.GetBoolean(2));
        return regions;
    }
}
