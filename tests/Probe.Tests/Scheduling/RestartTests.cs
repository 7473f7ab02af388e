using System.Globalization;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Probe.Tests.Scheduling;

/// <summary>
/// A probe restarted (here after a crash) checks every monitor within one interval of its process start, start-up
/// included, and from then on checks each once per slot of its grid. A process of its own, because "since the process
/// started" is what is promised, and an in-process host starts long after the test runner did.
/// </summary>
public sealed class RestartTests : BrokerAndTarget
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly (string Key, string Value)[] Settings =
        [("Probe:Region", "test-region"), ("Probe:MinimumInterval", "00:00:10"), ("Probe:HeartbeatInterval", "00:00:01")];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string[] MonitorIds = [.. Enumerable.Range(0, 40).Select(i => $"m-{i:00}")];

    [Fact]
    public async Task A_restarted_probe_checks_every_monitor_within_one_interval_of_its_process_start_then_once_per_slot()
    {
        Bus.Serve(new MonitorCatalog(1, [.. MonitorIds.Select(id => HttpMonitor(id, Target.Url("/m/" + id), intervalSeconds: (int)Interval.TotalSeconds))]));
        await Bus.StartAnsweringCatalogRequestsAsync();
        using (var crashed = ProbeProcess.Start(VirtualHost.AmqpUri, "probe-1", Settings))
        {
            await WithOutputAsync(crashed, Eventually.Until(() => Task.FromResult(Bus.Results.Count > 0), Patience, "the first run to check"));
            crashed.Kill();
        }

        var start = DateTimeOffset.UtcNow;
        using var restarted = ProbeProcess.Start(VirtualHost.AmqpUri, "probe-1", Settings);
        await WithOutputAsync(restarted, Eventually.Until(() => Task.FromResult(MonitorIds.Min(id => Since(id, start).Count)), n => n >= 2,
            Patience, "every monitor to be checked twice by the restarted probe"));

        var late = MonitorIds.Select(id => (Id: id, First: Since(id, start).Min())).Where(m => m.First >= start + Interval).ToList();
        Assert.True(late.Count == 0, $"first checked more than {Interval.TotalSeconds} s after the process start ({start:HH:mm:ss.fff}): "
            + string.Join(", ", late.Select(m => $"{m.Id} at {m.First.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}")));
        // A catch-up lies in the slot it stands in for, and the grid takes over from the next one: one check per slot.
        var lastComplete = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1);
        foreach (var id in MonitorIds)
        {
            var arrivals = Since(id, start);
            var counts = Slots.Count(id, Interval, arrivals, Slots.Of(id, Interval, arrivals.Min()), Slots.Of(id, Interval, lastComplete));
            Assert.True(counts.All(c => c.Checks == 1), $"{id}: checks per slot since the restart: {string.Join(" ", counts.Select(c => c.Checks))}");
        }
    }

    private List<DateTimeOffset> Since(string monitorId, DateTimeOffset start) => [.. Target.Arrivals("/m/" + monitorId).Where(a => a >= start)];

    private static async Task WithOutputAsync(ProbeProcess process, Task waiting)
    {
        try
        {
            await waiting;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the probe's output:\n{string.Join('\n', process.Output)}", e);
        }
    }
}
