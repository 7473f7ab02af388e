using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Monitors.Folding;

/// <summary>What the fold remembers per monitor and region between two results.</summary>
public sealed record RegionState(
    string Region,
    int ConsecutiveFailures,
    int ConsecutiveSuccesses,
    bool IsDown,
    DateTimeOffset LastStartedAt,
    string? LastReason,
    int? LastStatusCode);

/// <summary>One stored result, as the fold reads it back (newest first).</summary>
public sealed record RecentResult(DateTimeOffset StartedAt, CheckOutcome Outcome, string? Reason, int? StatusCode);

/// <summary>
/// The flap guard: a region goes down after <c>failureThreshold</c> consecutive failures and up again after
/// <c>successThreshold</c> consecutive successes. A monitor is down when a majority of the regions that reported
/// recently are down. Pure functions.
/// </summary>
public static class RegionFold
{
    /// <summary>How many of the newest results the fold needs to see.</summary>
    public static int Window(int failureThreshold, int successThreshold) => Math.Max(1, Math.Max(failureThreshold, successThreshold));

    /// <summary>
    /// Folds the region's newest stored results (newest first by start time). Counting from the stored results
    /// rather than incrementing per message makes the fold indifferent to arrival order: results consumed
    /// concurrently or redelivered after a broker restart count by when the check ran, not when it arrived.
    /// </summary>
    public static RegionState Fold(RegionState? previous, string region, IReadOnlyList<RecentResult> newestFirst, int failureThreshold, int successThreshold)
    {
        if (newestFirst.Count == 0)
            return previous ?? new RegionState(region, 0, 0, false, DateTimeOffset.MinValue, null, null);
        var failures = newestFirst.TakeWhile(r => r.Outcome == CheckOutcome.Down).Count();
        var successes = newestFirst.TakeWhile(r => r.Outcome != CheckOutcome.Down).Count();
        var isDown = previous?.IsDown == true
            ? successes < Math.Max(1, successThreshold)
            : failures >= Math.Max(1, failureThreshold);
        var lastFailure = newestFirst.FirstOrDefault(r => r.Outcome == CheckOutcome.Down);
        return new RegionState(region, failures, successes, isDown, newestFirst[0].StartedAt,
            lastFailure?.Reason ?? previous?.LastReason, newestFirst[0].StatusCode);
    }

    /// <summary>
    /// Down when more than half of the regions that reported within three intervals are down. Regions that went
    /// quiet (a probe stopped) do not count, so one remaining region can still decide.
    /// </summary>
    public static bool IsMonitorDown(IReadOnlyCollection<RegionState> regions, DateTimeOffset now, TimeSpan interval)
    {
        var recent = regions.Where(r => now - r.LastStartedAt <= interval * 3).ToList();
        if (recent.Count == 0)
            recent = [.. regions];
        return recent.Count > 0 && recent.Count(r => r.IsDown) * 2 > recent.Count;
    }
}
