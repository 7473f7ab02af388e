using Microsoft.Extensions.Logging.Abstractions;
using StatusPlatform.EventSourcing.Schema;
using StatusPlatform.EventSourcing.Sequencing;
using StatusPlatform.TestSupport;

namespace StatusPlatform.EventSourcing.Tests;

public sealed record CounterStarted(string CounterId, int Start);
public sealed record CounterIncremented(string CounterId, int By);
public sealed record CounterRenamed(string CounterId, string Name);
public sealed record CounterAudited(string CounterId);

/// <summary>A small immutable aggregate in the house style; it deliberately has no Apply for CounterAudited.</summary>
public sealed record Counter(string Id, int Value, string? Name)
{
    public static Counter Create(CounterStarted e) => new(e.CounterId, e.Start, null);

    public Counter Apply(CounterIncremented e) => this with { Value = Value + e.By };

    public Counter Apply(CounterRenamed e) => this with { Name = e.Name };
}

/// <summary>An empty event store in a database of its own, with the counter events registered.</summary>
public sealed class EmptyEventStore : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;

    public EventStore Store { get; private set; } = null!;

    public static EventStoreOptions Options()
    {
        var options = new EventStoreOptions
        {
            SequencerInterval = TimeSpan.FromMilliseconds(10),
            LeaderRetryInterval = TimeSpan.FromMilliseconds(100),
            SubscriptionPollInterval = TimeSpan.FromMilliseconds(200),
        };
        options.Events
            .Register<CounterStarted>("counter_started")
            .Register<CounterIncremented>("counter_incremented")
            .Register<CounterRenamed>("counter_renamed")
            .Register<CounterAudited>("counter_audited");
        return options;
    }

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Store = new EventStore(Database.DataSource, Options());
        await EventStoreSchema.MigrateAsync(Database.DataSource, Store.Options);
    }

    public Sequencer NewSequencer() => new(Store, NullLogger<Sequencer>.Instance);

    public async Task DisposeAsync() => await Database.DisposeAsync();
}
