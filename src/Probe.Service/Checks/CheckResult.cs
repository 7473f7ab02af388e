using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Checks;

/// <summary>Which layer a failed check failed at; a low-cardinality tag for metrics.</summary>
public enum FailureKind
{
    Status,
    Timeout,
    Refused,
    Dns,
    Tls,
    Connection,
    Protocol,

    /// <summary>The target answered, but not as the monitor expects: a keyword, a JSON field, a condition, an address.</summary>
    Assertion,
}

/// <summary>
/// What one check found, before it gets an id and an identity and becomes a <see cref="CheckCompleted"/>. A Degraded
/// result has no <see cref="Failure"/> but says why in <see cref="FailureReason"/>.
/// </summary>
public sealed record CheckResult(
    DateTimeOffset StartedAt,
    CheckOutcome Outcome,
    int? StatusCode,
    FailureKind? Failure,
    string? FailureReason,
    CheckTimings Timings)
{
    public static CheckResult Up(CheckClock clock, int? statusCode = null) =>
        new(clock.StartedAt, CheckOutcome.Up, statusCode, null, null, clock.Timings());

    public static CheckResult Down(CheckClock clock, FailureKind failure, string reason, int? statusCode = null) =>
        new(clock.StartedAt, CheckOutcome.Down, statusCode, failure, reason, clock.Timings());

    /// <summary>Up, or Degraded when the check took longer than the monitor's threshold.</summary>
    public static CheckResult UpUnlessSlow(CheckClock clock, int? degradedAfterMs, int? statusCode = null)
    {
        var timings = clock.Timings();
        return degradedAfterMs is { } threshold && timings.TotalMs > threshold
            ? new(clock.StartedAt, CheckOutcome.Degraded, statusCode, null, $"Slow: {timings.TotalMs:0} ms, above the {threshold} ms threshold", timings)
            : new(clock.StartedAt, CheckOutcome.Up, statusCode, null, null, timings);
    }
}
