using System.Diagnostics.Metrics;

namespace StatusPlatform.Probe.Checks;

/// <summary>
/// The probe's own instruments. Tags stay low-cardinality on purpose (outcome, failure kind): a monitor id tag would
/// make one time series per monitor and region, which the results in the checks schema already hold.
/// </summary>
public sealed class ProbeMetrics
{
    public const string MeterName = "StatusPlatform.Probe";

    private readonly Counter<long> _checks;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _drift;

    public ProbeMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _checks = meter.CreateCounter<long>("statusplatform.probe.checks", "{check}", "Checks run, by outcome");
        _failures = meter.CreateCounter<long>("statusplatform.probe.check.failures", "{check}", "Checks that did not end Up, by the layer that failed");
        _duration = meter.CreateHistogram<double>("statusplatform.probe.check.duration", "s", "How long a check took, by outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _drift = meter.CreateHistogram<double>("statusplatform.probe.schedule.drift", "s", "Actual start of a check minus its planned start",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] });
    }

    public void CheckStarted(DateTimeOffset planned, DateTimeOffset actual) => _drift.Record((actual - planned).TotalSeconds);

    public void CheckCompleted(CheckResult result)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", result.Outcome.ToString().ToLowerInvariant());
        _checks.Add(1, outcome);
        _duration.Record(result.Timings.TotalMs / 1000, outcome);
        if (result.Failure is { } failure)
            _failures.Add(1, new KeyValuePair<string, object?>("failure", failure.ToString().ToLowerInvariant()));
    }
}
