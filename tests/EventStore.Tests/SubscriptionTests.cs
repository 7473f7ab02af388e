using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StatusPlatform.EventSourcing.Schema;
using StatusPlatform.EventSourcing.Subscriptions;
using StatusPlatform.TestSupport;

namespace StatusPlatform.EventSourcing.Tests;

public sealed class SubscriptionTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private EventStore _store = null!;
    private FeedNotifier _notifier = null!;
    private Sequencing.Sequencer _sequencer = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var options = EmptyEventStore.Options();
        options.SubscriptionBatchSize = 10; // many small batches, so crashes land between and inside them
        _store = new EventStore(_database.DataSource, options);
        await EventStoreSchema.MigrateAsync(_database.DataSource, options);
        await using var command = _database.DataSource.CreateCommand("create table projected (event_id uuid not null, position bigint not null)");
        await command.ExecuteNonQueryAsync();
        _notifier = new FeedNotifier(_store, NullLogger<FeedNotifier>.Instance);
        _sequencer = new Sequencing.Sequencer(_store, NullLogger<Sequencing.Sequencer>.Instance);
        await _notifier.StartAsync(CancellationToken.None);
        await _sequencer.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _sequencer.StopAsync(CancellationToken.None);
        await _notifier.StopAsync(CancellationToken.None);
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_projection_that_crashes_inside_and_between_batches_applies_every_event_exactly_once()
    {
        await AppendEventsAsync(120);
        var projection = new RecordingProjection { FailOnBatch = 3 };

        var runner = NewRunner(projection);
        await runner.StartAsync(CancellationToken.None);
        await Eventually.Until(() => runner.GetCheckpointAsync(projection.Name), cp => cp >= 50, TimeSpan.FromSeconds(20), "the projection to get going");
        await runner.StopAsync(CancellationToken.None); // the process goes away between batches

        await AppendEventsAsync(80);
        // Two instances of the same service now share the work: the checkpoint lock keeps them from doubling it.
        var (again, twin) = (NewRunner(projection), NewRunner(projection));
        await Task.WhenAll(again.StartAsync(CancellationToken.None), twin.StartAsync(CancellationToken.None));
        await Eventually.Until(() => again.GetCheckpointAsync(projection.Name), cp => cp == 200, TimeSpan.FromSeconds(20), "the projection to catch up");
        await Task.WhenAll(again.StopAsync(CancellationToken.None), twin.StopAsync(CancellationToken.None));

        Assert.True(projection.Failures == 1, "the injected failure never happened");
        await using var command = _database.DataSource.CreateCommand("select count(*), count(distinct event_id), min(position), max(position) from projected");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((200L, 200L, 1L, 200L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
    }

    [Fact]
    public async Task A_relay_advances_its_checkpoint_only_after_its_handler_succeeded()
    {
        await AppendEventsAsync(30);
        var relay = new FlakyRelay { FailWhenBatchContains = 15 };
        var runner = NewRunner(relays: [relay]);

        await runner.StartAsync(CancellationToken.None);
        await Eventually.Until(() => Task.FromResult(relay.Failures), f => f >= 1, TimeSpan.FromSeconds(10), "the relay to fail once");
        var checkpointAfterFailure = await runner.GetCheckpointAsync(relay.Name);
        await Eventually.Until(() => runner.GetCheckpointAsync(relay.Name), cp => cp == 30, TimeSpan.FromSeconds(20), "the relay to finish");
        await runner.StopAsync(CancellationToken.None);

        Assert.True(checkpointAfterFailure < 15, $"checkpoint moved past a failed batch: {checkpointAfterFailure}");
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), relay.Handled.Distinct().Order());
        Assert.True(relay.Handled.Count(p => p == 15) >= 2, "the failed batch was not delivered again");
    }

    [Fact]
    public async Task Of_two_instances_one_runs_a_relay_and_the_other_takes_over_when_it_stops()
    {
        await AppendEventsAsync(20);
        var (first, second) = (new FlakyRelay(), new FlakyRelay());
        var leader = NewRunner(relays: [first]);
        await leader.StartAsync(CancellationToken.None);
        await Eventually.Until(() => leader.GetCheckpointAsync(first.Name), cp => cp == 20, TimeSpan.FromSeconds(20), "the first relay to finish");
        var follower = NewRunner(relays: [second]);
        await follower.StartAsync(CancellationToken.None);

        await AppendEventsAsync(10);
        await Eventually.Until(() => leader.GetCheckpointAsync(first.Name), cp => cp == 30, TimeSpan.FromSeconds(20), "the leader to relay the new events");
        await leader.StopAsync(CancellationToken.None);
        await AppendEventsAsync(10);
        await Eventually.Until(() => follower.GetCheckpointAsync(second.Name), cp => cp == 40, TimeSpan.FromSeconds(20), "the follower to take over");
        await follower.StopAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), first.Handled.Order());
        Assert.Equal(Enumerable.Range(31, 10).Select(i => (long)i), second.Handled.Order());
    }

    private SubscriptionRunner NewRunner(IProjection? projection = null, IEventRelay[]? relays = null) =>
        new(_store, _notifier, projection is null ? [] : [projection], relays ?? [], NullLogger<SubscriptionRunner>.Instance);

    private async Task AppendEventsAsync(int count)
    {
        for (var i = 0; i < count; i++)
            await _store.AppendAsync($"sub-{i % 7}", ExpectedVersion.Any, [new CounterIncremented($"sub-{i % 7}", i)]);
    }

    private sealed class RecordingProjection : IProjection
    {
        private int _batches;

        public string Name => "recording";
        public int FailOnBatch { get; init; }
        public int Failures;

        public async Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
        {
            foreach (var e in events)
            {
                await using var insert = new NpgsqlCommand("insert into projected values ($1, $2)", connection, transaction);
                insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = e.EventId });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = e.GlobalPosition!.Value });
                await insert.ExecuteNonQueryAsync(ct);
            }
            // Fail after the rows were written: the transaction must take them back with the checkpoint.
            if (Interlocked.Increment(ref _batches) == FailOnBatch)
            {
                Interlocked.Increment(ref Failures);
                throw new InvalidOperationException("injected projection crash");
            }
        }
    }

    private sealed class FlakyRelay : IEventRelay
    {
        public string Name => "flaky-relay";
        public long FailWhenBatchContains { get; init; }
        public int Failures;
        public System.Collections.Concurrent.ConcurrentBag<long> Handled { get; } = [];

        public Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken ct)
        {
            foreach (var e in events)
                Handled.Add(e.GlobalPosition!.Value);
            if (Failures == 0 && events.Any(e => e.GlobalPosition == FailWhenBatchContains))
            {
                Failures++;
                throw new InvalidOperationException("injected broker failure");
            }
            return Task.CompletedTask;
        }
    }
}
