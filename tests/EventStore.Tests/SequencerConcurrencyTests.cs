using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using StatusPlatform.TestSupport;

namespace StatusPlatform.EventSourcing.Tests;

/// <summary>
/// Many writers over overlapping streams with random rollbacks and version conflicts, while an unrelated
/// transaction and an uncommitted append stay open: every committed event gets exactly one dense position.
/// </summary>
public sealed class SequencerConcurrencyTests(EmptyEventStore fixture) : IClassFixture<EmptyEventStore>
{
    private const int Writers = 8;
    private static readonly TimeSpan RunTime = TimeSpan.FromSeconds(10);
    private readonly EventStore _store = fixture.Store;

    [Fact]
    public async Task Parallel_writers_with_rollbacks_and_conflicts_get_dense_unique_positions_in_stream_order()
    {
        var sequencer = fixture.NewSequencer();
        await sequencer.StartAsync(CancellationToken.None);

        // An unrelated transaction and an append that never commits, both open for the whole run.
        await using var unrelated = await fixture.Database.DataSource.OpenConnectionAsync();
        await using var unrelatedTx = await unrelated.BeginTransactionAsync();
        await using (var create = new NpgsqlCommand("create table unrelated (x int); insert into unrelated values (1)", unrelated, unrelatedTx))
            await create.ExecuteNonQueryAsync();
        var heldToken = Guid.NewGuid().ToString();
        var held = await _store.OpenSessionAsync();
        held.Append("held-stream", ExpectedVersion.Any, new CounterRenamed("held-stream", heldToken));
        await held.FlushAsync();

        var run = new WriterRun();
        var reader = new FeedReader(_store);
        using var stop = new CancellationTokenSource(RunTime);
        var readerTask = reader.RunAsync(stop.Token);
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => WriteAsync(run, w, stop.Token)));
        await readerTask;
        var seenWhileHeldOpen = reader.Positions.Count;

        await held.DisposeAsync(); // rolls back
        await unrelatedTx.CommitAsync();

        var total = await WaitUntilAllSequencedAsync();
        await reader.CatchUpAsync(total);
        await sequencer.StopAsync(CancellationToken.None);

        Assert.True(run.Committed.Count > 1_000, $"only {run.Committed.Count} events committed");
        Assert.True(run.Conflicts > 0 && !run.RolledBack.IsEmpty, $"conflicts {run.Conflicts}, rolled back {run.RolledBack.Count}");
        Assert.True(seenWhileHeldOpen > run.Committed.Count / 2, $"feed stalled behind the open transactions: {seenWhileHeldOpen} seen");

        var stored = await ReadTokensAsync();
        Assert.Equal(run.Committed.Count, total);
        Assert.Equal(run.Committed.Keys.Order(), stored.Keys.Order());
        Assert.DoesNotContain(heldToken, stored.Keys);
        Assert.Empty(run.RolledBack.Keys.Intersect(stored.Keys));

        var positions = stored.Values.Select(v => v.Position).Order().ToList();
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), positions);
        foreach (var stream in stored.Values.GroupBy(v => v.StreamId))
        {
            var versionsInPositionOrder = stream.OrderBy(v => v.Position).Select(v => v.Version).ToList();
            Assert.Equal(Enumerable.Range(1, versionsInPositionOrder.Count).Select(i => (long)i), versionsInPositionOrder);
        }
        Assert.Equal(positions, reader.Positions);
    }

    private async Task WriteAsync(WriterRun run, int writer, CancellationToken stop)
    {
        var random = new Random(writer);
        var streams = Enumerable.Range(0, 24).Select(i => $"shared-{i}").ToArray();
        while (!stop.IsCancellationRequested)
        {
            var chosen = streams.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList();
            var tokens = new List<string>();
            await using var session = await _store.OpenSessionAsync(CancellationToken.None);
            foreach (var stream in chosen)
            {
                var version = (await _store.GetStreamStateAsync(stream, CancellationToken.None))?.Version ?? 0;
                var expected = random.Next(10) switch
                {
                    < 6 => ExpectedVersion.Exactly(version),
                    < 8 => ExpectedVersion.Any,
                    8 => ExpectedVersion.Exactly(version + 1), // certainly wrong
                    _ => version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(Math.Max(0, version - 1)),
                };
                var events = Enumerable.Range(0, random.Next(1, 6)).Select(_ => new CounterRenamed(stream, Guid.NewGuid().ToString())).ToList();
                tokens.AddRange(events.Select(e => e.Name));
                session.Append(stream, expected, events);
            }
            try
            {
                await session.FlushAsync(CancellationToken.None);
                if (random.Next(100) < 15)
                {
                    await session.Transaction.RollbackAsync(CancellationToken.None);
                    tokens.ForEach(t => run.RolledBack.TryAdd(t, 0));
                    continue;
                }
                await session.Transaction.CommitAsync(CancellationToken.None);
                tokens.ForEach(t => run.Committed.TryAdd(t, 0));
            }
            catch (ConcurrencyException)
            {
                Interlocked.Increment(ref run.Conflicts);
                tokens.ForEach(t => run.RolledBack.TryAdd(t, 0));
            }
        }
    }

    private Task<int> WaitUntilAllSequencedAsync() =>
        Eventually.Until(async () =>
        {
            await using var command = fixture.Database.DataSource.CreateCommand(
                "select count(*) filter (where global_position is null), count(*) from events.events");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return reader.GetInt64(0) == 0 ? (int)reader.GetInt64(1) : -1;
        }, total => total >= 0, TimeSpan.FromSeconds(30), "the sequencer to number every committed event");

    private async Task<Dictionary<string, (string StreamId, long Version, long Position)>> ReadTokensAsync()
    {
        var result = new Dictionary<string, (string, long, long)>();
        await using var command = fixture.Database.DataSource.CreateCommand("select data->>'name', stream_id, version, global_position from events.events");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add(reader.GetString(0), (reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        return result;
    }

    private sealed class WriterRun
    {
        public ConcurrentDictionary<string, byte> Committed { get; } = new();
        public ConcurrentDictionary<string, byte> RolledBack { get; } = new();
        public int Conflicts;
    }
}

/// <summary>Reads the global feed the way a subscription does and records every position it is given.</summary>
public sealed class FeedReader(EventStore store)
{
    public List<long> Positions { get; } = [];

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (await ReadOnceAsync() == 0)
                await Task.Delay(5, CancellationToken.None);
        }
    }

    public async Task CatchUpAsync(long upTo)
    {
        var clock = Stopwatch.StartNew();
        while ((Positions.Count == 0 ? 0 : Positions[^1]) < upTo && clock.Elapsed < TimeSpan.FromSeconds(30))
            await ReadOnceAsync();
    }

    private async Task<int> ReadOnceAsync()
    {
        var batch = await store.ReadAllAsync(Positions.Count == 0 ? 0 : Positions[^1], 1_000);
        Positions.AddRange(batch.Select(e => e.GlobalPosition!.Value));
        return batch.Count;
    }
}
