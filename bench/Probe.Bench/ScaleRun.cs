using StatusPlatform.Contracts;
using StatusPlatform.Probe.Scheduling;
using StatusPlatform.StatusApi.Bench;

namespace StatusPlatform.Probe.Bench;

/// <summary>What one measured window of whole intervals saw; drift in milliseconds, CPU in cores.</summary>
internal sealed record WindowResult(
    double ChecksPerSecond,
    double DriftP50Ms,
    double DriftP99Ms,
    double DriftMaxMs,
    int MissedSlots,
    int DoubleSlots,
    int BusiestSecond,
    double CpuCores,
    double CpuMsPerCheck,
    double MachineBusyCores,
    double MachineBusyAtLatestCheck);

/// <summary>The same probe measured again, right after its first window, while wrk hammered StatusApi's summary.json.</summary>
internal sealed record UnderLoadResult(WindowResult Window, WrkResult Wrk);

/// <summary>What one probe run at one monitor count measured; times are seconds unless the name says otherwise.</summary>
internal sealed record RunResult(
    int Monitors,
    double PlannedPerSecond,
    WindowResult Window,
    long PeakRssBytes,
    int Threads,
    double SpawnToActive,
    double SpawnToAllChecked,
    ReferenceResult Reference,
    UnderLoadResult? UnderLoad);

/// <summary>
/// The restart: the probe stopped (SIGTERM) and started again, until every monitor was checked once more. The probe is
/// ready once it both runs the catalog and has passed its ActiveFrom (warm-up); its first round then checks every
/// monitor before one interval from the process start (Probe.Service's FirstRound).
/// </summary>
internal sealed record RestartResult(
    int Monitors, double SpawnToActive, double SpawnToCatalog, double SpawnToAllChecked, double ReadyToAllChecked, double LongestUncheckedSeconds,
    int CaughtUp, int DoubleSlots, int BusiestSecond, double FirstRoundMeanPerSecond);

/// <summary>
/// One probe process against <c>n</c> generated http monitors, all on nginx at <c>/m/&lt;id&gt;</c>: it waits until
/// every monitor has been checked once, then measures for whole intervals. Drift is taken from nginx's access log:
/// a request's arrival minus the start of its slot on the monitor's grid, computed by the probe's own
/// <see cref="ScheduleSpread"/>, so it includes the probe's timer, its queueing and the TCP connect.
/// </summary>
internal sealed class ScaleRun(BenchOptions options, BenchBroker broker, NginxTarget nginx, string logFolder)
{
    // wrk runs this long before the window under load opens, and on after it closes, so the window sees full load only.
    private static readonly TimeSpan LoadMargin = TimeSpan.FromSeconds(3);
    private long _catalogVersion;

    public static string Prefix(int monitors) => $"/m/bench-{monitors}-";

    public async Task<(RunResult Result, ProbeProcess Probe)> RunAsync(int monitors, ReferenceResult reference, StatusApiLoad? load, CancellationToken ct)
    {
        var prefix = Prefix(monitors);
        broker.Serve(new MonitorCatalog(Interlocked.Increment(ref _catalogVersion), [.. Ids(monitors).Select(id =>
            new MonitorDefinition(id, "bench", "http", nginx.Url("/m/" + id).ToString(), "GET", options.IntervalSeconds, 5, []))]));

        var probe = ProbeProcess.Start(broker.AmqpUri, "bench-probe", options.Interval, Path.Combine(logFolder, $"probe-{monitors}.log"));
        var (active, allChecked) = await UntilAllCheckedAsync(probe, prefix, monitors, ct);
        Console.Error.WriteLine($"  {monitors} monitors: active {active:0.0} s and all checked {allChecked:0.0} s after the process started; measuring {options.MeasuredIntervals} x {options.IntervalSeconds} s ...");
        var window = await MeasureAsync(probe, monitors, ct);
        var sample = probe.Sample();

        UnderLoadResult? underLoad = null;
        if (load is not null)
        {
            Console.Error.WriteLine($"  {monitors} monitors while wrk hammers {load.SummaryUri} with {options.WrkConnections} connections: measuring {options.MeasuredIntervals} x {options.IntervalSeconds} s ...");
            var wrk = load.HammerAsync(options.WrkConnections, options.WrkThreads, (options.Interval * options.MeasuredIntervals) + (2 * LoadMargin), ct);
            await Task.Delay(LoadMargin, ct);
            var loaded = await MeasureAsync(probe, monitors, ct);
            underLoad = new UnderLoadResult(loaded, await wrk);
        }
        return (new RunResult(monitors, monitors / (double)options.IntervalSeconds, window, sample.PeakRssBytes, sample.Threads, active, allChecked, reference, underLoad), probe);
    }

