using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace StatusPlatform.Notify.Bench;

/// <summary>Notify.Service as a process of its own, from the build in the bench's configuration, its output in a log file.</summary>
internal sealed class NotifyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private NotifyProcess(Process process, StreamWriter log, Uri health) => (_process, _log, Health) = (process, log, health);

    public Uri Health { get; }

    public static string Configuration { get; } =
        typeof(NotifyProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    public static string AssemblyPath
    {
        get
        {
            var path = Path.Combine(TestSupport.RepositoryPaths.Root, "src", "Notify.Service", "bin", Configuration, "net10.0", "Notify.Service.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Notify.Service is not built for {Configuration}: dotnet build -c {Configuration} bench/Notify.Bench", path);
        }
    }

    public static NotifyProcess Start(IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [AssemblyPath])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(AssemblyPath)!,
        };
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["DOTNET_ENVIRONMENT"] = info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "false";
        // A line per delivery at 100k deliveries would measure the console.
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new NotifyProcess(process, log, new Uri($"http://127.0.0.1:{port}/health"));
    }

    public async Task WaitHealthyAsync(TimeSpan patience, CancellationToken ct)
    {
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < patience)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Notify.Service exited with {_process.ExitCode} during start-up; see its log.");
            try
            {
                if ((await http.GetAsync(Health, ct)).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"Notify.Service did not report healthy within {patience.TotalSeconds} s.");
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
            return;
        lock (log)
            log.WriteLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        await _log.DisposeAsync();
    }
}
