using StatusPlatform.AppHost;

// The local suite: infrastructure first, then each service once the one it depends on is healthy.
AppHostOptions options;
try
{
    options = AppHostOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });

try
{
    var environment = await Infrastructure.UpAsync(options.External, stop.Token);
    // The demo pages its subscribers as soon as a monitor confirms an outage (the default waits until it lasts).
    environment["Notify__Policy__AnnounceAutomaticOutages"] = Environment.GetEnvironmentVariable("Notify__Policy__AnnounceAutomaticOutages") ?? "true";
    environment["StatusPlatform__ConfigFile"] = Environment.GetEnvironmentVariable("StatusPlatform__ConfigFile")
        ?? Path.Combine(ServiceProject.RepositoryRoot, "config", "statusplatform.yaml");
    foreach (var name in new[] { "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_RESOURCE_ATTRIBUTES" })
    {
        if (Environment.GetEnvironmentVariable(name) is { } value)
            environment[name] = value;
    }

    await using var demo = await DemoTarget.StartAsync(port: 18080);
    // Disposed (every service stopped with SIGTERM, killed after 10 s) however this block is left: Ctrl+C while a
    // service is still starting included.
    await using var suite = new Supervisor(environment, Console.Out);
    await suite.StartAsync(ServiceProject.Incident, 5101, stop.Token); // migrates the schemas and applies the config file
    await suite.StartAsync(ServiceProject.Notify, 5102, stop.Token);
    await suite.StartAsync(ServiceProject.StatusApi, 8080, stop.Token);
    // Last: probes ask Incident.Service for the catalog. One port each from 5104 on; each instance has its own id,
    // and the probes of one region split the monitors between them.
    var port = 5104;
    foreach (var (instance, region) in options.ProbeInstances())
    {
        await suite.StartAsync(ServiceProject.Probe, port++, stop.Token, instance == "probe" ? null : instance,
            new Dictionary<string, string> { ["Probe__Region"] = region, ["Probe__InstanceId"] = instance });
    }

    suite.PrintResources([
        ("postgres", "running", options.External ? "(external: ConnectionStrings__statusdb)" : "postgres://127.0.0.1:5432/statusplatform"),
        ("rabbitmq", "running", options.External ? "(external: ConnectionStrings__messaging)" : "http://127.0.0.1:15672/ (management)"),
        ("maildev", "running", "http://127.0.0.1:1080/ (inbox)"),
        ("demo", "up", $"{demo.Url} (POST /_demo/down, /_demo/up)"),
    ]);
    if (options.Regions.Count > 1)
        Console.WriteLine($"Probes in {options.Regions.Count} regions ({string.Join(", ", options.Regions)}): a monitor is down when a majority of them see it down.");
    Console.WriteLine("Status page API: http://127.0.0.1:8080/api/v2/summary.json   Stop with Ctrl+C.");
    await suite.WatchAsync(stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    // Ctrl+C or SIGTERM: the await using blocks above have stopped every service by the time we get here.
}
Console.WriteLine("[apphost] stopped");
return 0;
