using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StatusPlatform.AppHost;

/// <summary>
/// One service running as a child process on a loopback port of its own, with the environment contract of
/// ARCHITECTURE.md section 8. Output lines are passed to <see cref="Output"/> with the service name.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly ServiceProject _project;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Process? _process;

    /// <param name="instance">A name for this instance when a service runs more than once (probe-eu-1); the service's name otherwise.</param>
    public ServiceProcess(ServiceProject project, IReadOnlyDictionary<string, string> environment, int? port = null, string? instance = null)
    {
        _project = project;
        _environment = environment;
        Name = instance ?? project.Name;
        Url = new Uri($"http://127.0.0.1:{port ?? FreePort()}/");
    }

    public string Name { get; }

    /// <summary>When the current process was started (the supervisor resets its restart backoff after a quiet spell).</summary>
    public DateTimeOffset StartedAt { get; private set; }

    public Uri Url { get; }

    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public bool HasExited => _process?.HasExited ?? true;

    public int Restarts { get; private set; }

    public Action<string, string> Output { get; set; } = (_, _) => { };

    public void Start()
    {
        var info = new ProcessStartInfo("dotnet", [_project.AssemblyPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_project.AssemblyPath)!,
        };
        foreach (var (key, value) in _environment)
            info.Environment[key] = value;
        info.Environment["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/');
        info.Environment["OTEL_SERVICE_NAME"] = _project.Name;
        if (Name != _project.Name)
        {
            // Instances of one service share its service.name; the instance id tells their telemetry apart.
            var attributes = _environment.GetValueOrDefault("OTEL_RESOURCE_ATTRIBUTES");
            info.Environment["OTEL_RESOURCE_ATTRIBUTES"] = string.IsNullOrEmpty(attributes) ? $"service.instance.id={Name}" : $"{attributes},service.instance.id={Name}";
        }
        info.Environment["MASSTRANSIT_USAGE_TELEMETRY"] = "false";
        info.Environment["DOTNET_ENVIRONMENT"] = info.Environment["ASPNETCORE_ENVIRONMENT"] = _environment.GetValueOrDefault("DOTNET_ENVIRONMENT", "Development");

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Output(Name, e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Output(Name, e.Data); };
        if (_process is not null)
            Restarts++;
        process.Start();
        StartedAt = DateTimeOffset.UtcNow;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Polls <c>/health</c> until it answers 200, the process dies, or the timeout passes.</summary>
    public async Task<string> WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        var last = "no answer";
        while (clock.Elapsed < timeout)
        {
            if (HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process?.ExitCode} before it was healthy.");
            try
            {
                using var response = await http.GetAsync(new Uri("health", UriKind.Relative), ct);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
                if (response.StatusCode == HttpStatusCode.OK)
                    return last;
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"{Name} was not healthy within {timeout.TotalSeconds:0} s; last answer: {last}");
    }

    /// <summary>Asks the service to stop (SIGTERM), and kills it if it has not stopped within the grace period.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process is not { HasExited: false } process)
            return;
        Signals.Terminate(process.Id);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Kills the process at once, as a crash would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
            process.Kill(entireProcessTree: true);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
