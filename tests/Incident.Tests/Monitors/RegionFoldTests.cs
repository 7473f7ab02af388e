using StatusPlatform.Contracts;
using StatusPlatform.Incident.Monitors;
using StatusPlatform.Incident.Monitors.Folding;

namespace StatusPlatform.Incident.Tests.Monitors;

public sealed class RegionFoldTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static RecentResult Result(CheckOutcome outcome, int second) =>
        new(T0.AddSeconds(second), outcome, outcome == CheckOutcome.Down ? "HTTP 503" : null, outcome == CheckOutcome.Down ? 503 : 200);

    /// <summary>Folds results as the consumer does: each arrival adds to the store, then the newest window is folded.</summary>
    private static RegionState Arrive(int failureThreshold, int successThreshold, IEnumerable<RecentResult> arrivals)
    {
        RegionState? state = null;
        var stored = new List<RecentResult>();
        foreach (var result in arrivals)
        {
            stored.Add(result);
            var window = stored.OrderByDescending(r => r.StartedAt).Take(RegionFold.Window(failureThreshold, successThreshold)).ToList();
            state = RegionFold.Fold(state, "eu", window, failureThreshold, successThreshold);
        }
        return state!;
    }

    private static RegionState Run(int failureThreshold, int successThreshold, params CheckOutcome[] outcomes) =>
        Arrive(failureThreshold, successThreshold, outcomes.Select((o, i) => Result(o, i * 10)));

    [Fact]
    public void A_region_goes_down_only_after_the_failure_threshold()
    {
        Assert.False(Run(3, 1, CheckOutcome.Down, CheckOutcome.Down).IsDown);
        Assert.True(Run(3, 1, CheckOutcome.Down, CheckOutcome.Down, CheckOutcome.Down).IsDown);
    }

    [Fact]
    public void A_success_between_failures_resets_the_count()
    {
        Assert.False(Run(3, 1, CheckOutcome.Down, CheckOutcome.Down, CheckOutcome.Up, CheckOutcome.Down, CheckOutcome.Down).IsDown);
    }

    [Fact]
    public void A_down_region_comes_back_only_after_the_success_threshold()
    {
        Assert.True(Run(1, 2, CheckOutcome.Down, CheckOutcome.Up).IsDown);
        Assert.False(Run(1, 2, CheckOutcome.Down, CheckOutcome.Up, CheckOutcome.Up).IsDown);
    }

    [Fact]
    public void Degraded_counts_as_reachable_for_up_and_down()
    {
        Assert.False(Run(1, 1, CheckOutcome.Degraded, CheckOutcome.Degraded).IsDown);
        Assert.False(Run(1, 1, CheckOutcome.Down, CheckOutcome.Degraded).IsDown);
    }

    [Fact]
    public void Slow_results_degrade_a_region_behind_the_same_flap_guard()
    {
        Assert.False(Run(2, 2, CheckOutcome.Up, CheckOutcome.Degraded).IsDegraded);
        Assert.True(Run(2, 2, CheckOutcome.Degraded, CheckOutcome.Degraded).IsDegraded);
        Assert.True(Run(2, 2, CheckOutcome.Degraded, CheckOutcome.Degraded, CheckOutcome.Up).IsDegraded);
        Assert.False(Run(2, 2, CheckOutcome.Degraded, CheckOutcome.Degraded, CheckOutcome.Up, CheckOutcome.Up).IsDegraded);
    }

    [Fact]
    public void A_region_recovering_from_down_through_slow_answers_is_degraded_not_down()
    {
        var state = Run(2, 1, CheckOutcome.Down, CheckOutcome.Down, CheckOutcome.Degraded, CheckOutcome.Degraded);
        Assert.Equal((false, true), (state.IsDown, state.IsDegraded));
    }

    [Theory]
    [InlineData("down,degraded,up", MonitorHealth.Degraded)]
    [InlineData("degraded,up,up", MonitorHealth.Up)]
    [InlineData("degraded,degraded,up", MonitorHealth.Degraded)]
    [InlineData("down,down,degraded", MonitorHealth.Down)]
    public void A_monitor_is_degraded_when_a_majority_is_degraded_or_down_but_not_a_majority_down(string states, MonitorHealth expected)
    {
        var regions = states.Split(',').Select((state, i) => new RegionState($"r{i}", 0, 0, state == "down", T0, null, null, state == "degraded")).ToList();
        Assert.Equal(expected, RegionFold.MonitorHealthOf(regions, T0.AddSeconds(5), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Results_count_by_when_the_check_ran_not_by_when_they_arrived()
    {
        // Two failures consumed concurrently arrive newest first: both must still count.
        var reordered = Arrive(2, 1, [Result(CheckOutcome.Down, 20), Result(CheckOutcome.Down, 10)]);
        Assert.True(reordered.IsDown);

        // A late success from before the failures does not interrupt them.
        var late = Arrive(2, 1, [Result(CheckOutcome.Down, 20), Result(CheckOutcome.Down, 30), Result(CheckOutcome.Up, 10)]);
        Assert.True(late.IsDown);
        Assert.Equal(T0.AddSeconds(30), late.LastStartedAt);
    }

    [Fact]
    public void The_failure_reason_of_the_last_failure_is_kept_as_evidence()
    {
        var state = Run(1, 1, CheckOutcome.Down);
        Assert.Equal(("HTTP 503", 503), (state.LastReason, state.LastStatusCode));
    }

    [Theory]
    [InlineData(new[] { true }, true)]
    [InlineData(new[] { true, false }, false)]
    [InlineData(new[] { true, true, false }, true)]
    [InlineData(new[] { true, false, false }, false)]
    public void A_monitor_is_down_when_a_majority_of_recent_regions_is_down(bool[] regionsDown, bool expected)
    {
        var regions = regionsDown.Select((down, i) => new RegionState($"r{i}", 0, 0, down, T0, null, null)).ToList();
        Assert.Equal(expected, RegionFold.MonitorHealthOf(regions, T0.AddSeconds(5), TimeSpan.FromSeconds(10)) == MonitorHealth.Down);
    }

    [Fact]
    public void Regions_that_went_quiet_do_not_outvote_the_ones_still_reporting()
    {
        var regions = new List<RegionState>
        {
            new("eu", 0, 0, IsDown: true, T0.AddSeconds(100), null, null),
            new("us", 0, 0, IsDown: false, T0, null, null), // last heard 100 s ago with a 10 s interval
        };
        Assert.Equal(MonitorHealth.Down, RegionFold.MonitorHealthOf(regions, T0.AddSeconds(105), TimeSpan.FromSeconds(10)));
    }
}
