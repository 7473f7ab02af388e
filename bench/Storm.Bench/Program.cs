using System.Diagnostics;
using Npgsql;
using StatusPlatform.Bench;
using StatusPlatform.Storm.Bench;
using StatusPlatform.TestSupport;

// An outage storm with readers on the public API (issue 10): Incident.Service, StatusApi and Probe.Service as processes
// of their own (the bench's build configuration, Release for a real run) on a database and virtual host of their own,
// 1,000 http monitors on a target in this process. wrk loads the public endpoints through a quiet window, through the
// storm (every target answers 503 from one instant until the page shows every component down and on an incident) and
// through the recovery; nginx serving the same bytes, in the same run, is the reference. Target: storm p99 <= 2x quiet
// p99 per endpoint, and no errors.
var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    (error is null ? Console.Out : Console.Error).WriteLine(error is null ? BenchOptions.Usage : $"{error}\n\n{BenchOptions.Usage}");
    return error is null ? 0 : 2;
}
foreach (var tool in new[] { "/usr/bin/wrk", "/usr/sbin/nginx" })
{
    if (!File.Exists(tool))
    {
        Console.Error.WriteLine($"{tool} not found: install it with `apt-get install wrk nginx-light`.");
        return 2;
    }
}
if (ServiceProcess.Configuration != "Release")
    Console.Error.WriteLine("warning: not a Release build; build with -c Release for figures worth comparing");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // unwind, so the services and nginx stop and the database and virtual host are dropped
    cancel.Cancel();
};
var ct = cancel.Token;
var loadAtStart = Machine.LoadAverage();
var workDirectory = Directory.CreateTempSubdirectory("storm-bench-").FullName;
var logDirectory = Directory.CreateTempSubdirectory("storm-bench-logs-").FullName;
Console.Error.WriteLine($"service logs in {logDirectory}");
try
{
    await using var target = await StormTarget.StartAsync(options.Monitors);
    await using var database = await TestDatabase.CreateAsync();
    await using var vhost = await TestVirtualHost.CreateAsync();
    Console.Error.WriteLine($"database {database.Name}, virtual host {vhost.Name}, target {target.Url(0)}");
    var shared = new Dictionary<string, string>
    {
        ["ConnectionStrings__statusdb"] = database.ConnectionString,
        ["ConnectionStrings__messaging"] = vhost.AmqpUri.ToString(),
        // No telemetry export: a collector that is not running would only add retries to the measurement.
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
    };

    // Incident.Service first: it migrates the schemas and applies the configuration file; then the page; then the probe,
    // which asks Incident.Service for the catalog.
    var configFile = StormCatalog.WriteConfigFile(options, target, workDirectory);
    await using var incident = ServiceProcess.Start("Incident.Service",
        new Dictionary<string, string>(shared) { ["StatusPlatform__ConfigFile"] = configFile }, Path.Combine(logDirectory, "incident-service.log"));
    await incident.WaitHealthyAsync(TimeSpan.FromSeconds(120), ct);
    await using var statusApi = ServiceProcess.Start("StatusApi", shared, Path.Combine(logDirectory, "statusapi.log"));
    await statusApi.WaitHealthyAsync(TimeSpan.FromSeconds(120), ct);
    var api = new Uri(statusApi.Health, "/api/v2/");
    var summary = new Uri(api, "summary.json");
    var endpoints = options.Paths.Select(p => (Endpoint: p, Uri: new Uri(api, p))).ToList();
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

    var startup = Stopwatch.StartNew();
    Console.Error.WriteLine($"Incident.Service pid {incident.Id}, StatusApi pid {statusApi.Id}: waiting for {options.Components} components on the page ...");
    var loaded = new Milestone("catalog on the page", p => p.Count("operational") == options.Components);
    await PageWatch.UntilAsync(http, summary, startup, [loaded], TimeSpan.FromSeconds(180), ct);
    if (loaded.At is null)
        throw new TimeoutException($"The page did not show {options.Components} operational components within 180 s; see {logDirectory}.");

    var probeEnvironment = new Dictionary<string, string>(shared)
    {
        ["Probe__Region"] = "storm",
        ["Probe__InstanceId"] = "storm-bench-probe",
    };
    if (options.IntervalSeconds < 10)
        probeEnvironment["Probe__MinimumInterval"] = TimeSpan.FromSeconds(options.IntervalSeconds).ToString("c", System.Globalization.CultureInfo.InvariantCulture);
    probeEnvironment.Remove("ConnectionStrings__statusdb"); // a probe has no database
    await using var probe = ServiceProcess.Start("Probe.Service", probeEnvironment, Path.Combine(logDirectory, "probe-service.log"));
    await probe.WaitHealthyAsync(TimeSpan.FromSeconds(120), ct);
    Console.Error.WriteLine($"Probe.Service pid {probe.Id}: waiting until the target has seen all {options.Monitors} monitors ...");
    var firstRound = Stopwatch.StartNew();
    while (target.SeenCount < options.Monitors)
    {
        if (firstRound.Elapsed > TimeSpan.FromSeconds(60 + 3 * options.IntervalSeconds))
            throw new TimeoutException($"The probe checked {target.SeenCount} of {options.Monitors} monitors in {firstRound.Elapsed.TotalSeconds:0} s; see {logDirectory}.");
        await Task.Delay(200, ct);
    }
    // One more interval: every monitor's first result (which also records its health) is folded before the quiet window.
    await Task.Delay(TimeSpan.FromSeconds(options.IntervalSeconds), ct);
    var ready = new Milestone("all operational", p => p.Count("operational") == options.Components && p.Incidents.Count == 0);
    await PageWatch.UntilAsync(http, summary, Stopwatch.StartNew(), [ready], TimeSpan.FromSeconds(30), ct);
    if (ready.At is null)
        throw new InvalidOperationException($"With every target up the page does not show every component operational and no incident; see {logDirectory}.");

    var cpu = new CpuMeter(new Dictionary<string, int>
    {
        ["Incident.Service"] = incident.Id,
        ["StatusApi"] = statusApi.Id,
        ["Probe.Service"] = probe.Id,
    }, database.Name);
    var cores = new Dictionary<string, IReadOnlyDictionary<string, double>>();
    var script = WrkLoad.WriteScript(workDirectory, options.Connections, options.Rate);
    var windows = new List<WindowResult>();
    var bytes = new Dictionary<(string Set, string Endpoint), byte[]>();
    async Task CaptureAsync(string set)
    {
        foreach (var (endpoint, uri) in endpoints)
            bytes[(set, endpoint)] = await http.GetByteArrayAsync(uri, ct);
    }

    // Quiet: every target up, the probe checking, results folded; nothing changes on the page.
    if (options.WarmupSeconds > 0)
    {
        Console.Error.WriteLine($"warm-up: {options.WarmupSeconds} s of wrk, unmeasured ...");
        await WrkLoad.RunAsync("warm-up", script, endpoints, options.Connections, options.Threads, options.WarmupSeconds, ct);
    }
    Console.Error.WriteLine($"quiet: {options.QuietSeconds} s ...");
    var before = cpu.Sample();
    windows.AddRange(await WrkLoad.RunAsync(Report.Quiet, script, endpoints, options.Connections, options.Threads, options.QuietSeconds, ct));
    cores[Report.Quiet] = CpuMeter.Cores(before, cpu.Sample());
    await CaptureAsync("quiet");

    // The storm: every target fails in the same instant. Two wrk segments: until the page first changes (the probe finds
    // the failures, the fold counts them up to the threshold) and from then until the page shows all of it (transitions,
    // component status, the automatic incident, projections, the relay, StatusApi's refreshes).
    Console.Error.WriteLine($"storm: all {options.Monitors} targets answer 503 from now ...");
    var storm = new StormTimeline(options.Components);
    var limit = TimeSpan.FromSeconds(options.LimitSeconds);
    var loads = endpoints.Select(e => WrkLoad.Start(script, e.Uri, e.Endpoint, options.Connections, options.Threads)).ToList();
    before = cpu.Sample();
    var stormClock = Stopwatch.StartNew();
    target.IsUp = false;
    var polls = new PollStats();
    try
    {
        polls.Add(await PageWatch.UntilAsync(http, summary, stormClock, [storm.FirstChange], limit, ct));
        windows.AddRange(await WrkLoad.StopAllAsync(Report.StormBefore, loads));
    }
    finally
    {
        foreach (var load in loads)
            await load.DisposeAsync();
    }
    if (storm.FirstChange.At is not null)
    {
        loads = endpoints.Select(e => WrkLoad.Start(script, e.Uri, e.Endpoint, options.Connections, options.Threads)).ToList();
        try
        {
            polls.Add(await PageWatch.UntilAsync(http, summary, stormClock, [storm.AllDown, storm.AllOnIncidents], limit, ct));
            windows.AddRange(await WrkLoad.StopAllAsync(Report.StormChanging, loads));
        }
        finally
        {
            foreach (var load in loads)
                await load.DisposeAsync();
        }
    }
    var stormSeconds = stormClock.Elapsed.TotalSeconds;
    cores["storm"] = CpuMeter.Cores(before, cpu.Sample());
    await CaptureAsync("storm");
    var stormCounts = await Counts.ReadAsync(database.DataSource, ct);
    var stormBacklog = await Backlog.ReadAsync(vhost.Name, ct);
    Console.Error.WriteLine($"storm: page first changed at {storm.FirstChange.At:0.0} s, all down at {storm.AllDown.At:0.0} s, all on incidents at {storm.AllOnIncidents.At:0.0} s");

    // Recovery: every target answers 200 again, until the page shows every component operational and no open incident.
    Console.Error.WriteLine("recovery: all targets answer 200 from now ...");
    var recovery = new RecoveryTimeline(options.Components);
    loads = endpoints.Select(e => WrkLoad.Start(script, e.Uri, e.Endpoint, options.Connections, options.Threads)).ToList();
    before = cpu.Sample();
    var recoveryClock = Stopwatch.StartNew();
    target.IsUp = true;
    try
    {
        polls.Add(await PageWatch.UntilAsync(http, summary, recoveryClock, [recovery.AllOperational, recovery.NoIncidents], limit, ct));
        windows.AddRange(await WrkLoad.StopAllAsync(Report.Recovery, loads));
    }
    finally
    {
        foreach (var load in loads)
            await load.DisposeAsync();
    }
    var recoverySeconds = recoveryClock.Elapsed.TotalSeconds;
    cores[Report.Recovery] = CpuMeter.Cores(before, cpu.Sample());
    var finalCounts = await Counts.ReadAsync(database.DataSource, ct);
    var recoveryBacklog = await Backlog.ReadAsync(vhost.Name, ct);

    // The reference: nginx serving the bytes StatusApi served in the quiet window and at the end of the storm, while
    // the services run on (every target up, the probe checking: the quiet window's background).
    Console.Error.WriteLine("reference: nginx serving the same bytes ...");
    await using (var nginx = await NginxReference.StartAsync(bytes, workDirectory, ct))
    {
        foreach (var set in new[] { "quiet", "storm" })
        {
            var uris = endpoints.Select(e => (e.Endpoint, nginx.Address(set, e.Endpoint))).ToList();
            if (options.WarmupSeconds > 0)
                await WrkLoad.RunAsync("warm-up", script, uris, options.Connections, options.Threads, Math.Min(2, options.WarmupSeconds), ct);
            windows.AddRange(await WrkLoad.RunAsync(set == "quiet" ? Report.NginxQuiet : Report.NginxStorm, script, uris, options.Connections, options.Threads,
                options.ReferenceSeconds, ct));
        }
    }

    var memory = new Dictionary<string, long>
    {
        ["Incident.Service"] = incident.Memory().Peak,
        ["StatusApi"] = statusApi.Memory().Peak,
        ["Probe.Service"] = probe.Memory().Peak,
    };
    var results = new StormResults(DateTimeOffset.UtcNow, Machine.Describe(), loadAtStart, Machine.LoadAverage(), NginxReference.Version(), options,
        windows, bytes.ToDictionary(b => $"{b.Key.Set}:{b.Key.Endpoint}", b => b.Value.LongLength), storm, stormSeconds, stormCounts,
        recovery, recoverySeconds, finalCounts, polls, memory, stormBacklog, recoveryBacklog,
        [.. cpu.Names], cores);
    var pass = Report.Print(Console.Out, results);
    if (options.JsonPath is { } path)
        await Report.WriteJsonAsync(path, results, ct);
    return pass ? 0 : 1;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
finally
{
    Directory.Delete(workDirectory, recursive: true);
}

/// <summary>The page milestones of the storm, in seconds after every target started failing.</summary>
internal sealed class StormTimeline(int components)
{
    public Milestone FirstChange { get; } = new("first component not operational", p => p.Count("operational") < components);

    public Milestone AllDown { get; } = new("every component in a major outage", p => p.Count("major_outage") == components);

    public Milestone AllOnIncidents { get; } = new("every component on an unresolved incident", p => p.OnIncidents == components);

    public bool Complete => AllDown.At is not null && AllOnIncidents.At is not null;

    /// <summary>When the page showed all of it: the later of the two.</summary>
    public double? ShownAt => Complete ? Math.Max(AllDown.At!.Value, AllOnIncidents.At!.Value) : null;
}

/// <summary>The page milestones of the recovery, in seconds after every target answered again.</summary>
internal sealed class RecoveryTimeline(int components)
{
    public Milestone AllOperational { get; } = new("every component operational", p => p.Count("operational") == components);

    public Milestone NoIncidents { get; } = new("no unresolved incident", p => p.Incidents.Count == 0);

    public bool Complete => AllOperational.At is not null && NoIncidents.At is not null;

    public double? ShownAt => Complete ? Math.Max(AllOperational.At!.Value, NoIncidents.At!.Value) : null;
}

/// <summary>The bench's own page reads during the storm and the recovery: how long each took under the load, and how many failed.</summary>
internal sealed class PollStats
{
    public List<double> Milliseconds { get; } = [];

    public int Failed { get; private set; }

    public void Add((PageView? Last, int FailedPolls, List<double> PollMs) watch)
    {
        Failed += watch.FailedPolls;
        Milliseconds.AddRange(watch.PollMs);
    }
}

/// <summary>What Incident.Service recorded, read from its database: the transitions and the incidents.</summary>
internal sealed record Counts(long WentDown, long Recovered, long Incidents, long IncidentComponents, long Resolved, long IncidentUpdates)
{
    public static async Task<Counts> ReadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        async Task<long> Scalar(string sql)
        {
            await using var command = db.CreateCommand(sql);
            return (long)(await command.ExecuteScalarAsync(ct))!;
        }
        return new Counts(
            await Scalar("select count(*) from events.events where event_type = 'monitor_went_down'"),
            await Scalar("select count(*) from events.events where event_type = 'monitor_recovered'"),
            await Scalar("select count(*) from status.incidents"),
            await Scalar("select count(*) from status.incident_components"),
            await Scalar("select count(*) from status.incidents where status = 'resolved'"),
            await Scalar("select count(*) from status.incident_updates"));
    }
}

internal static class Machine
{
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static string Describe() => $"{Environment.ProcessorCount} cores";
}
