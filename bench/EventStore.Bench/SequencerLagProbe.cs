using System.Collections.Concurrent;
using System.Diagnostics;

namespace StatusPlatform.EventSourcing.Bench;

/// <summary>
/// Sequencer lag under a paced load: writers append 10-event batches at a fixed total rate, stamp the time each
/// commit returned, and a <see cref="FeedListener"/> stamps when each position was announced. Lag per event is
/// announcement minus commit return, for appends that returned inside the measured window.
/// </summary>
internal sealed class SequencerLagProbe(EventStore store)
{
    private const int Batch = 10;

    public async Task<LagResult> RunAsync(int writers, int eventsPerSecond, TimeSpan warmup, TimeSpan duration, CancellationToken ct)
    {
        var baseline = await store.GetHighWaterMarkAsync(ct);
        await using var listener = await FeedListener.StartAsync(store, ct);
        var pacer = new Pacer(eventsPerSecond / (double)Batch);
        var commits = new ConcurrentQueue<Commit>();

        var appends = Enumerable.Range(0, writers).Select(writer =>
        {
            var streams = new WriterStreams("lag", writer);
            return (WriteOnce)(async token =>
            {
                await pacer.WaitTurnAsync(token);
                var turn = streams.Next();
                var version = await store.AppendAsync(turn.StreamId, ExpectedVersion.Exactly(turn.Version),
                    Payloads.Checks(turn.StreamId, turn.Version + 1, Batch), Payloads.Metadata(turn.StreamId), token);
                commits.Enqueue(new Commit(turn.StreamId, version, Stopwatch.GetTimestamp()));
                streams.Appended(turn, Batch);
                return Batch;
            });
        }).ToList();
        var result = await Throughput.RunAsync(appends, warmup, duration, ct);

        // Every event of the run, warm-up and tail included, must be announced before the lags can be read.
        var announced = await listener.WaitForAsync(baseline + result.TotalEvents, TimeSpan.FromSeconds(30), ct);
        var positions = await PositionsAfterAsync(baseline, ct);

        var lags = new List<double>();
        var unannounced = 0;
        foreach (var commit in commits.Where(c => c.At >= result.WindowStart && c.At < result.WindowEnd))
        {
            for (var version = commit.LastVersion - Batch + 1; version <= commit.LastVersion; version++)
            {
                if (positions.TryGetValue((commit.StreamId, version), out var position) && listener.ObservedAt(position) is { } observed)
                    lags.Add(Stopwatch.GetElapsedTime(commit.At, observed).TotalMilliseconds);
                else
                    unannounced++;
            }
        }
        if (!announced || unannounced > 0)
            throw new InvalidOperationException($"{unannounced} events of the lag run were never announced on the feed (high-water mark {listener.HighWaterMark}, expected {baseline + result.TotalEvents}).");
        return LagResult.From(eventsPerSecond, result.EventsPerSecond, lags, listener.Intervals(result.WindowStart, result.WindowEnd));
    }

    private async Task<Dictionary<(string StreamId, long Version), long>> PositionsAfterAsync(long baseline, CancellationToken ct)
    {
        var positions = new Dictionary<(string, long), long>();
        var after = baseline;
        while (true)
        {
            var page = await store.ReadAllAsync(after, 5_000, ct);
            if (page.Count == 0)
                return positions;
            foreach (var e in page)
                positions[(e.StreamId, e.Version)] = e.GlobalPosition!.Value;
            after = page[^1].GlobalPosition!.Value;
        }
    }

    private sealed record Commit(string StreamId, long LastVersion, long At);
}

/// <summary>Lag percentiles in milliseconds, and the time between notifications, which bounds the lag from below.</summary>
internal sealed record LagResult(int RequestedRate, double AchievedRate, int Samples, double P50, double P95, double P99, double Max,
    double CycleP50, double CycleP99)
{
    public static LagResult From(int requestedRate, double achievedRate, List<double> lagsMs, List<double> cyclesMs) =>
        new(requestedRate, achievedRate, lagsMs.Count, Percentile(lagsMs, 0.50), Percentile(lagsMs, 0.95), Percentile(lagsMs, 0.99),
            Percentile(lagsMs, 1), Percentile(cyclesMs, 0.50), Percentile(cyclesMs, 0.99));

    /// <summary>Nearest-rank percentile; sorts <paramref name="values"/>.</summary>
    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
            return double.NaN;
        values.Sort();
        return values[Math.Clamp((int)Math.Ceiling(p * values.Count) - 1, 0, values.Count - 1)];
    }
}
