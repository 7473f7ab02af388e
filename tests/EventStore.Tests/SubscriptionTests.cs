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

    [Fact]
    public async Task Stopping_lets_a_relay_finish_the_batch_in_hand_and_records_its_end_before_the_stop_returns()
    {
        await AppendEventsAsync(400);
        var options = EmptyEventStore.Options();
        options.SubscriptionBatchSize = 100;
        var relay = new GatedRelay(gateAt: 0) { ConfirmDelay = TimeSpan.FromMilliseconds(2) }; // a broker confirm per publish
        var runner = new SubscriptionRunner(new EventStore(_database.DataSource, options), _notifier, [], [relay], NullLogger<SubscriptionRunner>.Instance);
        await runner.StartAsync(CancellationToken.None);
        var inFlight = await Eventually.Until(() => Task.FromResult(relay.Confirmed.DefaultIfEmpty().Max()), p => p % 100 is > 5 and < 90,
            TimeSpan.FromSeconds(20), "the relay to be in the middle of a batch");

        await runner.StopAsync(CancellationToken.None);

        // The batch in hand was finished and recorded, and no further batch was started after the stop began.
        var checkpoint = await runner.GetCheckpointAsync(relay.Name);
        Assert.True(checkpoint >= inFlight && checkpoint % 100 == 0, $"the stop cut the batch: checkpoint {checkpoint}, in flight at {inFlight}");
        Assert.Equal(Enumerable.Range(1, (int)checkpoint).Select(i => (long)i), relay.Confirmed.Order());
    }

    [Fact]
    public async Task A_stop_that_runs_out_of_time_cancels_the_batch_and_records_the_last_confirmed_event()
    {
        await AppendEventsAsync(30);
        var relay = new GatedRelay(gateAt: 15);
        var runner = NewRunner(relays: [relay]);
        await runner.StartAsync(CancellationToken.None);
        await relay.Reached.Task.WaitAsync(TimeSpan.FromSeconds(20));

        using (var shutdownTimeout = new CancellationTokenSource())
        {
            var stopping = runner.StopAsync(shutdownTimeout.Token);
            await shutdownTimeout.CancelAsync(); // the host's shutdown timeout ran out while the broker held the publish
            await stopping.WaitAsync(TimeSpan.FromSeconds(20));
        }
        // A host that ran out of time does not wait any longer, so the save of the position may land just after the stop.
        await Eventually.Until(() => runner.GetCheckpointAsync(relay.Name), cp => cp == 14, TimeSpan.FromSeconds(10), "the last confirmed event as the checkpoint");

        // The next start publishes from 15: every event exactly once across the two runs.
        relay.Gate.SetResult();
        var again = NewRunner(relays: [relay]);
        await again.StartAsync(CancellationToken.None);
        await Eventually.Until(() => again.GetCheckpointAsync(relay.Name), cp => cp == 30, TimeSpan.FromSeconds(20), "the relay to finish after the restart");
        await again.StopAsync(CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), relay.Confirmed.Order());
    }

    [Fact]
    public async Task A_relay_that_fails_part_way_keeps_what_it_confirmed_and_repeats_only_the_rest()
    {
        await AppendEventsAsync(30);
        var relay = new GatedRelay(gateAt: 0) { FailAt = 17 };
        var runner = NewRunner(relays: [relay]);
        await runner.StartAsync(CancellationToken.None);
        await Eventually.Until(() => runner.GetCheckpointAsync(relay.Name), cp => cp == 30, TimeSpan.FromSeconds(20), "the relay to get past its failure");
        await runner.StopAsync(CancellationToken.None);

        Assert.Equal(1, relay.Failures);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), relay.Confirmed.Order());
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

    /// <summary>Confirms event by event, as the integration relay does; holds the publish of one event until the gate opens, and can fail once at another.</summary>
    private sealed class GatedRelay(long gateAt) : IEventRelay
    {
        public string Name => "gated-relay";
        public long FailAt { get; init; }
        public TimeSpan ConfirmDelay { get; init; }
        public int Failures;
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public System.Collections.Concurrent.ConcurrentBag<long> Confirmed { get; } = [];

        public async Task HandleAsync(IReadOnlyList<StoredEvent> events, RelayProgress progress, CancellationToken ct)
        {
            foreach (var e in events)
            {
                if (e.GlobalPosition == gateAt)
                {
                    Reached.TrySetResult();
                    await Gate.Task.WaitAsync(ct); // a publish waiting for the broker's confirm
                }
                if (e.GlobalPosition == FailAt && Interlocked.CompareExchange(ref Failures, 1, 0) == 0)
                    throw new InvalidOperationException("injected broker failure");
                if (ConfirmDelay > TimeSpan.Zero)
                    await Task.Delay(ConfirmDelay, ct);
                Confirmed.Add(e.GlobalPosition!.Value);
                progress.Confirmed(e);
            }
        }
    }

    private sealed class FlakyRelay : IEventRelay
    {
        public string Name => "flaky-relay";
        public long FailWhenBatchContains { get; init; }
        public int Failures;
        public System.Collections.Concurrent.ConcurrentBag<long> Handled { get; } = [];

        // Confirms nothing on its own: a failure loses the whole batch, as a broker that rejected it would.
        public Task HandleAsync(IReadOnlyList<StoredEvent> events, RelayProgress progress, CancellationToken ct)
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
