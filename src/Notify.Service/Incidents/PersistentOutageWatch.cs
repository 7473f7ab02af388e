using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Notices;
using StatusPlatform.Notify.Policy;
using StatusPlatform.Notify.Schema;

namespace StatusPlatform.Notify.Incidents;

/// <summary>
/// People are not told about an automatic incident when it opens (most blips recover on their own), but they are
/// told when it lasts: every check interval, an automatic incident open longer than Notify:PersistentOutageMinutes
/// and not yet told becomes a persisting notice. Its message id is derived from the incident, so instances checking at
/// the same time record it once.
/// </summary>
public sealed class PersistentOutageWatch(
    NotifyDatabase database,
    NpgsqlDataSource dataSource,
    DeliveryLog deliveries,
    DeliverySignal signal,
    IOptions<NotifyOptions> options,
    ILogger<PersistentOutageWatch> logger) : BackgroundService
{
    private readonly NotifyOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await database.WhenReadyAsync(stoppingToken);
        using var timer = new PeriodicTimer(_options.PersistentOutageCheckInterval);
        do
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Checking for persisting outages failed; trying again at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task CheckAsync(CancellationToken ct)
    {
        var due = new List<(Notice Notice, string? TraceParent)>();
        await using (var command = dataSource.CreateCommand("""
            select n.payload::text, n.traceparent from notify.incidents i join notify.notices n on n.event_id = i.opened_event_id
            where i.automatic and i.resolved_at is null and i.announced_at is null and i.opened_at < now() - $1
            """))
        {
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = TimeSpan.FromMinutes(_options.PersistentOutageMinutes) });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                due.Add((JsonSerializer.Deserialize<Notice>(reader.GetString(0), DeliveryLog.Json)!, reader.IsDBNull(1) ? null : reader.GetString(1)));
        }
        foreach (var (opened, traceParent) in due)
        {
            var notice = opened.Persisting();
            var audience = NotificationPolicy.Decide(notice, _options.Policy.Effective);
            // Many outages lasting together are one storm: their persisting notices are gathered for a digest like any other.
            var gatherFor = DigestPolicy.Gathers(notice, _options.Digest) ? _options.Digest.Wait : (TimeSpan?)null;
            var recorded = await deliveries.RecordAsync(Notice.DerivedId($"persisting:{notice.IncidentId}"), NoticeKind.Persisting, notice, audience,
                _options.QuietWindow, ct, gatherFor, traceParent);
            logger.LogInformation("Automatic incident {IncidentId} persists; {Count} deliveries recorded", notice.IncidentId, recorded);
            if (recorded > 0)
                signal.Nudge();
        }
    }
}
