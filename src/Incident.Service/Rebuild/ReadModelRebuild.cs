using System.Diagnostics;
using Npgsql;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;

namespace StatusPlatform.Incident.Rebuild;

/// <summary>What a rebuild did: the projections it ran, the feed position it rebuilt up to, and how long it took.</summary>
public sealed record RebuildReport(IReadOnlyList<string> Projections, IReadOnlyList<string> Tables, long Position, int Events, TimeSpan Elapsed);

/// <summary>
/// Rebuilds every read model (the status schema) from the event store: the events are the record, the read models
/// are a cache of them. Runs in one transaction, so readers keep seeing the old rows until the new ones commit, and
/// a running Incident.Service can stay up: the rebuild holds every projection's checkpoint row, which its projection
/// loops wait on, and leaves the checkpoints at the position it rebuilt to, from where they carry on.
/// </summary>
public sealed class ReadModelRebuild(EventStore store, IEnumerable<IProjection> projections, ILogger<ReadModelRebuild> logger)
{
    /// <summary>The schema whose every table belongs to a projection (ARCHITECTURE.md section 3), emptied before the replay.</summary>
    public const string Schema = "status";

    public async Task<RebuildReport> RunAsync(CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var all = projections.ToList();
        var names = all.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        var checkpoints = $"{store.Options.Schema}.checkpoints";

        await using var connection = await store.DataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Sorted, like the runner's own single-row locks, so two rebuilds cannot deadlock each other.
        foreach (var name in names)
        {
            await using var command = new NpgsqlCommand($"""
                insert into {checkpoints} (subscription, position) values (@name, 0) on conflict (subscription) do nothing;
                select position from {checkpoints} where subscription = @name for update;
                """, connection, tx);
            command.Parameters.Add(new NpgsqlParameter<string>("name", name));
            await command.ExecuteScalarAsync(ct);
        }

        // Read after the locks: anything sequenced later is left to the projection loops, from the checkpoint set below.
        var head = await store.GetHighWaterMarkAsync(ct);
        var tables = await TablesAsync(connection, tx, ct);
        foreach (var table in tables)
        {
            // delete, not truncate: truncate would lock readers (StatusApi) out until the commit.
            await using var delete = new NpgsqlCommand($"delete from {Schema}.\"{table}\"", connection, tx);
            await delete.ExecuteNonQueryAsync(ct);
        }

        long position = 0;
        var replayed = 0;
        while (position < head)
        {
            var batch = (await store.ReadAllAsync(position, store.Options.SubscriptionBatchSize, ct)).Where(e => e.GlobalPosition <= head).ToList();
            if (batch.Count == 0)
                break;
            // Batch by batch through every projection in registration order, as the live loops interleave them; a
            // projection that reads another's table (incidents read the page's URL) sees it as far as this batch.
            foreach (var projection in all)
                await projection.ApplyAsync(batch, connection, tx, ct);
            position = batch[^1].GlobalPosition!.Value;
            replayed += batch.Count;
        }

        await using (var save = new NpgsqlCommand($"update {checkpoints} set position = @position, updated_at = now() where subscription = any(@names)", connection, tx))
        {
            save.Parameters.Add(new NpgsqlParameter<long>("position", head));
            save.Parameters.Add(new NpgsqlParameter<string[]>("names", names));
            await save.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        logger.LogInformation("Rebuilt {Tables} read model tables from {Events} events (feed position {Position}) in {Elapsed}",
            tables.Count, replayed, head, clock.Elapsed);
        return new RebuildReport(names, tables, head, replayed, clock.Elapsed);
    }

    private static async Task<List<string>> TablesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select tablename from pg_tables where schemaname = $1 order by tablename", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Schema });
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            tables.Add(reader.GetString(0));
        return tables;
    }
}
