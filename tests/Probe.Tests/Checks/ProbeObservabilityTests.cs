using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Checks;
using StatusPlatform.Probe.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Probe.Tests.Checks;

/// <summary>What operators see of the probe itself: a log line per state change and the probe's metrics.</summary>
public sealed class ProbeObservabilityTests : BrokerAndTarget
{
    [Fact]
    public async Task A_monitor_logs_each_change_of_state_once_rather_than_every_check()
    {
        var probe = await StartProbeWithCatalogAsync(HttpMonitor("web", Target.Url("/web")));
        await ResultsAsync("web", 3, "three Up checks");

        Target.Set("/web", TargetMode.Failing);
        await OutcomesAsync(CheckOutcome.Down, 3);
        Target.Set("/web", TargetMode.Up);
        await OutcomesAsync(CheckOutcome.Up, 2);

        var lines = probe.Logs.Where(l => l.Message.StartsWith("Monitor web is", StringComparison.Ordinal)).ToList();
        Assert.All(lines, l => Assert.Equal(LogLevel.Information, l.Level));
        Assert.Equal(
            ["Monitor web is Up (was unknown)", "Monitor web is Down (was Up): HTTP 503 Service Unavailable", "Monitor web is Up (was Down)"],
            lines.Select(l => l.Message));
    }

    [Fact]
    public async Task Checks_are_counted_by_outcome_and_failure_and_their_duration_and_drift_recorded()
    {
        using var listener = new MeterListener();
        var measurements = new ConcurrentQueue<Measured>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ProbeMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => measurements.Enqueue(new Measured(i, value, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => measurements.Enqueue(new Measured(i, value, Tags(tags))));
        listener.Start();

        Target.Set("/down", TargetMode.Failing);
        var probe = await StartProbeWithCatalogAsync(HttpMonitor("up", Target.Url("/up")), HttpMonitor("down", Target.Url("/down")));
        await ResultsAsync("up", 2, "two checks of up");
        await ResultsAsync("down", 2, "two checks of down");

        // Other test classes run probes in this process too; only this probe's meter factory counts.
        var meters = probe.Services.GetRequiredService<IMeterFactory>();
        var mine = measurements.Where(m => m.Instrument.Meter.Scope == meters).ToList();
        double Sum(string name, string tag) => mine.Where(m => m.Instrument.Name == name && m.Tags.Contains(tag)).Sum(m => m.Value);
        List<double> Values(string name) => [.. mine.Where(m => m.Instrument.Name == name).Select(m => m.Value)];

        Assert.True(Sum("statusplatform.probe.checks", "outcome=up") >= 2);
        Assert.True(Sum("statusplatform.probe.checks", "outcome=down") >= 2);
        Assert.True(Sum("statusplatform.probe.check.failures", "failure=status") >= 2);
        Assert.DoesNotContain(mine, m => m.Instrument.Name == "statusplatform.probe.check.failures" && !m.Tags.Contains("failure=status"));
        Assert.All(mine, m => Assert.DoesNotContain(m.Tags, t => t.StartsWith("monitor", StringComparison.Ordinal)));
        Assert.True(Values("statusplatform.probe.check.duration").Count >= 4);
        Assert.All(Values("statusplatform.probe.check.duration"), seconds => Assert.InRange(seconds, 0.000001, 1));
        Assert.True(Values("statusplatform.probe.schedule.drift").Count >= 4);
        // Recorded and non-negative; its size under load is the benchmark's business, not a test's.
        Assert.All(Values("statusplatform.probe.schedule.drift"), seconds => Assert.InRange(seconds, 0, 2));
    }

    private Task<int> OutcomesAsync(CheckOutcome outcome, int count) =>
        Eventually.Until(() => Task.FromResult(Bus.ResultsFor("web").Reverse().TakeWhile(r => r.Message.Outcome == outcome).Count()),
            n => n >= count, TimeSpan.FromSeconds(15), $"{count} checks in a row {outcome}");

    private static string[] Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
            result[i] = $"{tags[i].Key}={tags[i].Value}";
        return result;
    }

    private sealed record Measured(Instrument Instrument, double Value, string[] Tags);
}
