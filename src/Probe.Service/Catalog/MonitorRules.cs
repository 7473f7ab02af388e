using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks;

namespace StatusPlatform.Probe.Catalog;

/// <summary>
/// What the probe needs from a monitor definition before it runs it. Incident.Service validates on input; this guards
/// the probe against a definition it cannot run (a newer kind, a broken target) without reporting a false outage.
/// </summary>
public static class MonitorRules
{
    public const int MaxIntervalSeconds = 24 * 60 * 60;
    public const int MaxTimeoutSeconds = 60 * 60;

    /// <summary>Null when the monitor can run; otherwise why not, in words for the log.</summary>
    public static string? Problem(MonitorDefinition monitor)
    {
        if (string.IsNullOrWhiteSpace(monitor.MonitorId))
            return "it has no id";
        if (string.IsNullOrWhiteSpace(monitor.Kind))
            return "it has no kind";
        // The upper bounds keep timers and cancellation sources (limited to about 49 days) far from overflowing.
        if (monitor.IntervalSeconds is < 1 or > MaxIntervalSeconds)
            return $"interval {monitor.IntervalSeconds} s is outside 1 s to {MaxIntervalSeconds} s";
        if (monitor.TimeoutSeconds is < 1 or > MaxTimeoutSeconds)
            return $"timeout {monitor.TimeoutSeconds} s is outside 1 s to {MaxTimeoutSeconds} s";
        if (monitor.ExpectedStatusCodes is null || monitor.ExpectedStatusCodes.Any(code => code is < 100 or > 599))
            return "expected status codes must be between 100 and 599";
        // Kind, target and check settings are the checks' business: they know what each kind can run.
        return MonitorChecks.Problem(monitor);
    }

    /// <summary>
    /// The monitor as this probe runs it: never more often than the probe's floor. Raised rather than refused, because
    /// a check every floor seconds watches the target and an unchecked monitor would not.
    /// </summary>
    public static MonitorDefinition WithMinimumInterval(MonitorDefinition monitor, int minimumIntervalSeconds) =>
        monitor.IntervalSeconds >= minimumIntervalSeconds ? monitor : monitor with { IntervalSeconds = minimumIntervalSeconds };
}
