using System.Diagnostics.Metrics;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Monitors.Folding;

/// <summary>
/// Fold lag: from a check's completion at the probe (its start plus its duration) to the end of its fold here, which is
/// what the broker, the queue and the fold add before a status can change. The two ends are read on different hosts, so
/// clock skew between a probe and this service enters the value; a negative difference is recorded as zero.
/// </summary>
public sealed class FoldLag(IMeterFactory meters, TimeProvider time)
{
    public const string MeterName = "StatusPlatform.Incident.Folding";

    private readonly Histogram<double> _lag = meters.Create(MeterName).CreateHistogram<double>("statusplatform.fold.lag", "s",
        "Time from a check result's completion at the probe to the end of its fold",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    public void Folded(CheckCompleted result)
    {
        var completedAt = result.StartedAt + TimeSpan.FromMilliseconds(result.DurationMs);
        _lag.Record(Math.Max(0, (time.GetUtcNow() - completedAt).TotalSeconds));
    }
}