    /// <summary>Stops <paramref name="probe"/> as a deployment would and starts a new one; how long until every monitor was checked again.</summary>
    public async Task<RestartResult> RestartAsync(ProbeProcess probe, int monitors, CancellationToken ct)
    {
        var prefix = Prefix(monitors);
        await probe.DisposeAsync();
        await using var next = ProbeProcess.Start(broker.AmqpUri, "bench-probe", options.Interval, Path.Combine(logFolder, $"probe-{monitors}-restart.log"));
        var (active, allChecked) = await UntilAllCheckedAsync(next, prefix, monitors, ct);
        var catalog = ((next.CatalogRunningAt() ?? throw new InvalidOperationException($"The probe's log in {logFolder} has no 'Running monitor catalog' line.")) - next.StartedAt).TotalSeconds;
        var arrivals = await nginx.ReadAsync(prefix, ct);
        var byMonitor = arrivals.GroupBy(a => a.Path).ToList();
        // Across the restart: for each monitor, its last check before the new process started to its first one after.
        var longest = byMonitor.Max(g =>
        {
            var before = g.Where(a => a.At < next.StartedAt).Select(a => a.At).DefaultIfEmpty(next.StartedAt).Max();
            var first = g.Where(a => a.At >= next.StartedAt).Min(a => a.At);
            return (first - before).TotalSeconds;
        });
        var firsts = byMonitor.Select(g => g.Where(a => a.At >= next.StartedAt).MinBy(a => a.At)).ToList();
        // A first check off the monitor's grid is a catch-up for a slot that passed while the new process started.
        var caughtUp = firsts.Count(a => (a.At - Planned(a)).TotalMilliseconds > 250);
        // Slots of the last interval before the restart and of the first round that got two checks (the old run's and a catch-up).
        var around = arrivals.Where(a => a.At >= next.StartedAt - options.Interval && a.At <= next.StartedAt.AddSeconds(allChecked)).ToList();
        var doubled = around.GroupBy(a => (a.Path, Planned(a))).Count(g => g.Count() > 1);
        var allCheckedAt = next.StartedAt.AddSeconds(allChecked);
        var readyAt = next.StartedAt.AddSeconds(Math.Max(active, catalog));
        var busiest = firsts.Where(a => a.At >= readyAt.AddSeconds(1) && a.At < allCheckedAt.AddSeconds(-1)).GroupBy(a => a.At.ToUnixTimeSeconds())
            .Where(g => g.Key > readyAt.ToUnixTimeSeconds()).Select(g => g.Count()).DefaultIfEmpty().Max();
        return new RestartResult(monitors, active, catalog, allChecked, allChecked - Math.Max(active, catalog), longest,
            caughtUp, doubled, busiest, monitors / Math.Max(0.001, allChecked - Math.Max(active, catalog)));
    }

