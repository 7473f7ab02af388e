using System.Diagnostics;

namespace StatusPlatform.EventSourcing.Bench;

/// <summary>
/// Hands out evenly spaced start times at a fixed rate to any number of writers. TokenBucketRateLimiter adds a fixed
/// number of tokens per timer tick, so every late tick lowers the rate; a schedule keeps the average exact, and a
/// writer that fell behind catches up at once.
/// </summary>
internal sealed class Pacer(double perSecond)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly double _ticksPerTurn = Stopwatch.Frequency / perSecond;
    private long _issued = -1;

    public Task WaitTurnAsync(CancellationToken ct)
    {
        var due = _start + (long)(Interlocked.Increment(ref _issued) * _ticksPerTurn);
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        return wait > TimeSpan.Zero ? Task.Delay(wait, ct) : Task.CompletedTask;
    }
}
