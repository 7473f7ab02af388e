using System.Text.Json.Nodes;
using StatusPlatform.EventSourcing.Schema;
using StatusPlatform.TestSupport;

namespace StatusPlatform.EventSourcing.Tests;

public sealed class AggregatingTests(EmptyEventStore fixture) : IClassFixture<EmptyEventStore>
{
    private readonly EventStore _store = fixture.Store;

    private static string NewStream() => $"counter-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_stream_folds_into_its_aggregate_through_Create_and_Apply()
    {
        var id = NewStream();
        await _store.AppendAsync(id, ExpectedVersion.NoStream,
            [new CounterStarted(id, 10), new CounterIncremented(id, 5), new CounterRenamed(id, "logins")]);

        var counter = await _store.AggregateStreamAsync<Counter>(id);

        Assert.Equal(new Aggregated<Counter>(new Counter(id, 15, "logins"), 3), counter);
        Assert.Equal(new Counter(id, 15, null), (await _store.AggregateStreamAsync<Counter>(id, upToVersion: 2))!.State);
        Assert.Null(await _store.AggregateStreamAsync<Counter>(NewStream()));
    }

    [Fact]
    public async Task An_event_without_an_Apply_method_is_an_error_naming_its_type()
    {
        var id = NewStream();
        await _store.AppendAsync(id, ExpectedVersion.NoStream, [new CounterStarted(id, 0), new CounterAudited(id)]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _store.AggregateStreamAsync<Counter>(id));

        Assert.Contains(nameof(CounterAudited), error.Message);
        Assert.Contains(id, error.Message);
    }

    [Fact]
    public async Task A_snapshot_is_used_and_only_later_events_are_folded()
    {
        var id = NewStream();
        await _store.AppendAsync(id, ExpectedVersion.NoStream, [new CounterStarted(id, 1), new CounterIncremented(id, 1)]);
        // A snapshot that disagrees with the events proves the fold started from it.
        await _store.WriteSnapshotAsync(id, 2, new Counter(id, 100, "from-snapshot"));
        await _store.AppendAsync(id, ExpectedVersion.Exactly(2), [new CounterIncremented(id, 1)]);

        var counter = await _store.AggregateStreamAsync<Counter>(id);

        Assert.Equal(new Aggregated<Counter>(new Counter(id, 101, "from-snapshot"), 3), counter);
    }

    [Fact]
    public async Task An_archived_stream_is_kept_but_excluded_from_reads_and_refuses_appends()
    {
        var id = NewStream();
        await _store.AppendAsync(id, ExpectedVersion.NoStream, [new CounterStarted(id, 1)]);

        Assert.True(await _store.ArchiveStreamAsync(id));

        Assert.Empty(await _store.FetchStreamAsync(id));
        Assert.Null(await _store.AggregateStreamAsync<Counter>(id));
        Assert.Single(await _store.FetchStreamAsync(id, includeArchived: true));
        Assert.Equal(1, (await _store.AggregateStreamAsync<Counter>(id, includeArchived: true))!.State.Value);
        var refused = await Assert.ThrowsAsync<StreamArchivedException>(() =>
            _store.AppendAsync(id, ExpectedVersion.Any, [new CounterIncremented(id, 1)]));
        Assert.Equal(id, refused.StreamId);
    }

    [Fact]
    public async Task Old_schema_versions_are_upcast_on_read()
    {
        // Version 1 of "counter_incremented" called the field "amount"; version 2 calls it "by".
        await using var database = await TestDatabase.CreateAsync();
        var v1 = new EventStoreOptions();
        v1.Events.Register<CounterStarted>("counter_started").Register<LegacyIncrement>("counter_incremented");
        await EventStoreSchema.MigrateAsync(database.DataSource, v1);
        var id = NewStream();
        await new EventStore(database.DataSource, v1).AppendAsync(id, ExpectedVersion.NoStream, [new CounterStarted(id, 1), new LegacyIncrement(id, 41)]);

        var v2 = new EventStoreOptions();
        v2.Events.Register<CounterStarted>("counter_started").Register<CounterIncremented>("counter_incremented", schemaVersion: 2)
            .AddUpcaster("counter_incremented", 1, json => new JsonObject { ["counterId"] = json["counterId"]!.DeepClone(), ["by"] = json["amount"]!.DeepClone() });

        var counter = await new EventStore(database.DataSource, v2).AggregateStreamAsync<Counter>(id);

        Assert.Equal(42, counter!.State.Value);
    }

    private sealed record LegacyIncrement(string CounterId, int Amount);
}
