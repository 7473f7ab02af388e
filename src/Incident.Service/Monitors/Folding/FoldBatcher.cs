using System.Threading.Channels;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Monitors.Folding;

/// <summary>
/// Group commit for check results: the consumer hands each result here and waits; workers take whatever has queued up
/// meanwhile and fold it in one transaction (<see cref="MonitorFold.TryFoldBatchAsync"/>). A result is acknowledged to
/// the broker only after its batch committed. When a batch cannot be folded together (a transition, a first result, an
/// error) every result in it is folded on its own by <see cref="MonitorFold.FoldAsync"/>, in its own consumer, so
/// retries, the error queue and redelivery behave exactly as without batching. At low load batches are single results
/// and take that path directly.
/// </summary>
public sealed class FoldBatcher(MonitorFold fold, IConfiguration configuration, ILogger<FoldBatcher> logger) : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private volatile bool _running;

    // Hundreds of results wait here at once; folded one by one all together they would each hold a pooled connection
    // and wait for a second one (the stream reads), starving the pool until its timeout. One by one is the old path, at
    // the old concurrency.
    private readonly SemaphoreSlim _oneByOne = new(configuration.GetValue("Folding:OneByOneConcurrency", 16));

    private int MaxBatch => configuration.GetValue("Folding:MaxBatch", 256);

    // Two workers overlap one batch's round trips with the next batch's; they lock the monitors they share in one order.
    private int Workers => configuration.GetValue("Folding:BatchWorkers", 2);

    public async Task FoldAsync(CheckCompleted result, CancellationToken ct)
    {
        var pending = new Pending(result);
        if (_running && _queue.Writer.TryWrite(pending) && await pending.Folded.Task.WaitAsync(ct))
            return;
        await _oneByOne.WaitAsync(ct);
        try
        {
            await fold.FoldAsync(result, ct);
        }
        finally
        {
            _oneByOne.Release();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        return Task.WhenAll(Enumerable.Range(0, Math.Max(1, Workers)).Select(_ => Task.Run(() => RunAsync(stoppingToken), CancellationToken.None)));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _running = false;
        await base.StopAsync(cancellationToken);
        // Whatever is still queued is folded one by one by its own consumer (or redelivered if that is stopping too).
        while (_queue.Reader.TryRead(out var pending))
            pending.Folded.TrySetResult(false);
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
                    batch.Add(next);
                var folded = false;
                if (batch.Count > 1)
                {
                    try
                    {
                        folded = await fold.TryFoldBatchAsync([.. batch.Select(p => p.Result)], stoppingToken);
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                    {
                        // A deadlock with another batch, a restarting database: the results are folded one by one, with retries.
                        logger.LogDebug(e, "A batch of {Count} results could not be folded together; folding them one by one", batch.Count);
                    }
                }
                foreach (var pending in batch)
                    pending.Folded.TrySetResult(folded);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var pending in batch)
                pending.Folded.TrySetResult(false);
        }
    }

    private sealed class Pending(CheckCompleted result)
    {
        public CheckCompleted Result => result;

        public TaskCompletionSource<bool> Folded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
