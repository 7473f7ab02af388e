using StatusPlatform.Probe.Bench;

var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    (error is null ? Console.Out : Console.Error).WriteLine(error is null ? BenchOptions.Usage : $"{error}\n\n{BenchOptions.Usage}");
    return error is null ? 0 : 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // let the run unwind, so nginx, the probe and the virtual host go away
    cancel.Cancel();
};
var ct = cancel.Token;
var startedAt = DateTimeOffset.UtcNow;
var logFolder = Directory.CreateTempSubdirectory("sp-bench-probe-").FullName;
Console.Error.WriteLine($"probe logs in {logFolder}");

if (options.UnderLoadMonitors is not null && !Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(dir => File.Exists(Path.Combine(dir, "wrk"))))
{
    Console.Error.WriteLine("wrk is not installed (Debian: apt-get install wrk); it is needed for the run under load (--under-load 0 skips it).");
    return 2;
}

await using var nginx = await NginxTarget.StartAsync();
await using var broker = await BenchBroker.StartAsync(ct);
Console.Error.WriteLine($"nginx on 127.0.0.1:{nginx.Port}, virtual host {broker.VirtualHost}, probe {ProbeProcess.AssemblyPath}");
var run = new ScaleRun(options, broker, nginx, logFolder);
var runs = new List<RunResult>();
RestartResult? restart = null;
try
{
    foreach (var monitors in options.Monitors)
    {
        Console.Error.WriteLine($"raw HttpClient loop for {options.ReferenceSeconds} s ...");
        var reference = await RawHttpReference.RunAsync(nginx, options.ReferenceConcurrency, TimeSpan.FromSeconds(options.ReferenceSeconds), ct);
        Console.Error.WriteLine($"probe with {monitors} monitors at {options.IntervalSeconds} s ...");
        // StatusApi runs (idle) through the whole count, so the windows with and without load differ only by wrk.
        await using var load = monitors == options.UnderLoadMonitors ? await StatusApiLoad.StartAsync(logFolder, ct) : null;
        if (load is not null)
            Console.Error.WriteLine($"StatusApi on {load.SummaryUri}, database {load.Database}");
        var (result, probe) = await run.RunAsync(monitors, reference, load, ct);
        runs.Add(result);
        if (options.Restart && monitors == options.Monitors.Max() && restart is null)
        {
            Console.Error.WriteLine("restarting the probe ...");
            restart = await run.RestartAsync(probe, monitors, ct);
        }
        else
        {
            await probe.DisposeAsync();
        }
    }
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}

var machine = $"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end";
var results = new BenchResults(startedAt, machine, options, runs, restart);
Report.Print(Console.Out, results);
if (options.JsonPath is { } path)
    await Report.WriteJsonAsync(path, results, ct);
return 0;
