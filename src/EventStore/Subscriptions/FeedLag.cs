using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace StatusPlatform.EventSourcing.Subscriptions;

/// <summary>
/// How far the feed lags the appends, as observable gauges: committed events the sequencer has not numbered yet, and per
/// subscription the events between its checkpoint and the head of the feed, each with the age of the oldest one. The
/// values come from the database (the checkpoints table is the truth, whichever instance runs a subscription), sampled
/// every <see cref="EventStoreOptions.LagSampleInterval"/> on a loop of its own, because a gauge's callback runs on the
/// exporter's thread and must not wait on a query. Ages are measured by the database's clock against recorded_at (the
/// appending transaction's start), so no clock skew between hosts enters them. After a failed sample the gauges report
/// nothing until the next good one: a gap on a dashboard is honest, a stale zero is not.
/// </summary>
public sealed class FeedLag : BackgroundService
{
    public const string MeterName = "StatusPlatform.EventStore";

    private readonly EventStore _store;
    private readonly string[] _subscriptions;
    private readonly ILogger<FeedLag> _logger;
    private volatile Sample? _last;

    public FeedLag(EventStore store, IEnumerable<IProjection> projections, IEnumerable<IEventRelay> relays, IMeterFactory meters, ILogger<FeedLag> logger)
    {
        _store = store;
        _subscriptions = [.. projections.Select(p => p.Name).Concat(relays.Select(r => r.Name)).Distinct(StringComparer.Ordinal)];
        _logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("statusplatform.eventstore.sequencer.pending", () => Sequencer(s => s.Pending), "{event}",
            "Committed events the sequencer has not given a global position yet");
        meter.CreateObservableGauge("statusplatform.eventstore.sequencer.lag", () => Sequencer(s => s.OldestPendingAge), "s",
            "Age of the oldest committed event without a global position (0 when the sequencer is caught up)");
        meter.CreateObservableGauge("statusplatform.eventstore.subscription.pending", () => PerSubscription(s => s.Pending), "{event}",
            "Events between a subscription's checkpoint and the head of the feed, per subscription");
        meter.CreateObservableGauge("statusplatform.eventstore.subscription.lag", () => PerSubscription(s => s.OldestPendingAge), "s",
            "Age of the oldest event a subscription has not processed yet (0 when caught up), per subscription");
    }

    /// <summary>Takes one sample now; the loop does this every <see cref="EventStoreOptions.LagSampleInterval"/>.</summary>
    public async Task SampleAsync(CancellationToken ct)
    {
        var s = _store.Options.Schema;
        await using var connection = await _store.DataSource.OpenConnectionAsync(ct);
        // One snapshot for all three statements, so the head and the checkpoints are read at the same moment.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new($"select count(*), coalesce(extract(epoch from clock_timestamp() - min(recorded_at)), 0)::float8 from {s}.events where global_position is null"),
                new($"""
                    select n.name, h.head - coalesce(c.position, 0), coalesce(extract(epoch from clock_timestamp() - e.recorded_at), 0)::float8
                    from unnest($1::text[]) as n(name)
                    cross join (select coalesce(max(global_position), 0) as head from {s}.events) h
                    left join {s}.checkpoints c on c.subscription = n.name
                    left join {s}.events e on e.global_position = coalesce(c.position, 0) + 1
                    """) { Parameters = { new NpgsqlParameter<string[]> { TypedValue = _subscriptions } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var sequencer = new Lag(reader.GetInt64(0), reader.GetDouble(1));
        await reader.NextResultAsync(ct);
        var subscriptions = new Dictionary<string, Lag>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
            subscriptions[reader.GetString(0)] = new Lag(Math.Max(0, reader.GetInt64(1)), reader.GetDouble(2));
        _last = new Sample(sequencer, subscriptions);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(stoppingToken);
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _last = null;
                // Once per outage, not every few seconds while the database is away.
                if (!failing)
                    _logger.LogWarning(e, "Could not sample the lag of the event store feed; the lag gauges report nothing until it works again");
                failing = true;
            }
            try
            {
                await Task.Delay(_store.Options.LagSampleInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private IEnumerable<Measurement<T>> Sequencer<T>(Func<Lag, T> value) where T : struct =>
        _last is { } sample ? [new Measurement<T>(value(sample.Sequencer))] : [];

    private IEnumerable<Measurement<T>> PerSubscription<T>(Func<Lag, T> value) where T : struct =>
        _last is { } sample
            ? [.. sample.Subscriptions.Select(s => new Measurement<T>(value(s.Value), new KeyValuePair<string, object?>("subscription", s.Key)))]
            : [];

    private sealed record Lag(long Pending, double OldestPendingAge);

    private sealed record Sample(Lag Sequencer, IReadOnlyDictionary<string, Lag> Subscriptions);
}
