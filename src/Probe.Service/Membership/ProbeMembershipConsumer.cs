using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Membership;

/// <summary>
/// Hears the heartbeats and leave notices of every probe (each instance on a queue of its own) and keeps those of its
/// region. Idempotent: a redelivered heartbeat only moves the sender's expiry (and is answered once, on first hearing),
/// a repeated leave notice changes nothing.
/// </summary>
public sealed class ProbeMembershipConsumer(ProbeMembership membership) : IConsumer<ProbeHeartbeat>, IConsumer<ProbeLeaving>
{
    public async Task Consume(ConsumeContext<ProbeHeartbeat> context)
    {
        // A newcomer hears this probe at once instead of within a heartbeat, so its warm-up need not wait for that.
        if (membership.Heard(context.Message) is { } reply)
            await context.Publish(reply, send => send.TimeToLive = membership.MessageLifetime);
    }

    public Task Consume(ConsumeContext<ProbeLeaving> context)
    {
        membership.Left(context.Message);
        return Task.CompletedTask;
    }
}
