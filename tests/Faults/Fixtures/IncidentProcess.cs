using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace StatusPlatform.Faults.Fixtures;

/// <summary>
/// Incident.Service as a child process (the build output of src/Incident.Service in this assembly's configuration),
/// so a test can kill it with SIGKILL, as a crash or an OOM kill would, and start it again.
/// </summary>
public sealed class IncidentProcess(IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    private readonly int _port = FreePort();
    private Process? _process;

    public ConcurrentQueue<string> Output { get; } = new();

    public static string AssemblyPath
    {
        get
        {
            var configuration = typeof(IncidentProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var path = Path.Combine(TestSupport.RepositoryPaths.Root, "src", "Incident.Service", "bin", configuration, "net10.0", "Incident.Service.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Incident.Service is not built in this configuration.", path);
        }
    }

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
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{_port}";
        info.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "false";
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}/"), Timeout = TimeSpan.FromSeconds(5) };
        await CheckStream.Until(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"Incident.Service exited with {process.ExitCode}: {string.Join('\n', Output.TakeLast(30))}");
            using var response = await http.GetAsync(new Uri("health", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK;
        }, timeout, "Incident.Service to be healthy");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, open transactions cut.</summary>
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
