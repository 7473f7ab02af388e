using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StatusPlatform.EventSourcing.Schema;
using StatusPlatform.EventSourcing.Subscriptions;
using StatusPlatform.TestSupport;

namespace StatusPlatform.EventSourcing.Tests;

/// <summary>The lag gauges, read through a MeterListener as an exporter reads them, while the sequencer or a subscription is held back.</summary>
public sealed class FeedLagTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly TestMeterFactory _meters = new();
    private TestDatabase _database = null!;
    private EventStore _store = null!;
    private FeedNotifier _notifier = null!;
    private Sequencing.Sequencer _sequencer = null!;
    private GaugeReader _gauges = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var options = EmptyEventStore.Options();
        options.LagSampleInterval = TimeSpan.FromMilliseconds(50);
        options.SubscriptionBatchSize = 10;
        _store = new EventStore(_database.DataSource, options);
        await EventStoreSchema.MigrateAsync(_database.DataSource, options);
        _notifier = new FeedNotifier(_store, NullLogger<FeedNotifier>.Instance);
        _sequencer = new Sequencing.Sequencer(_store, NullLogger<Sequencing.Sequencer>.Instance);
        await _notifier.StartAsync(CancellationToken.None);
        _gauges = new GaugeReader(_meters);
    }

    public async Task DisposeAsync()
    {
        _gauges.Dispose();
        await _sequencer.StopAsync(CancellationToken.None);
        await _notifier.StopAsync(CancellationToken.None);
        _meters.Dispose();
        NpgsqlConnection.ClearAllPools();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Projection_lag_reports_the_events_a_stopped_subscription_has_not_processed_and_zero_once_it_caught_up()
    {
        await _sequencer.StartAsync(CancellationToken.None);
        var projection = new CountingProjection("read-model");
        var relay = new ConfirmingRelay("outbox");
        var lag = new FeedLag(_store, [projection], [relay], _meters, NullLogger<FeedLag>.Instance);
        await lag.StartAsync(CancellationToken.None);
        try
        {
            await AppendAsync(25);
            // Nothing runs the subscriptions yet: each lags the whole feed, and its oldest pending event has an age.
            await Eventually.Until(() => Task.FromResult(_gauges.Read()),
                g => g.Get("statusplatform.eventstore.subscription.pending", "read-model") == 25 && g.Get("statusplatform.eventstore.subscription.pending", "outbox") == 25,
                Wait, "both subscriptions to lag 25 events");
            var held = _gauges.Read();
            Assert.True(held.Get("statusplatform.eventstore.subscription.lag", "read-model") > 0, "a lagging subscription reported no age");

            var runner = new SubscriptionRunner(_store, _notifier, [projection], [relay], NullLogger<SubscriptionRunner>.Instance);
            await runner.StartAsync(CancellationToken.None);
            await Eventually.Until(() => Task.FromResult(_gauges.Read()),
                g => g.Get("statusplatform.eventstore.subscription.pending", "read-model") == 0 && g.Get("statusplatform.eventstore.subscription.lag", "read-model") == 0
                    && g.Get("statusplatform.eventstore.subscription.pending", "outbox") == 0 && g.Get("statusplatform.eventstore.subscription.lag", "outbox") == 0,
                Wait, "the lag to fall to zero after catch-up");

            // A subscription that stops falls behind again by exactly what was appended meanwhile.
            await runner.StopAsync(CancellationToken.None);
            await AppendAsync(7);
            await Eventually.Until(() => Task.FromResult(_gauges.Read()), g => g.Get("statusplatform.eventstore.subscription.pending", "read-model") == 7,
                Wait, "the stopped projection to lag the 7 new events");
            Assert.Equal(25, projection.Applied);
        }
        finally
        {
            await lag.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Sequencer_lag_reports_committed_events_without_a_position_and_zero_once_they_are_numbered()
    {
        var lag = new FeedLag(_store, [], [], _meters, NullLogger<FeedLag>.Instance);
        await lag.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Until(() => Task.FromResult(_gauges.Read()), g => g.Get("statusplatform.eventstore.sequencer.pending") == 0, Wait, "a first sample");
            await AppendAsync(12); // no sequencer runs
            await Eventually.Until(() => Task.FromResult(_gauges.Read()), g => g.Get("statusplatform.eventstore.sequencer.pending") == 12, Wait,
                "the sequencer lag to count the 12 unnumbered events");
            Assert.True(_gauges.Read().Get("statusplatform.eventstore.sequencer.lag") > 0, "unnumbered events reported no age");

            await _sequencer.StartAsync(CancellationToken.None);
            await Eventually.Until(() => Task.FromResult(_gauges.Read()),
                g => g.Get("statusplatform.eventstore.sequencer.pending") == 0 && g.Get("statusplatform.eventstore.sequencer.lag") == 0, Wait,
                "the sequencer lag to fall to zero");
            Assert.Equal(12, await _store.GetHighWaterMarkAsync());
        }
        finally
        {
            await lag.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_gauges_report_nothing_while_the_database_cannot_be_read()
    {
        var lag = new FeedLag(_store, [new CountingProjection("read-model")], [], _meters, NullLogger<FeedLag>.Instance);
        await lag.SampleAsync(CancellationToken.None);
        Assert.Equal(0, _gauges.Read().Get("statusplatform.eventstore.subscription.pending", "read-model"));

        // The schema going away stands in for an unreachable database: the loop keeps trying and reports a gap, not a stale value.
        await using (var drop = _database.DataSource.CreateCommand($"alter schema {_store.Options.Schema} rename to gone"))
            await drop.ExecuteNonQueryAsync();
        await lag.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Until(() => Task.FromResult(_gauges.Read()), g => g.Values.IsEmpty, Wait, "the gauges to report nothing");
        }
        finally
        {
            await lag.StopAsync(CancellationToken.None);
            await using var restore = _database.DataSource.CreateCommand($"alter schema gone rename to {_store.Options.Schema}");
            await restore.ExecuteNonQueryAsync();
        }
    }

    private async Task AppendAsync(int count)
    {
        for (var i = 0; i < count; i++)
            await _store.AppendAsync($"lag-{i % 5}", ExpectedVersion.Any, [new CounterIncremented($"lag-{i % 5}", i)]);
    }

    private sealed class CountingProjection(string name) : IProjection
    {
        private int _applied;

        public string Name => name;

        public int Applied => Volatile.Read(ref _applied);

        public Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
        {
            Interlocked.Add(ref _applied, events.Count);
            return Task.CompletedTask;
        }
    }

    private sealed class ConfirmingRelay(string name) : IEventRelay
    {
        public string Name => name;

        public Task HandleAsync(IReadOnlyList<StoredEvent> events, RelayProgress progress, CancellationToken ct)
        {
            foreach (var e in events)
                progress.Confirmed(e);
            return Task.CompletedTask;
        }
    }
}

/// <summary>Meters scoped to one test, so a listener sees this test's instruments and not those of tests running beside it.</summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_meters)
            _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters)
                meter.Dispose();
            _meters.Clear();
        }
    }
}

/// <summary>Collects the current values of the observable instruments of one meter factory, the way an exporter does on each export.</summary>
public sealed class GaugeReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private ConcurrentDictionary<string, double> _values = new();

    public GaugeReader(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _values[Key(instrument.Name, tags)] = value);
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _values[Key(instrument.Name, tags)] = value);
        _listener.Start();
    }

    public Snapshot Read()
    {
        _values = new ConcurrentDictionary<string, double>();
        _listener.RecordObservableInstruments();
        return new Snapshot(_values);
    }

    public void Dispose() => _listener.Dispose();

    private static string Key(string name, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "subscription")
                return $"{name}/{tag.Value}";
        }
        return name;
    }

    public sealed record Snapshot(ConcurrentDictionary<string, double> Values)
    {
        /// <summary>The instrument's value (for <paramref name="subscription"/>), or NaN when it reported none.</summary>
        public double Get(string instrument, string? subscription = null) =>
            Values.TryGetValue(subscription is null ? instrument : $"{instrument}/{subscription}", out var value) ? value : double.NaN;

        public override string ToString() => string.Join(", ", Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"));
    }
}
