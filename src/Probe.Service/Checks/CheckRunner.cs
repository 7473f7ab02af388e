using System.Collections.Concurrent;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Membership;

namespace StatusPlatform.Probe.Checks;

/// <summary>Runs one check of a monitor, publishes its result once, counts it, and logs when the monitor changes state; returns the result sent.</summary>
public sealed class CheckRunner(HttpCheck httpCheck, IBus bus, IConnectivityGuard connectivity, ProbeOptions options, ProbeMetrics metrics, TimeProvider time,
    ILogger<CheckRunner> logger)
{
    private readonly ConcurrentDictionary<string, CheckOutcome> _lastOutcome = new();
    private readonly MonitorChecks _checks = new(httpCheck, time);

    public async Task<CheckCompleted> RunAsync(MonitorDefinition monitor, CancellationToken cancellationToken)
    {
        var result = await _checks.RunAsync(monitor, cancellationToken);
        metrics.CheckCompleted(result);
        LogStateChange(monitor.MonitorId, result);

        // Version 7 ids sort by time, which suits the time-partitioned checks tables downstream.
        var message = new CheckCompleted(
            Guid.CreateVersion7(result.StartedAt), monitor.MonitorId, options.Region, options.InstanceId, result.StartedAt,
            result.Timings.TotalMs, result.Outcome, result.StatusCode, result.FailureReason, result.Timings,
            connectivity.ConnectivityLost); // while the canary fails, Incident.Service keeps the result but does not believe it
        // A result that cannot go out within one interval is stale: the next check says more than a late one.
        using var publishTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(monitor.IntervalSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, publishTimeout.Token);
        try
        {
            // The message id is the check id, so Incident.Service drops a redelivered copy of the same result.
            await bus.Publish(message, context => context.MessageId = message.CheckId, linked.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not publish the result of check {CheckId} of monitor {MonitorId}; dropping it", message.CheckId, monitor.MonitorId);
        }
        return message;
    }

    /// <summary>The monitor left the catalog: if it comes back, its first result is news again.</summary>
    public void Forget(string monitorId) => _lastOutcome.TryRemove(monitorId, out _);

    private void LogStateChange(string monitorId, CheckResult result)
    {
        var previous = _lastOutcome.TryGetValue(monitorId, out var last) ? last : (CheckOutcome?)null;
        _lastOutcome[monitorId] = result.Outcome;
        if (previous == result.Outcome)
            return;
        if (result.Outcome == CheckOutcome.Up)
            logger.LogInformation("Monitor {MonitorId} is {Outcome} (was {Previous})", monitorId, result.Outcome, previous?.ToString() ?? "unknown");
        else
            logger.LogInformation("Monitor {MonitorId} is {Outcome} (was {Previous}): {FailureReason}", monitorId, result.Outcome, previous?.ToString() ?? "unknown", result.FailureReason);
    }
}
