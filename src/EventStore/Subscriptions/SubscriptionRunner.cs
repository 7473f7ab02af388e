using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace StatusPlatform.EventSourcing.Subscriptions;

/// <summary>
/// Drives every registered projection and relay over the global feed from its checkpoint. Each subscription
/// runs in its own loop; one that fails is retried from its checkpoint without holding up the others.
/// <para>
/// Stopping drains: the loops take no new batch, and the batch in hand runs to its end and saves its checkpoint. This
/// happens in <see cref="StoppingAsync"/>, which the host calls on every lifecycle service before it stops any hosted
/// service, so a relay's last batch is still published on a running bus (the bus's hosted service stops before ours,
/// being registered after it). Only when the host's shutdown timeout runs out is the batch cancelled; a relay then
/// records the last event the broker confirmed, and the next start publishes the rest again.
/// </para>
/// </summary>
public sealed class SubscriptionRunner(
    EventStore store,
    FeedNotifier notifier,
    IEnumerable<IProjection> projections,
    IEnumerable<IEventRelay> relays,
    ILogger<SubscriptionRunner> logger) : BackgroundService, IHostedLifecycleService
{
    private static readonly Meter Meter = new("StatusPlatform.EventStore");
    private static readonly Counter<long> Processed = Meter.CreateCounter<long>("statusplatform.eventstore.subscription.events", "{event}", "Events processed per subscription");
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("statusplatform.eventstore.subscription.failures", "{batch}", "Failed batches per subscription");

    private readonly string _s = store.Options.Schema;

    // One instance at a time runs each relay (a session advisory lock held on its own connection), so several
    // replicas of a service do not each publish every event; a dead holder's lock goes with its connection.
    private readonly ConcurrentDictionary<string, NpgsqlConnection> _relayLeases = new(StringComparer.Ordinal);

    // Cancelled when stopping begins: no new batch is taken, the one in hand finishes.
    private readonly CancellationTokenSource _draining = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Batches run until stoppingToken (the shutdown timeout ran out); waiting for the next one ends at the drain.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _draining.Token);
        await Task.WhenAll(projections.Select(p => RunAsync(p.Name, ct => ProjectBatchAsync(p, ct), stoppingToken, idle.Token))
            .Concat(relays.Select(r => RunAsync(r.Name, ct => RelayBatchAsync(r, ct), stoppingToken, idle.Token))));
    }

    /// <summary>Reads a subscription's checkpoint (0 when it has never run).</summary>
    public async Task<long> GetCheckpointAsync(string name, CancellationToken ct = default)
    {
        await using var command = store.DataSource.CreateCommand($"select position from {_s}.checkpoints where subscription = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return await command.ExecuteScalarAsync(ct) is long position ? position : 0;
    }

    private async Task RunAsync(string name, Func<CancellationToken, Task<int>> batch, CancellationToken abort, CancellationToken ct)
    {
        await Task.Yield();
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var count = await batch(abort);
                failures = 0;
                if (count > 0)
                    Processed.Add(count, new KeyValuePair<string, object?>("subscription", name));
                if (count < store.Options.SubscriptionBatchSize)
                    await notifier.WaitAsync(store.Options.SubscriptionPollInterval, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (ct.IsCancellationRequested)
                    return; // a batch failing while the service stops is retried from its checkpoint by the next start
                failures++;
                Failures.Add(1, new KeyValuePair<string, object?>("subscription", name));
                var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 100 * Math.Pow(2, Math.Min(failures, 9))));
                logger.LogError(e, "Subscription {Subscription} failed (attempt {Attempt}); retrying from its checkpoint in {Delay}", name, failures, delay);
                try
                {
                    await Task.Delay(delay, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<int> ProjectBatchAsync(IProjection projection, CancellationToken ct)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The row lock makes a second instance of the same service wait rather than apply the batch twice.
        var checkpoint = await LockCheckpointAsync(connection, tx, projection.Name, ct);
        var events = await store.ReadAllAsync(connection, tx, checkpoint, store.Options.SubscriptionBatchSize, ct);
        if (events.Count == 0)
            return 0;
        await projection.ApplyAsync(events, connection, tx, ct);
        await SaveCheckpointAsync(connection, tx, projection.Name, events[^1].GlobalPosition!.Value, ct);
        await tx.CommitAsync(ct);
        return events.Count;
    }

    private async Task<int> RelayBatchAsync(IEventRelay relay, CancellationToken ct)
    {
        if (!await HoldRelayLeaseAsync(relay.Name, ct))
            return 0;
        var checkpoint = await GetCheckpointAsync(relay.Name, ct);
        var events = await store.ReadAllAsync(checkpoint, store.Options.SubscriptionBatchSize, ct);
        if (events.Count == 0)
            return 0;
        var progress = new RelayProgress();
        try
        {
            await relay.HandleAsync(events, progress, ct);
        }
        catch (Exception e) when (progress.Position > checkpoint)
        {
            // Keep what the broker confirmed: after a failure or a cancelled stop only the rest is published again.
            // Saved without the (possibly cancelled) token, bounded on its own.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await SaveRelayCheckpointAsync(relay.Name, progress.Position, timeout.Token);
            logger.LogWarning(e, "Relay {Relay} stopped part-way through a batch; its checkpoint is the last confirmed event, {Position}", relay.Name, progress.Position);
            throw;
        }
        await SaveRelayCheckpointAsync(relay.Name, events[^1].GlobalPosition!.Value, ct);
        return events.Count;
    }

    private async Task SaveRelayCheckpointAsync(string name, long position, CancellationToken ct)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(ct);
        await SaveCheckpointAsync(connection, null, name, position, ct);
    }

    /// <summary>True while this instance holds the relay's lease; tries to take it when nobody does.</summary>
    private async Task<bool> HoldRelayLeaseAsync(string name, CancellationToken ct)
    {
        if (_relayLeases.TryGetValue(name, out var held))
        {
            if (held.FullState == System.Data.ConnectionState.Open)
                return true;
            _relayLeases.TryRemove(name, out _);
            await held.DisposeAsync();
        }
        var connection = await store.DataSource.OpenConnectionAsync(ct);
        await using (var command = new NpgsqlCommand("select pg_try_advisory_lock(hashtext($1))", connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{_s}.relay.{name}" });
            if ((bool)(await command.ExecuteScalarAsync(ct))!)
            {
                _relayLeases[name] = connection;
                return true;
            }
        }
        await connection.DisposeAsync();
        return false;
    }

    /// <summary>Drains: waits for every subscription to finish the batch in hand, up to the host's shutdown timeout.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _draining.CancelAsync();
        if (ExecuteTask is not { } running)
            return;
        try
        {
            await running.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Subscriptions did not finish their batches within the shutdown timeout; cancelling them");
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A runner stopped on its own, not by a host, drains too.
        if (!_draining.IsCancellationRequested)
            await StoppingAsync(cancellationToken);
        await base.StopAsync(cancellationToken);
        foreach (var lease in _relayLeases.Values)
            await ReleaseAsync(lease);
        _relayLeases.Clear();
    }

    /// <summary>
    /// Gives a relay lease up at once. A pooled connection keeps its session's advisory locks until it is used again,
    /// so only closing it would leave the lease held, and the relay idle in every other instance, for as long as the
    /// connection sits in the pool.
    /// </summary>
    private async Task ReleaseAsync(NpgsqlConnection lease)
    {
        try
        {
            if (lease.FullState == System.Data.ConnectionState.Open)
            {
                await using var unlock = new NpgsqlCommand("select pg_advisory_unlock_all()", lease);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await unlock.ExecuteNonQueryAsync(timeout.Token);
            }
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            logger.LogWarning(e, "Could not release a relay lease; it goes when its connection closes");
        }
        finally
        {
            try
            {
                await lease.DisposeAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or NotSupportedException)
            {
                // A read still pending on the connection (a stop racing a wait for notifications) makes closing it throw;
                // the connection is broken then, and the server drops the lease with it.
                logger.LogDebug(e, "Closing a relay lease's connection failed");
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Dispose()
    {
        _draining.Dispose();
        base.Dispose();
    }

    private async Task<long> LockCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string name, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            insert into {_s}.checkpoints (subscription, position) values (@name, 0) on conflict (subscription) do nothing;
            select position from {_s}.checkpoints where subscription = @name for update;
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string>("name", name));
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task SaveCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string name, long position, CancellationToken ct)
    {
        // Never move a checkpoint backwards, even if two relay instances race.
        await using var command = new NpgsqlCommand($"""
            insert into {_s}.checkpoints (subscription, position) values ($1, $2)
            on conflict (subscription) do update set position = excluded.position, updated_at = now()
            where {_s}.checkpoints.position < excluded.position
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        await command.ExecuteNonQueryAsync(ct);
    }
}