    /// <summary>Measures <see cref="BenchOptions.MeasuredIntervals"/> whole intervals of <paramref name="probe"/> from now.</summary>
    private async Task<WindowResult> MeasureAsync(ProbeProcess probe, int monitors, CancellationToken ct)
    {
        var before = probe.Sample();
        IReadOnlyList<MachineSample> machine;
        await using (var sampler = MachineSampler.Start())
        {
            await Task.Delay(options.Interval * options.MeasuredIntervals, ct);
            machine = await sampler.StopAsync();
        }
        var after = probe.Sample();
        var window = (From: before.At, To: after.At);
        var arrivals = (await nginx.ReadAsync(Prefix(monitors), ct)).Where(a => a.At >= window.From && a.At < window.To).ToList();

        var drifts = arrivals.Select(a => (a.At - Planned(a)).TotalMilliseconds).Order().ToArray();
        // The latest check beside what the machine as a whole was doing in the second before it arrived.
        var latest = arrivals.MaxBy(a => a.At - Planned(a));
        var around = machine.Where(m => m.At > latest.At.AddSeconds(-1.5) && m.At <= latest.At.AddSeconds(0.25)).Select(m => m.BusyCores).DefaultIfEmpty().Max();
        var (missed, doubled) = SlotCounts(arrivals, monitors, window.From, window.To - TimeSpan.FromSeconds(1));
        var seconds = (window.To - window.From).TotalSeconds;
        var cpu = (after.CpuTime - before.CpuTime).TotalMilliseconds;
        // A burst shows as a second with far more arrivals than the mean; whole seconds inside the window only.
        var busiest = arrivals.Where(a => a.At < window.To.AddSeconds(-1)).GroupBy(a => a.At.ToUnixTimeSeconds()).Where(g => g.Key > window.From.ToUnixTimeSeconds())
            .Select(g => g.Count()).DefaultIfEmpty().Max();
        return new WindowResult(arrivals.Count / seconds, Percentile(drifts, 0.50), Percentile(drifts, 0.99), drifts.LastOrDefault(), missed, doubled, busiest,
            cpu / 1000 / seconds, cpu / Math.Max(1, arrivals.Count), machine.Select(m => m.BusyCores).DefaultIfEmpty().Average(), around);
    }

    private async Task<(double Active, double AllChecked)> UntilAllCheckedAsync(ProbeProcess probe, string prefix, int monitors, CancellationToken ct)
    {
        var deadline = probe.StartedAt + (3 * options.Interval) + TimeSpan.FromSeconds(60);
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            if (probe.HasExited)
                throw new InvalidOperationException($"The probe exited; see its log in {logFolder}.");
            var firsts = (await nginx.ReadAsync(prefix, ct)).Where(a => a.At >= probe.StartedAt)
                .GroupBy(a => a.Path).Select(g => g.Min(a => a.At)).ToList();
            if (firsts.Count == monitors && broker.HeartbeatAfter(probe.StartedAt) is { } heartbeat)
                return ((heartbeat.ActiveFrom - probe.StartedAt).TotalSeconds, (firsts.Max() - probe.StartedAt).TotalSeconds);
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"Only {firsts.Count} of {monitors} monitors were checked by {deadline:O}; see the probe's log in {logFolder}.");
        }
    }

    private DateTimeOffset Planned(Arrival arrival) =>
        // The slot at or before the arrival: the probe's next start after one interval earlier.
        ScheduleSpread.NextStart(arrival.Path[3..], options.Interval, arrival.At - options.Interval);

    /// <summary>Over the slots that start inside the window: how many got no check, and how many more than one.</summary>
    private (int Missed, int Doubled) SlotCounts(List<Arrival> arrivals, int monitors, DateTimeOffset from, DateTimeOffset lastStart)
    {
        var perSlot = arrivals.GroupBy(a => (a.Path, Slot: Planned(a))).ToDictionary(g => g.Key, g => g.Count());
        var (missed, doubled) = (0, 0);
        foreach (var id in Ids(monitors))
        {
            for (var slot = ScheduleSpread.NextStart(id, options.Interval, from); slot <= lastStart; slot += options.Interval)
            {
                var checks = perSlot.GetValueOrDefault(("/m/" + id, slot));
                missed += checks == 0 ? 1 : 0;
                doubled += checks > 1 ? 1 : 0;
            }
        }
        return (missed, doubled);
    }

    private static IEnumerable<string> Ids(int monitors) => Enumerable.Range(0, monitors).Select(i => $"bench-{monitors}-{i:00000}");

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
}
