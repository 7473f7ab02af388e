using System.Security.Cryptography;
using System.Text;
using StatusPlatform.StatusApi.PublicApi;
using StatusPlatform.StatusApi.PublicApi.Serving;
using StatusPlatform.StatusApi.StatusPage.Content;
using StatusPlatform.Incident.History.Uptime;

namespace StatusPlatform.StatusApi.StatusPage.Live;

/// <summary>
/// Everything the HTML pages are rendered from: the v2 page state (<see cref="PageCache"/>, kept by PageRefresher) and
/// the <see cref="PageExtras"/>, with a version that moves whenever either changes what the pages show. The live
/// stream (/events) tells browsers about each new version.
/// </summary>
/// <remarks>
/// PageCache has no change notification, so it is watched: reading one volatile reference every 200 ms costs nothing,
/// and PageCache keeps the same PageState object while the rows do not change, so a new reference is a real change.
/// 200 ms is small next to the seconds an incident takes to reach the read model.
/// </remarks>
public sealed class LivePage(
    PageCache cache, PageExtrasReadModel extrasReadModel, UptimeQuery uptimeQuery, StatusPageOptions options, TimeProvider time,
    ILogger<LivePage> logger) : BackgroundService
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private volatile LiveState _current = new(null, PageExtras.Empty, "0");
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _fingerprint = "";
    private DateTimeOffset _nextExtras;

    public LiveState Current => _current;

    /// <summary>Completes at the next version.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // PageRefresher started before this (registration order), so the first page is in memory; the first extras read
        // happens before the server listens too, so the first request already has uptime bars.
        Observe(cache.Current);
        await RefreshExtrasAsync(readUptime: true, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(WatchInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var pageChanged = Observe(cache.Current);
                var now = time.GetUtcNow();
                if (pageChanged || now >= _nextExtras)
                    await RefreshExtrasAsync(readUptime: pageChanged || now - _current.Extras.UptimeReadAt >= options.UptimeRefreshInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>True when the page state (or its staleness) is not the one the current version was made from.</summary>
    private bool Observe(ServedPage? page)
    {
        var current = _current;
        if (ReferenceEquals(page?.State, current.Page?.State) && page?.IsStale == current.Page?.IsStale)
            return false;
        Publish(current with { Page = page });
        return true;
    }

    private async Task RefreshExtrasAsync(bool readUptime, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        _nextExtras = now + options.ExtrasRefreshInterval;
        var previous = _current.Extras;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(ReadTimeout);
            var zone = Timestamps.FindZone(_current.Page?.State.Snapshot.Page?.TimeZone ?? "Etc/UTC");
            var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
            var firstDay = lastDay.AddDays(1 - options.UptimeDays);
            var maintenances = await extrasReadModel.ReadMaintenancesAsync(now, timeout.Token);
            var spans = await extrasReadModel.ReadIncidentSpansAsync(UptimeCalculator.StartOfDay(firstDay, zone), now.AddMinutes(1), timeout.Token);
            var uptime = readUptime || previous.LastDay != lastDay
                ? await uptimeQuery.GetDailyUptimeAsync(firstDay, lastDay, now, timeout.Token)
                : previous.Uptime;
            var extras = new PageExtras(maintenances, uptime, firstDay, lastDay, spans, readUptime ? now : previous.UptimeReadAt);
            var fingerprint = extras.Fingerprint();
            if (fingerprint != _fingerprint)
            {
                _fingerprint = fingerprint;
                Publish(_current with { Extras = extras });
            }
            else if (readUptime)
            {
                // Same content, so no new version (and the rendered pages keep their ETags); only the clock moves on.
                _current = _current with { Extras = previous with { UptimeReadAt = now } };
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The page keeps the extras read before; the v2 state already tells readers when the database is away.
            logger.LogDebug(e, "Cannot read maintenances and uptime; keeping the ones read before");
        }
    }

    private void Publish(LiveState state)
    {
        var version = VersionOf(state.Page, _fingerprint);
        var changed = version != _current.Version;
        _current = state with { Version = version };
        if (changed)
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>
    /// A hash of what the pages are made from, so every replica (and a restarted one) names the same content alike: a
    /// browser reconnecting elsewhere fetches the page only if it really differs, and the pages' ETags agree too.
    /// </summary>
    private static string VersionOf(ServedPage? page, string extrasFingerprint)
    {
        if (page is null)
            return "0";
        var snapshot = page.State.Snapshot;
        var text = new StringBuilder().Append(snapshot.Page).Append('\n').Append(snapshot.ContentUpdatedAt?.UtcTicks).Append('\n');
        foreach (var row in snapshot.Components)
            text.Append(row).Append('\n');
        foreach (var row in snapshot.Incidents)
            text.Append(row).Append('\n');
        foreach (var row in snapshot.Updates)
            text.Append(row).Append('\n');
        foreach (var row in snapshot.IncidentComponents)
            text.Append(row).Append('\n');
        text.Append(page.IsStale ? page.RefreshedAt.UtcTicks : 0).Append('\n').Append(extrasFingerprint);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 12));
    }
}

/// <summary>One version of what the HTML pages show.</summary>
public sealed record LiveState(ServedPage? Page, PageExtras Extras, string Version);
