using System.Collections.Concurrent;
using System.Diagnostics;

namespace StatusPlatform.Probe.Tests.Fixtures;

/// <summary>
/// Probe.Service as a process of its own (the build copied next to the tests), for what an in-process host cannot
/// do: die without shutting down. Settings go in as environment variables, as a deployment sets them.
/// </summary>
public sealed class ProbeProcess : IDisposable
{
    private readonly Process _process;

    private ProbeProcess(Process process) => _process = process;

    public ConcurrentQueue<string> Output { get; } = new();

    public static ProbeProcess Start(Uri amqpUri, string instanceId, params (string Key, string Value)[] settings)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "Probe.Service.dll");
        var info = new ProcessStartInfo("dotnet", [assembly])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.Environment["ConnectionStrings__messaging"] = amqpUri.ToString();
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "false";
        info.Environment["Probe__InstanceId"] = instanceId;
        foreach (var (key, value) in settings)
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var probe = new ProbeProcess(new Process { StartInfo = info });
        probe._process.OutputDataReceived += (_, e) => { if (e.Data is not null) probe.Output.Enqueue(e.Data); };
        probe._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) probe.Output.Enqueue(e.Data); };
        probe._process.Start();
        probe._process.BeginOutputReadLine();
        probe._process.BeginErrorReadLine();
        return probe;
    }

    /// <summary>SIGKILL: no leave notice, no last heartbeat; the others only notice that the heartbeats stop.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
