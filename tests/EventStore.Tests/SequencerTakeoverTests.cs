using Npgsql;
using StatusPlatform.TestSupport;

namespace StatusPlatform.EventSourcing.Tests;

public sealed class SequencerTakeoverTests(EmptyEventStore fixture) : IClassFixture<EmptyEventStore>
{
    private readonly EventStore _store = fixture.Store;

    [Fact]
    public async Task A_leader_killed_mid_batch_is_replaced_and_nothing_is_lost_or_numbered_twice()
    {
        var first = fixture.NewSequencer();
        var second = fixture.NewSequencer();
        await first.StartAsync(CancellationToken.None);
        await Eventually.Until(() => Task.FromResult(first.IsLeader), TimeSpan.FromSeconds(10), "the first sequencer to lead");
        await second.StartAsync(CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var writers = Task.WhenAll(Enumerable.Range(0, 4).Select(w => WriteAsync($"w{w}", stop.Token)));
        await Eventually.Until(async () => await _store.GetHighWaterMarkAsync() > 200, TimeSpan.FromSeconds(20), "some events to be sequenced");

        // Hold a row lock on a committed event the leader has not numbered yet, so its next batch blocks half-way
        // through; then kill the leader's backend while it waits: the batch it had numbered so far must roll back.
        await using var blocker = await fixture.Database.DataSource.OpenConnectionAsync();
        await using var blockerTx = await blocker.BeginTransactionAsync();
        await Eventually.Until(() => LockAnUnnumberedEventAsync(blocker, blockerTx), TimeSpan.FromSeconds(10), "a lock on an unnumbered event");
        var leaderPid = first.LeaderProcessId!.Value;
        await Eventually.Until(() => IsWaitingOnLockAsync(leaderPid), TimeSpan.FromSeconds(10), "the leader to block inside a batch");
        var highWaterMarkBeforeKill = await _store.GetHighWaterMarkAsync();

        await Terminate(leaderPid);
        await first.StopAsync(CancellationToken.None);
        await blockerTx.RollbackAsync();

        await Eventually.Until(() => Task.FromResult(second.IsLeader), TimeSpan.FromSeconds(10), "the second sequencer to take over");
        var highWaterMarkAtTakeover = await _store.GetHighWaterMarkAsync();
        await Eventually.Until(async () => await _store.GetHighWaterMarkAsync() > highWaterMarkAtTakeover + 200,
            TimeSpan.FromSeconds(20), "the new leader to number fresh events");
        await stop.CancelAsync();
        var committed = (await writers).SelectMany(ids => ids).ToHashSet();

        var numbered = await Eventually.Until(ReadPositionsAsync, p => p.Count == committed.Count && p.Values.All(v => v.HasValue),
            TimeSpan.FromSeconds(30), "every committed event to be numbered");
        await second.StopAsync(CancellationToken.None);

        Assert.True(highWaterMarkBeforeKill > 200);
        Assert.True(committed.SetEquals(numbered.Keys));
        Assert.Equal(Enumerable.Range(1, committed.Count).Select(i => (long)i), numbered.Values.Select(v => v!.Value).Order());
    }

    private async Task<List<Guid>> WriteAsync(string writer, CancellationToken stop)
    {
        var ids = new List<Guid>();
        var stream = $"takeover-{writer}";
        while (!stop.IsCancellationRequested)
            ids.Add(await AppendAsync(stream));
        return ids;
    }

    private async Task<Guid> AppendAsync(string stream)
    {
        await _store.AppendAsync(stream, ExpectedVersion.Any, [new CounterIncremented(stream, 1)]);
        await using var command = fixture.Database.DataSource.CreateCommand(
            "select event_id from events.events where stream_id = $1 order by version desc limit 1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    // The writers keep a few committed events unnumbered between two sequencer ticks; catch one of them. A row the
    // leader numbers meanwhile no longer matches after the lock wait, so the query returns nothing and we try again.
    private static async Task<bool> LockAnUnnumberedEventAsync(NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        await using var command = new NpgsqlCommand(
            "select event_id from events.events where global_position is null order by seq limit 1 for update", connection, tx);
        return await command.ExecuteScalarAsync() is Guid;
    }

    private async Task<bool> IsWaitingOnLockAsync(int pid)
    {
        await using var command = fixture.Database.DataSource.CreateCommand("select wait_event_type = 'Lock' from pg_stat_activity where pid = $1");
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
        return await command.ExecuteScalarAsync() is true;
    }

    private async Task Terminate(int pid)
    {
        await using var command = fixture.Database.DataSource.CreateCommand("select pg_terminate_backend($1)");
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
        await command.ExecuteNonQueryAsync();
    }

    private async Task<Dictionary<Guid, long?>> ReadPositionsAsync()
    {
        var result = new Dictionary<Guid, long?>();
        await using var command = fixture.Database.DataSource.CreateCommand("select event_id, global_position from events.events");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetInt64(1));
        return result;
    }
}
