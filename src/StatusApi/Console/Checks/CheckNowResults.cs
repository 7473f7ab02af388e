using System.Collections.Concurrent;
using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Console.Checks;

/// <summary>
/// "Check now" from the console: publishes CheckNowRequested (every probe hears it; the owner of the monitor in each region
/// runs it) and keeps the regions' answers in memory for a few minutes. Every replica of StatusApi listens on a queue of
/// its own (<see cref="CheckNowListener"/>), so whichever replica the browser's next request reaches has the answers.
/// </summary>
public sealed class CheckNowResults(IBus bus, TimeProvider time)
{
    /// <summary>How long the console waits for the regions before it says which did not answer.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, Request> _requests = new();

    /// <summary>Asks every region; false when the broker did not take the request in time.</summary>
    public async Task<Guid?> RequestAsync(string monitorId, string actor, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var now = time.GetUtcNow();
        _requests[id] = new Request(monitorId, now);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PublishTimeout);
        try
        {
            // The probes drop a request older than a minute; the broker may as well.
            await bus.Publish(new CheckNowRequested(id, monitorId, actor, now), send => send.TimeToLive = TimeSpan.FromMinutes(1), timeout.Token);
            return id;
        }
        catch (Exception e) when (e is OperationCanceledException or MassTransitException && !ct.IsCancellationRequested)
        {
            _requests.TryRemove(id, out _);
            return null;
        }
    }

    /// <summary>A region's answer, from the listener.</summary>
    public void Add(CheckNowCompleted answer)
    {
        var request = _requests.GetOrAdd(answer.RequestId, _ => new Request(answer.MonitorId, time.GetUtcNow()));
        request.Answers[answer.Region] = answer;
        Sweep();
    }

    /// <summary>
    /// The answers so far (one per region) and when the request was made; a request this replica never saw counts from
    /// the first time it is looked at. Null for a request of another monitor.
    /// </summary>
    public (DateTimeOffset RequestedAt, IReadOnlyList<CheckNowCompleted> Answers)? Find(Guid id, string monitorId)
    {
        var request = _requests.GetOrAdd(id, _ => new Request(monitorId, time.GetUtcNow()));
        return request.MonitorId == monitorId ? (request.RequestedAt, [.. request.Answers.Values.OrderBy(a => a.Region, StringComparer.Ordinal)]) : null;
    }

    private void Sweep()
    {
        var before = time.GetUtcNow() - Keep;
        foreach (var (id, request) in _requests)
        {
            if (request.RequestedAt < before)
                _requests.TryRemove(id, out _);
        }
    }

    private sealed record Request(string MonitorId, DateTimeOffset RequestedAt)
    {
        public ConcurrentDictionary<string, CheckNowCompleted> Answers { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>
/// A temporary queue per StatusApi instance for the regions' answers, connected once the bus runs (the console adds no
/// consumer to StatusApi's bus configuration: it connects its own endpoint, which goes away with the instance).
/// </summary>
public sealed class CheckNowListener(IReceiveEndpointConnector connector, CheckNowResults results, ILogger<CheckNowListener> logger) : IHostedService
{
    private HostReceiveEndpointHandle? _handle;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: without a broker StatusApi must still start and serve the page; the endpoint connects when it can.
        _handle = connector.ConnectReceiveEndpoint(new TemporaryEndpointDefinition("console-check-now"), DefaultEndpointNameFormatter.Instance,
            (_, endpoint) => endpoint.Handler<CheckNowCompleted>(context =>
            {
                results.Add(context.Message);
                return Task.CompletedTask;
            }));
        logger.LogDebug("Listening for check-now answers");
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_handle is not null)
            await _handle.StopAsync(cancellationToken);
    }
}
