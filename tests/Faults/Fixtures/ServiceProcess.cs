using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace StatusPlatform.Faults.Fixtures;

/// <summary>
/// One of the suite's services as a child process (the build output of src/&lt;project&gt; in this assembly's configuration;
/// Faults.csproj references each so that it is built), so a test can kill it with SIGKILL, as a crash or an OOM kill
/// would, and start it again on the same port.
/// </summary>
public sealed class ServiceProcess(string project, IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    private Process? _process;

    public static ServiceProcess Incident(IReadOnlyDictionary<string, string> environment) => new("Incident.Service", environment);

    public static ServiceProcess Notify(IReadOnlyDictionary<string, string> environment) => new("Notify.Service", environment);

    public static ServiceProcess StatusApi(IReadOnlyDictionary<string, string> environment) => new("StatusApi", environment);

    public static ServiceProcess Probe(IReadOnlyDictionary<string, string> environment) => new("Probe.Service", environment);

    public int Port { get; } = FreePort();

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public ConcurrentQueue<string> Output { get; } = new();

    /// <summary>True once the current process has ended (a crash, an unhandled exception, a kill); false before it starts.</summary>
    public bool HasExited => _process is { HasExited: true };

    /// <summary>When the operating system started the current process (what Probe.Service counts its first round from).</summary>
    public DateTimeOffset StartedAt { get; private set; }

    public string AssemblyPath
    {
        get
        {
            var configuration = typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var path = Path.Combine(TestSupport.RepositoryPaths.Root, "src", project, "bin", configuration, "net10.0", project + ".dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built in this configuration.", path);
        }
    }

    /// <summary>Starts the process and waits until /health answers 200 (everything it needs is connected).</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet", [AssemblyPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(AssemblyPath)!,
        };
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        info.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/');
        info.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "false";
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Output.Enqueue(e.Data); };
        process.Start();
        StartedAt = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await CheckStream.Until(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{project} exited with {process.ExitCode}: {string.Join('\n', Output.TakeLast(30))}");
            using var response = await http.GetAsync(new Uri("health", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK;
        }, timeout, $"{project} to be healthy");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, open transactions and SMTP sessions cut.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process)
            return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
