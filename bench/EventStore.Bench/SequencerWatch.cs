using System.Diagnostics;

namespace StatusPlatform.EventSourcing.Bench;

/// <summary>
/// Counts the events written through the store and, after each slice, waits until the sequencer has numbered them
/// all, so that no slice shares the machine with the sequencing of the one before. Keeps the worst backlog per scenario.
/// </summary>
internal sealed class SequencerWatch(EventStore store)
{
    private readonly Dictionary<string, SequencerCatchUp> _worst = [];
    private long _appended;

    public IReadOnlyList<SequencerCatchUp> Worst => [.. _worst.Values];

    public async Task CatchUpAsync(string scenario, long appended, CancellationToken ct)
    {
        _appended += appended;
        var started = Stopwatch.GetTimestamp();
        var backlog = _appended - await store.GetHighWaterMarkAsync(ct);
        while (await store.GetHighWaterMarkAsync(ct) < _appended)
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(1))
                throw new TimeoutException($"The sequencer did not number the '{scenario}' events within a minute.");
            await Task.Delay(5, ct);
        }
        var drainMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _worst[scenario] = _worst.TryGetValue(scenario, out var worst)
            ? new SequencerCatchUp(scenario, Math.Max(backlog, worst.BacklogEvents), Math.Max(drainMs, worst.DrainMs))
            : new SequencerCatchUp(scenario, backlog, drainMs);
    }
}

/// <summary>The largest sequencer backlog seen when a scenario's writers stopped, and the longest it took to clear.</summary>
internal sealed record SequencerCatchUp(string Scenario, long BacklogEvents, double DrainMs);
