using System.Diagnostics;

namespace StatusPlatform.EventSourcing.Bench;

/// <summary>One write (an append or an insert transaction) by one writer; returns how many events it wrote.</summary>
internal delegate Task<int> WriteOnce(CancellationToken ct);

/// <summary>
/// Closed-loop throughput: every writer writes again as soon as its last write returns, for a warm-up and then a
/// measured window; only writes that return inside the window count.
/// </summary>
internal static class Throughput
{
    public static async Task<Slice> RunAsync(IReadOnlyList<WriteOnce> writers, TimeSpan warmup, TimeSpan duration, CancellationToken ct)
    {
        var measuring = false;
        var stopping = false;
        long measured = 0, total = 0;

        async Task Loop(WriteOnce writeOnce)
        {
            // Each writer finishes its write in flight rather than being cancelled halfway through it.
            while (!Volatile.Read(ref stopping))
            {
                var events = await writeOnce(ct);
                Interlocked.Add(ref total, events);
                if (Volatile.Read(ref measuring))
                    Interlocked.Add(ref measured, events);
            }
        }

        var loops = writers.Select(w => Task.Run(() => Loop(w), ct)).ToArray();
        var anyEnded = Task.WhenAny(loops);

        async Task WaitAsync(TimeSpan time)
        {
            var delay = Task.Delay(time, ct);
            // Writers only end when told to, so one that ends early failed: stop the run at once with its error.
            if (await Task.WhenAny(delay, anyEnded) == anyEnded)
            {
                Volatile.Write(ref stopping, true);
                await Task.WhenAll(loops);
            }
            await delay;
        }

        try
        {
            await WaitAsync(warmup);
            Volatile.Write(ref measuring, true);
            var started = Stopwatch.GetTimestamp();
            await WaitAsync(duration);
            Volatile.Write(ref measuring, false);
            var ended = Stopwatch.GetTimestamp();
            Volatile.Write(ref stopping, true);
            await Task.WhenAll(loops);
            return new Slice(Interlocked.Read(ref measured), Interlocked.Read(ref total), started, ended);
        }
        finally
        {
            Volatile.Write(ref stopping, true);
        }
    }

    /// <summary>Appends <paramref name="batch"/> events per call through <see cref="EventStore.AppendAsync"/>, one transaction each.</summary>
    public static WriteOnce EventStoreAppends(EventStore store, string scenario, int writer, int batch)
    {
        var streams = new WriterStreams(scenario, writer);
        return async ct =>
        {
            var turn = streams.Next();
            await store.AppendAsync(turn.StreamId, ExpectedVersion.Exactly(turn.Version),
                Payloads.Checks(turn.StreamId, turn.Version + 1, batch), Payloads.Metadata(turn.StreamId), ct);
            streams.Appended(turn, batch);
            return batch;
        };
    }
}

/// <summary>
/// One measured window (<see cref="Stopwatch"/> timestamps) and the events written in it; <see cref="TotalEvents"/>
/// also counts the warm-up and the writes in flight at the end.
/// </summary>
internal sealed record Slice(long Events, long TotalEvents, long WindowStart, long WindowEnd)
{
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(WindowStart, WindowEnd);

    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
}

/// <summary>
/// A closed-loop scenario measured in slices. The event store scenarios and their references take turns slice by
/// slice, so a neighbour's load on a shared machine weighs on both sides of a ratio alike.
/// </summary>
internal sealed class ThroughputScenario(string name, bool sequenced, IReadOnlyList<WriteOnce> writers)
{
    private readonly List<Slice> _slices = [];

    public string Name => name;

    /// <summary>Whether it writes through the event store, so the sequencer has work after it.</summary>
    public bool Sequenced => sequenced;

    public IReadOnlyList<Slice> Slices => _slices;

    public double EventsPerSecond => _slices.Sum(s => s.Events) / _slices.Sum(s => s.Elapsed.TotalSeconds);

    /// <summary>Runs the writers without counting; returns the events written, for the sequencer's tally.</summary>
    public async Task<long> WarmUpAsync(TimeSpan duration, CancellationToken ct) =>
        (await Throughput.RunAsync(writers, duration, TimeSpan.Zero, ct)).TotalEvents;

    /// <summary>Runs one measured slice; returns all events written, for the sequencer's tally.</summary>
    public async Task<long> MeasureAsync(TimeSpan duration, CancellationToken ct)
    {
        var slice = await Throughput.RunAsync(writers, TimeSpan.Zero, duration, ct);
        _slices.Add(slice);
        return slice.TotalEvents;
    }
}
