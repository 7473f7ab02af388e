using System.Globalization;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace StatusPlatform.Bench;

/// <summary>
/// A service (src/&lt;Project&gt;) as a process of its own, from the build in the bench's configuration, its output in a log
/// file. Compiled into each bench that starts a service (Notify.Bench, Ingestion.Bench), so the build configuration read
/// here is that bench's.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly string _project;

    private ServiceProcess(string project, Process process, StreamWriter log, Uri health) =>
        (_project, _process, _log, Health) = (project, process, log, health);

    public Uri Health { get; }

    public int Id => _process.Id;

    public static string Configuration { get; } =
        typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    private static string AssemblyPath(string project)
    {
        var path = Path.Combine(TestSupport.RepositoryPaths.Root, "src", project, "bin", Configuration, "net10.0", $"{project}.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built for {Configuration}: build the bench with -c {Configuration}", path);
    }

    /// <param name="project">The folder and assembly name under src/, e.g. Notify.Service.</param>
    public static ServiceProcess Start(string project, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var port = FreePort();
        var assembly = AssemblyPath(project);
        var info = new ProcessStartInfo("dotnet", [assembly])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["DOTNET_ENVIRONMENT"] = info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "false";
        // A log line per delivery or fold at benchmark rates would measure the console.
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
        return new ServiceProcess(project, process, log, new Uri($"http://127.0.0.1:{port}/health"));
    }

    public async Task WaitHealthyAsync(TimeSpan patience, CancellationToken ct)
    {
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < patience)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{_project} exited with {_process.ExitCode} during start-up; see its log.");
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
        throw new TimeoutException($"{_project} did not report healthy within {patience.TotalSeconds} s.");
    }

    /// <summary>Resident set size now (VmRSS) and the most it ever was (VmHWM), in bytes, from /proc/&lt;pid&gt;/status.</summary>
    public (long Rss, long Peak) Memory()
    {
        long rss = 0, peak = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rss = Kilobytes(line) * 1024;
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    peak = Kilobytes(line) * 1024;
            }
        }
        catch (IOException)
        {
        }
        return (rss, peak);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

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
