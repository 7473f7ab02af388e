using StatusPlatform.AppHost;

// The local suite: infrastructure first, then each service once the one it depends on is healthy.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
var external = args.Contains("--external"); // use the PostgreSQL/RabbitMQ named by ConnectionStrings__* as they are

var environment = await Infrastructure.UpAsync(external, stop.Token);
environment["StatusPlatform__ConfigFile"] = Environment.GetEnvironmentVariable("StatusPlatform__ConfigFile")
    ?? Path.Combine(ServiceProject.RepositoryRoot, "config", "statusplatform.yaml");
foreach (var name in new[] { "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_RESOURCE_ATTRIBUTES" })
{
    if (Environment.GetEnvironmentVariable(name) is { } value)
        environment[name] = value;
}

await using var demo = await DemoTarget.StartAsync(port: 18080);
await using var suite = new Supervisor(environment, Console.Out);
await suite.StartAsync(ServiceProject.Incident, 5101, stop.Token); // migrates the schemas and applies the config file
await suite.StartAsync(ServiceProject.Notify, 5102, stop.Token);
await suite.StartAsync(ServiceProject.StatusApi, 8080, stop.Token);
await suite.StartAsync(ServiceProject.Probe, 5104, stop.Token);   // last: asks Incident.Service for the catalog

suite.PrintResources([
    ("postgres", "running", "postgres://127.0.0.1:5432/statusplatform"),
    ("rabbitmq", "running", "http://127.0.0.1:15672/ (management)"),
    ("maildev", "running", "http://127.0.0.1:1080/ (inbox)"),
    ("demo", "up", $"{demo.Url} (POST /_demo/down, /_demo/up)"),
]);
Console.WriteLine($"Status page API: http://127.0.0.1:8080/api/v2/summary.json   Stop with Ctrl+C.");
try
{
    await suite.WatchAsync(stop.Token);
}
catch (OperationCanceledException)
{
    Console.WriteLine("[apphost] stopping");
}
