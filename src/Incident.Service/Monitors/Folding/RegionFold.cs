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
    int? LastStatusCode,
    bool IsDegraded = false);

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
        int Leading(Func<CheckOutcome, bool> matches) => newestFirst.TakeWhile(r => matches(r.Outcome)).Count();
        var failures = Leading(o => o == CheckOutcome.Down);
        var reachable = Leading(o => o != CheckOutcome.Down);
        var notUp = Leading(o => o != CheckOutcome.Up);
        var up = Leading(o => o == CheckOutcome.Up);
        var (failAfter, recoverAfter) = (Math.Max(1, failureThreshold), Math.Max(1, successThreshold));

        // The same flap guard for both: degraded (slow) takes as many results to set in, and as many to clear,
        // as down does, so one slow response does not paint the page yellow.
        var isDown = previous?.IsDown == true ? reachable < recoverAfter : failures >= failAfter;
        var isDegraded = !isDown && (previous?.IsDegraded == true ? up < recoverAfter : notUp >= failAfter);
        var lastProblem = newestFirst.FirstOrDefault(r => r.Outcome != CheckOutcome.Up);
        return new RegionState(region, failures, reachable, isDown, newestFirst[0].StartedAt,
            lastProblem?.Reason ?? previous?.LastReason, newestFirst[0].StatusCode, isDegraded);
    }

    /// <summary>
    /// Down when more than half of the regions that reported within three intervals are down; degraded when more
    /// than half are degraded or down. Regions that went quiet (a probe stopped) do not count, so one remaining
    /// region can still decide.
    /// </summary>
    public static MonitorHealth MonitorHealthOf(IReadOnlyCollection<RegionState> regions, DateTimeOffset now, TimeSpan interval)
    {
        var recent = regions.Where(r => now - r.LastStartedAt <= interval * 3).ToList();
        if (recent.Count == 0)
            recent = [.. regions];
        var down = recent.Count(r => r.IsDown);
        var degraded = recent.Count(r => r.IsDegraded);
        return recent.Count == 0 ? MonitorHealth.Up
            : down * 2 > recent.Count ? MonitorHealth.Down
            : (down + degraded) * 2 > recent.Count ? MonitorHealth.Degraded
            : MonitorHealth.Up;
    }
}
