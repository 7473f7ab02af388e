using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace StatusPlatform.EventSourcing.Subscriptions;

/// <summary>
/// Listens on the sequencer's channel with one connection and wakes every waiting subscription, so
/// subscriptions react within milliseconds without polling the events table hard.
/// </summary>
public sealed class FeedNotifier(EventStore store, ILogger<FeedNotifier> logger) : BackgroundService
{
    private TaskCompletionSource _signal = NewSignal();

    /// <summary>Completes on the next notification, or after <paramref name="timeout"/> as a safety net for a lost one.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var signal = Volatile.Read(ref _signal).Task;
        try
        {
            await signal.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await store.DataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => Pulse();
                await using (var listen = new NpgsqlCommand($"listen {store.Options.NotifyChannel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                Pulse(); // anything sequenced while we were not listening
                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Feed listener lost its connection; reconnecting");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Pulse() => Interlocked.Exchange(ref _signal, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
