namespace StatusPlatform.Contracts;

/// <summary>What a probe concluded about one check.</summary>
public enum CheckOutcome
{
    Up,
    Degraded,
    Down,
}

/// <summary>Phases of one HTTP check in milliseconds; null where the phase did not happen (no TLS, connection reused, failed earlier).</summary>
public sealed record CheckTimings(double? DnsMs, double? ConnectMs, double? TlsMs, double? FirstByteMs, double TotalMs);

/// <summary>
/// A probe ran one check. <see cref="CheckId"/> is unique per check run and doubles as the message id, so a
/// redelivered result is folded once. <see cref="ConnectivityLost"/> is set while the probe's own canary fails:
/// such a result says more about the probe's network than about the target, and the fold does not believe it.
/// </summary>
public sealed record CheckCompleted(
    Guid CheckId,
    string MonitorId,
    string Region,
    string ProbeInstance,
    DateTimeOffset StartedAt,
    double DurationMs,
    CheckOutcome Outcome,
    int? StatusCode,
    string? FailureReason,
    CheckTimings? Timings,
    bool ConnectivityLost = false);
