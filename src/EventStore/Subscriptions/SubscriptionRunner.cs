using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace StatusPlatform.EventSourcing.Subscriptions;

/// <summary>
/// Drives every registered projection and relay over the global feed from its checkpoint. Each subscription
/// runs in its own loop; one that fails is retried from its checkpoint without holding up the others.
/// </summary>
public sealed class SubscriptionRunner(
    EventStore store,
    FeedNotifier notifier,
    IEnumerable<IProjection> projections,
    IEnumerable<IEventRelay> relays,
    ILogger<SubscriptionRunner> logger) : BackgroundService
{
    private static readonly Meter Meter = new("StatusPlatform.EventStore");
    private static readonly Counter<long> Processed = Meter.CreateCounter<long>("eventstore.subscription.events", description: "Events processed per subscription");
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("eventstore.subscription.failures", description: "Failed batches per subscription");

    private readonly string _s = store.Options.Schema;

    // One instance at a time runs each relay (a session advisory lock held on its own connection), so several
    // replicas of a service do not each publish every event; a dead holder's lock goes with its connection.
    private readonly ConcurrentDictionary<string, NpgsqlConnection> _relayLeases = new(StringComparer.Ordinal);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(projections.Select(p => RunAsync(p.Name, ct => ProjectBatchAsync(p, ct), stoppingToken))
            .Concat(relays.Select(r => RunAsync(r.Name, ct => RelayBatchAsync(r, ct), stoppingToken))));

    /// <summary>Reads a subscription's checkpoint (0 when it has never run).</summary>
    public async Task<long> GetCheckpointAsync(string name, CancellationToken ct = default)
    {
        await using var command = store.DataSource.CreateCommand($"select position from {_s}.checkpoints where subscription = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return await command.ExecuteScalarAsync(ct) is long position ? position : 0;
    }

    private async Task RunAsync(string name, Func<CancellationToken, Task<int>> batch, CancellationToken ct)
    {
        await Task.Yield();
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var count = await batch(ct);
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
        await relay.HandleAsync(events, ct);
        await using var connection = await store.DataSource.OpenConnectionAsync(ct);
        await SaveCheckpointAsync(connection, null, relay.Name, events[^1].GlobalPosition!.Value, ct);
        return events.Count;
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

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var lease in _relayLeases.Values)
            await lease.DisposeAsync();
        _relayLeases.Clear();
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
