using System.Reflection;
using StatusPlatform.StatusApi.Bench;

var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    (error is null ? Console.Out : Console.Error).WriteLine(error is null ? BenchOptions.Usage : $"{error}\n\n{BenchOptions.Usage}");
    return error is null ? 0 : 2;
}
foreach (var tool in new[] { "wrk", "nginx" })
{
    if (!Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(dir => File.Exists(Path.Combine(dir, tool))))
    {
        Console.Error.WriteLine($"{tool} is not installed (Debian: apt-get install wrk nginx-light).");
        return 2;
    }
}
var configuration = typeof(BenchOptions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
if (configuration != "Release")
    Console.Error.WriteLine("warning: not a Release build; run with -c Release for figures worth comparing");
// Built with the bench (a project reference that is not loaded), in the same configuration.
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "StatusPlatform.sln")))
    root = root.Parent;
var statusApiDll = Path.Combine(root?.FullName ?? ".", "src/StatusApi/bin", configuration, "net10.0/StatusApi.dll");
if (!File.Exists(statusApiDll))
{
    Console.Error.WriteLine($"{statusApiDll} is missing; build with dotnet run --project bench/StatusApi.Bench.");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // unwind, so the servers stop and the database and virtual host are dropped
    cancel.Cancel();
};
var ct = cancel.Token;
var loadBefore = Report.LoadAverage();
var workDirectory = Directory.CreateTempSubdirectory("statusapi-bench-").FullName;
try
{
    var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__statusdb")
        ?? "Host=127.0.0.1;Port=5432;Database=statusplatform;Username=statusplatform;Password=statusplatform";
    var messaging = new Uri(Environment.GetEnvironmentVariable("ConnectionStrings__messaging")
        ?? "amqp://statusplatform:statusplatform@127.0.0.1:5672/statusplatform");
    var management = new Uri(Environment.GetEnvironmentVariable("SP_RABBIT_MANAGEMENT_URL") ?? "http://127.0.0.1:15672/");

    await using var page = await BenchPage.CreateAsync(postgres, messaging, management, ct);
    Console.Error.WriteLine($"database {page.Database}, virtual host {page.VirtualHost}, work directory {workDirectory}");
    await using var statusApi = await StatusApiServer.StartAsync(statusApiDll, page, workDirectory, ct);
    using var http = new HttpClient();
    var summary = await http.GetByteArrayAsync(statusApi.SummaryUri, ct);
    await using var nginx = await NginxServer.StartAsync(summary, workDirectory, ct);
    var fromNginx = await http.GetByteArrayAsync(nginx.SummaryUri, ct);
    if (!summary.AsSpan().SequenceEqual(fromNginx))
        throw new InvalidOperationException("nginx does not serve the bytes StatusApi serves.");
    Console.Error.WriteLine($"StatusApi {statusApi.SummaryUri}, nginx {nginx.SummaryUri}, {summary.Length} bytes");

    Task<WrkResult> RunWrk(ServerProcess server, int connections, int seconds) =>
        Wrk.RunAsync(server.Name, server.SummaryUri, connections, options.Threads, seconds, ct);
    if (options.WarmupSeconds > 0)
    {
        Console.Error.WriteLine("warming up ...");
        await RunWrk(nginx, options.ConnectionCounts[0], options.WarmupSeconds);
        await RunWrk(statusApi, options.ConnectionCounts[0], options.WarmupSeconds);
    }
    var pairs = new List<(WrkResult, WrkResult)>();
    foreach (var connections in options.ConnectionCounts)
    {
        Console.Error.WriteLine($"{connections} connections: nginx, then StatusApi ...");
        pairs.Add((await RunWrk(nginx, connections, options.Seconds), await RunWrk(statusApi, connections, options.Seconds)));
    }

    // Nothing above changed the page, so the static file and StatusApi's body were the same bytes throughout.
    using var statusApiProbe = new SequentialProbe(statusApi.SummaryUri);
    using var nginxProbe = new SequentialProbe(nginx.SummaryUri);
    Console.Error.WriteLine("single requests ...");
    var nginxSingle = await nginxProbe.SteadyAsync(options.Samples, ct);
    var statusApiSingle = await statusApiProbe.SteadyAsync(options.Samples, ct);
    Console.Error.WriteLine($"single requests after {options.Changes} pauses each ...");
    var nginxAfterPause = await nginxProbe.AfterPausesAsync(options.Changes, ct);
    var statusApiAfterPause = await statusApiProbe.AfterPausesAsync(options.Changes, ct);
    Console.Error.WriteLine($"requests around 2 x {options.Changes} changes ...");
    var aroundChanges = await statusApiProbe.AroundChangesAsync(page, options.Changes, ct);

    (WrkResult, WrkResult, int)? underChange = null;
    if (options.ChangeRate > 0)
    {
        var connections = options.ConnectionCounts[0];
        Console.Error.WriteLine($"{connections} connections against StatusApi while the page changes {options.ChangeRate} times a second ...");
        using var stopChanging = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var changing = ChangeContinuouslyAsync(page, options.ChangeRate, stopChanging.Token);
        var result = await RunWrk(statusApi, connections, options.Seconds);
        await stopChanging.CancelAsync();
        underChange = (pairs.First(p => p.Item1.Connections == connections).Item1, result, await changing);
    }

    var results = new BenchResults(options, loadBefore, summary.Length, nginx.Version, pairs, underChange, nginxSingle, statusApiSingle, nginxAfterPause, statusApiAfterPause, aroundChanges);
    return Report.Print(Console.Out, results) ? 0 : 1;
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

// A change every 1/rate seconds on a fixed schedule, until cancelled; returns how many were made.
static async Task<int> ChangeContinuouslyAsync(BenchPage page, int rate, CancellationToken ct)
{
    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / rate));
    var changes = 0;
    try
    {
        while (await timer.WaitForNextTickAsync(ct))
        {
            await page.ChangeAsync(ct);
            changes++;
        }
    }
    catch (OperationCanceledException) when (ct.IsCancellationRequested)
    {
    }
    return changes;
}
