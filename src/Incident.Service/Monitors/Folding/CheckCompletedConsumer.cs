using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Monitors.Folding;

/// <summary>Folds each check result a probe (or StatusApi's heartbeat receiver) publishes.</summary>
public sealed class CheckCompletedConsumer(MonitorFold fold) : IConsumer<CheckCompleted>
{
    public Task Consume(ConsumeContext<CheckCompleted> context) => fold.FoldAsync(context.Message, context.CancellationToken);
}
