using System.Threading.Channels;

namespace StatusPlatform.StatusApi.PublicApi.Serving;

/// <summary>
/// Keeps <see cref="PageCache"/> on the read model: reads it before the server starts listening, again as soon as an
/// integration event says the page changed, and every <see cref="PublicApiOptions.RefreshInterval"/> in case an event
/// was missed or there is none (components added or renamed by the configuration file). One read at a time.
/// </summary>
public sealed class PageRefresher(
    StatusReadModel readModel, PageCache cache, PublicApiOptions options, TimeProvider time, ILogger<PageRefresher> logger) : BackgroundService
{
    // A change the read model does not show yet is read for again after 25 ms, 50 ms, … up to 1 s apart, for 10 s; a
    // projection is normally milliseconds behind the relay. After that the periodic refresh is left to find it.
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ChangeDeadline = TimeSpan.FromSeconds(10);

    private readonly Channel<PageChange> _changes = Channel.CreateUnbounded<PageChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _reading = new(1, 1);

    /// <summary>Called by <see cref="PageChangedConsumer"/>; never blocks, never fails.</summary>
    public void Changed(PageChange change) => _changes.Writer.TryWrite(change);

    /// <summary>Reads the read model now (after a read in progress) and serves the result; false when it could not be read.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RefreshTimeout);
            var snapshot = await readModel.ReadAsync(timeout.Token);
            var wasFailing = cache.Current?.FailingSince;
            cache.Loaded(snapshot, time.GetUtcNow());
            if (wasFailing is { } since)
                logger.LogInformation("Read model readable again; the page is fresh after being stale since {Since:o}", since);
            return true;
        }
        // Whatever failed (the database, the timeout, rows that do not render), the last good page stays up, marked stale.
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var current = cache.Current;
            cache.Failed(time.GetUtcNow());
            if (current is null)
                logger.LogWarning(e, "Cannot read the read model and no page has been read yet; the public endpoints answer 503");
            else if (!current.IsStale)
                logger.LogWarning(e, "Cannot refresh the page from the read model; serving the one read at {RefreshedAt:o}, marked stale", current.RefreshedAt);
            else
                logger.LogDebug("Read model still unreadable: {Reason}", e.Message);
            return false;
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>
    /// The first read happens before the server listens (hosted services start before it), so the first request finds
    /// the page in memory. Without a database start-up goes on: /health says so and the endpoints answer 503 until a read works.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var waiting = new List<(PageChange Change, DateTimeOffset GiveUpAt)>();
        var retry = FirstRetry;
        try
        {
            while (true)
            {
                var changed = await WaitForChangeAsync(waiting.Count > 0 ? retry : options.RefreshInterval, stoppingToken);
                while (_changes.Reader.TryRead(out var change))
                    waiting.Add((change, time.GetUtcNow() + ChangeDeadline));
                retry = changed ? FirstRetry : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks));

                if (await RefreshAsync(stoppingToken) && cache.Current is { } served)
                    waiting.RemoveAll(w => w.Change.IsShownBy(served.State.Snapshot));
                var now = time.GetUtcNow();
                foreach (var (change, _) in waiting.Where(w => w.GiveUpAt <= now))
                    logger.LogInformation("The read model does not show {Change} after {Deadline}; leaving it to the periodic refresh", change.What, ChangeDeadline);
                waiting.RemoveAll(w => w.GiveUpAt <= now);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>True when a change arrived, false when the delay passed first.</summary>
    private async Task<bool> WaitForChangeAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(delay);
        try
        {
            return await _changes.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public override void Dispose()
    {
        _reading.Dispose();
        base.Dispose();
    }
}
