using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Membership;
using StatusPlatform.Probe.Scheduling;

namespace StatusPlatform.Probe.Checks;

/// <summary>
/// "Check now": every probe hears the request (a queue of its own), and in each region only the member that owns the
/// monitor's slots runs it, so a region answers once however many probes it has. The check is a normal one (published as
/// CheckCompleted, so it is recorded and folded); the answer repeats it with the request's id for the person waiting.
/// </summary>
public sealed class CheckNowConsumer(MonitorScheduler scheduler, ProbeMembership membership, CheckRunner runner, ProbeOptions options, TimeProvider time,
    ILogger<CheckNowConsumer> logger) : IConsumer<CheckNowRequested>
{
    /// <summary>A request that waited longer than this in a queue (a probe that was away) is no longer awaited by anyone.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    public async Task Consume(ConsumeContext<CheckNowRequested> context)
    {
        var request = context.Message;
        var now = time.GetUtcNow();
        if (now - request.RequestedAt > MaxAge || !membership.Owns(ScheduleSpread.StableHash(request.MonitorId), now))
            return;
        if (scheduler.Find(request.MonitorId) is not { } monitor)
        {
            await context.Publish(new CheckNowCompleted(request.RequestId, request.MonitorId, options.Region, options.InstanceId, null,
                "this probe's monitor catalog does not have it (yet): a new monitor reaches the probes within seconds, a pushed one is never probed"));
            return;
        }
        logger.LogInformation("Checking monitor {MonitorId} now, as {RequestedBy} asked", request.MonitorId, request.RequestedBy);
        var result = await runner.RunAsync(monitor, context.CancellationToken);
        await context.Publish(new CheckNowCompleted(request.RequestId, request.MonitorId, options.Region, options.InstanceId, result));
    }
}
