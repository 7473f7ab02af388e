namespace StatusPlatform.AppHost;

/// <summary>
/// Starts services in the order they are added, each once the previous one is healthy, restarts any that
/// exits on its own (with backoff), and stops them all in reverse order.
/// </summary>
public sealed class Supervisor(IReadOnlyDictionary<string, string> environment, TextWriter log) : IAsyncDisposable
{
    private static readonly ConsoleColor[] Colors = [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Magenta, ConsoleColor.Yellow, ConsoleColor.Blue];
    private readonly List<ServiceProcess> _services = [];
    private readonly Lock _output = new();
    private IReadOnlyList<(string Name, string State, string Url)> _infrastructure = [];

    public IReadOnlyList<ServiceProcess> Services => _services;

    /// <summary>
    /// Starts <paramref name="project"/> with the shared environment, <paramref name="settings"/> of its own, and the
    /// URLs of the services started before it; <paramref name="instance"/> names one of several instances.
    /// </summary>
    public async Task<ServiceProcess> StartAsync(ServiceProject project, int? port, CancellationToken ct, string? instance = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var env = new Dictionary<string, string>(environment);
        // Aspire's service-discovery contract: services__<name>__http__0 for every peer.
        foreach (var peer in _services)
            env[$"services__{peer.Name}__http__0"] = peer.Url.ToString().TrimEnd('/');
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            env[key] = value;
        var color = Colors[_services.Count % Colors.Length];
        var service = new ServiceProcess(project, env, port, instance) { Output = (name, line) => Write(name, color, line) };
        _services.Add(service);
        service.Start();
        await service.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90), ct);
        return service;
    }

    /// <summary>
    /// Watches the services until cancelled; one that exits is started again after a delay that doubles while it keeps
    /// crashing (up to 30 s) and starts over at 1 s once it has stayed up for a minute. The table is printed again
    /// after each restart, so the new pid and restart count are on screen.
    /// </summary>
    public async Task WatchAsync(CancellationToken ct)
    {
        var backoff = _services.ToDictionary(s => s.Name, _ => TimeSpan.FromSeconds(1));
        while (!ct.IsCancellationRequested)
        {
            foreach (var service in _services.Where(s => s.HasExited))
            {
                if (DateTimeOffset.UtcNow - service.StartedAt > TimeSpan.FromMinutes(1))
                    backoff[service.Name] = TimeSpan.FromSeconds(1);
                log.WriteLine($"[apphost] {service.Name} exited; restarting in {backoff[service.Name].TotalSeconds:0} s");
                await Task.Delay(backoff[service.Name], ct);
                backoff[service.Name] = TimeSpan.FromSeconds(Math.Min(30, backoff[service.Name].TotalSeconds * 2));
                service.Start();
                PrintResources(_infrastructure);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    public void PrintResources(IEnumerable<(string Name, string State, string Url)> infrastructure)
    {
        _infrastructure = [.. infrastructure];
        var rows = _infrastructure.Select(i => (i.Name, i.State, i.Url, Pid: "", Restarts: ""))
            .Concat(_services.Select(s => (s.Name, State: s.HasExited ? "exited" : "running", Url: s.Url.ToString(),
                Pid: s.ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", Restarts: s.Restarts.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        lock (_output)
        {
            log.WriteLine();
            log.WriteLine($"{"RESOURCE",-14} {"STATE",-9} {"URL",-58} {"PID",-8} RESTARTS");
            foreach (var r in rows)
                log.WriteLine($"{r.Name,-14} {r.State,-9} {r.Url,-58} {r.Pid,-8} {r.Restarts}");
            log.WriteLine();
        }
    }

    private void Write(string name, ConsoleColor color, string line)
    {
        lock (_output)
        {
            Console.ForegroundColor = color;
            log.Write($"[{name,-11}] ");
            Console.ResetColor();
            log.WriteLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _services.Count - 1; i >= 0; i--)
            await _services[i].DisposeAsync();
    }
}
