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

/// <summary>
/// The flap guard: a region goes down after <c>failureThreshold</c> consecutive failures and up again after
/// <c>successThreshold</c> consecutive successes. A monitor is down when a majority of the regions that reported
/// recently are down. Pure functions.
/// </summary>
public static class RegionFold
{
    public static RegionState Fold(RegionState? state, CheckCompleted result, int failureThreshold, int successThreshold)
    {
        state ??= new RegionState(result.Region, 0, 0, false, DateTimeOffset.MinValue, null, null);
        // A result that started before the last one folded arrived late: keep it in the raw results, not in the state.
        if (result.StartedAt < state.LastStartedAt)
            return state;

        var failed = result.Outcome == CheckOutcome.Down;
        var failures = failed ? state.ConsecutiveFailures + 1 : 0;
        var successes = failed ? 0 : state.ConsecutiveSuccesses + 1;
        var isDown = state.IsDown
            ? successes < Math.Max(1, successThreshold)
            : failures >= Math.Max(1, failureThreshold);
        return new RegionState(result.Region, failures, successes, isDown, result.StartedAt,
            failed ? result.FailureReason : state.LastReason, result.StatusCode);
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
