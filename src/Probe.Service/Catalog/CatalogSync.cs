using System.Threading.Channels;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Scheduling;

namespace StatusPlatform.Probe.Catalog;

/// <summary>
/// Keeps the scheduler on Incident.Service's monitor catalog: asks at start (retrying with backoff, since
/// Incident.Service may come up later than the probe), again when a newer <see cref="MonitorCatalogChanged"/>
/// arrives, and every <see cref="ProbeOptions.CatalogRefreshInterval"/> in case an event was missed.
/// </summary>
public sealed class CatalogSync(
    IServiceScopeFactory scopes, MonitorScheduler scheduler, ProbeOptions options, TimeProvider time, ILogger<CatalogSync> logger) : BackgroundService
{
    // Capacity one, extra signals dropped: ten change events during one fetch need one more fetch, not ten.
    private readonly Channel<long> _changes = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _version = -1;

    /// <summary>The version of the catalog being run; -1 before the first answer.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Called by the change consumer; a version the probe already has (a redelivery, a stale event) changes nothing.</summary>
    public void Changed(long version)
    {
        if (version <= Version)
        {
            logger.LogDebug("Ignoring catalog change {Version}: running {Current}", version, Version);
            return;
        }
        _changes.Writer.TryWrite(version);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                Apply(await FetchAsync(stoppingToken));
                await WaitForChangeOrRefreshAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<MonitorCatalog> FetchAsync(CancellationToken cancellationToken)
    {
        var delay = options.CatalogRetryMinDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var client = scope.ServiceProvider.GetRequiredService<IRequestClient<GetMonitorCatalog>>();
                var response = await client.GetResponse<MonitorCatalog>(
                    new GetMonitorCatalog(options.InstanceId, options.Region), cancellationToken, options.CatalogRequestTimeout);
                return response.Message;
            }
            // Whatever went wrong (no answer yet, a fault in Incident.Service, the broker still connecting), keep asking.
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Monitor catalog request {Attempt} got no answer ({Reason}); asking again in {Delay}", attempt, e.Message, delay);
            }
            // Jitter keeps a fleet of probes restarted together from asking in lockstep.
            await Task.Delay(delay * (0.8 + (0.4 * Random.Shared.NextDouble())), time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.CatalogRetryMaxDelay.Ticks));
        }
    }

    private void Apply(MonitorCatalog catalog)
    {
        // Two Incident.Service replicas can answer from projections at different positions; never step back.
        if (catalog.Version < Version)
        {
            logger.LogWarning("Ignoring monitor catalog {Version}: already running {Current}", catalog.Version, Version);
            return;
        }
        var runnable = new List<MonitorDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var monitor in catalog.Monitors)
        {
            // One bad entry must not stop the probe from running the others.
            var problem = MonitorRules.Problem(monitor) ?? (seen.Add(monitor.MonitorId) ? null : "its id appears more than once; the first entry is run");
            if (problem is null)
                runnable.Add(MonitorRules.WithMinimumInterval(monitor, options.MinimumIntervalSeconds));
            else
                logger.LogWarning("Monitor {MonitorId} in catalog {Version} is not run: {Problem}", monitor.MonitorId, catalog.Version, problem);
        }
        scheduler.Apply(runnable);
        var previous = Interlocked.Exchange(ref _version, catalog.Version);
        if (previous == catalog.Version)
            return;
        logger.LogInformation("Running monitor catalog {Version}: {Count} monitors", catalog.Version, runnable.Count);
        var raised = catalog.Monitors.Count(m => m.IntervalSeconds < options.MinimumIntervalSeconds && MonitorRules.Problem(m) is null);
        if (raised > 0)
            logger.LogWarning("{Count} monitors in catalog {Version} ask for an interval below this probe's floor of {Floor} s (Probe:MinimumInterval); they run every {Floor} s",
                raised, catalog.Version, options.MinimumIntervalSeconds, options.MinimumIntervalSeconds);
    }

    private async Task WaitForChangeOrRefreshAsync(CancellationToken stoppingToken)
    {
        using var refresh = new CancellationTokenSource(options.CatalogRefreshInterval, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, refresh.Token);
        try
        {
            var announced = await _changes.Reader.ReadAsync(wait.Token);
            logger.LogInformation("Monitor catalog {Version} was announced; asking for it", announced);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The refresh interval passed without a change event: ask anyway.
        }
    }
}
