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
        if (!string.Equals(monitor.Kind, "http", StringComparison.OrdinalIgnoreCase))
            return $"kind '{monitor.Kind}' is not supported by this probe (only 'http')";
        if (!Uri.TryCreate(monitor.Target, UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
            return $"target '{monitor.Target}' is not an absolute http or https URL";
        // The upper bounds keep timers and cancellation sources (limited to about 49 days) far from overflowing.
        if (monitor.IntervalSeconds is < 1 or > MaxIntervalSeconds)
            return $"interval {monitor.IntervalSeconds} s is outside 1 s to {MaxIntervalSeconds} s";
        if (monitor.TimeoutSeconds is < 1 or > MaxTimeoutSeconds)
            return $"timeout {monitor.TimeoutSeconds} s is outside 1 s to {MaxTimeoutSeconds} s";
        if (monitor.ExpectedStatusCodes is null || monitor.ExpectedStatusCodes.Any(code => code is < 100 or > 599))
            return "expected status codes must be between 100 and 599";
        try
        {
            HttpCheck.MethodOf(monitor);
        }
        catch (FormatException)
        {
            return $"method '{monitor.Method}' is not an HTTP method";
        }
        return null;
    }
}
