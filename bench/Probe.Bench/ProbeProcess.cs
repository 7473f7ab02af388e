using System.Diagnostics;
using System.Globalization;

namespace StatusPlatform.Probe.Bench;

/// <summary>CPU time used so far and the resident-set figures of a process, from /proc.</summary>
internal readonly record struct ProcessSample(DateTimeOffset At, TimeSpan CpuTime, long RssBytes, long PeakRssBytes, int Threads);

/// <summary>
/// Probe.Service as a process of its own, from the build in the bench's configuration (Release for a real run), with
/// the environment a deployment gives it; its output goes to a file, and /proc says what it costs.
/// </summary>
internal sealed class ProbeProcess : IAsyncDisposable
{
    /// <summary>Clock ticks per second, the unit of the CPU times in /proc.</summary>
    public static readonly double ClockTicks = ReadClockTicks();
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly string _logPath;

    private ProbeProcess(Process process, StreamWriter log, DateTimeOffset startedAt, string logPath)
    {
        (_process, _log, StartedAt, _logPath) = (process, log, startedAt, logPath);
    }

    public DateTimeOffset StartedAt { get; }

    public int Id => _process.Id;

    public static string AssemblyPath => BuildOutput.Assembly("Probe.Service");

    public static ProbeProcess Start(Uri amqpUri, string instanceId, TimeSpan interval, string logPath)
    {
        var info = new ProcessStartInfo("dotnet", [AssemblyPath])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(AssemblyPath)!,
        };
        info.Environment["ConnectionStrings__messaging"] = amqpUri.ToString();
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["DOTNET_ENVIRONMENT"] = info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "false";
        info.Environment["Probe__Region"] = "bench";
        info.Environment["Probe__InstanceId"] = instanceId;
        // One line per entry with a UTC timestamp, so the bench can tell when the probe began to run its catalog.
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        info.Environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";
        info.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        if (interval < TimeSpan.FromSeconds(10))
            info.Environment["Probe__MinimumInterval"] = interval.ToString("c", CultureInfo.InvariantCulture);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        var startedAt = DateTimeOffset.UtcNow;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ProbeProcess(process, log, startedAt, logPath);
    }

    /// <summary>When the probe logged that it runs a catalog (its loops had just started); null before it has.</summary>
    public DateTimeOffset? CatalogRunningAt()
    {
        lock (_log)
            _log.Flush();
        using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Contains("Running monitor catalog", StringComparison.Ordinal)
                && DateTimeOffset.TryParse(line.Split(' ')[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                && at >= StartedAt.AddSeconds(-1))
                return at;
        }
        return null;
    }

    public bool HasExited => _process.HasExited;

    public ProcessSample Sample()
    {
        var at = DateTimeOffset.UtcNow;
        // Fields 14 and 15 of /proc/<pid>/stat (utime, stime) in clock ticks; the command name before them may hold spaces.
        var stat = File.ReadAllText($"/proc/{Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        var status = File.ReadAllLines($"/proc/{Id}/status");
        long Field(string key) => long.Parse(status.Single(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return new ProcessSample(at, TimeSpan.FromSeconds(ticks / ClockTicks), Field("VmRSS:") * 1024, Field("VmHWM:") * 1024, (int)Field("Threads:"));
    }

    /// <summary>SIGTERM, as a deployment stops it: the host shuts down and the probe announces its leave.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
            await term!.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        await _log.DisposeAsync();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
            return;
        lock (log)
            log.WriteLine(line);
    }

    private static double ReadClockTicks()
    {
        using var getconf = Process.Start(new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        return double.TryParse(text, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
    }
}
