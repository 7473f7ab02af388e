using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Monitors.Folding;

/// <summary>Folds each check result a probe (or StatusApi's heartbeat receiver) publishes.</summary>
public sealed class CheckCompletedConsumer(MonitorFold fold) : IConsumer<CheckCompleted>
{
    public Task Consume(ConsumeContext<CheckCompleted> context) => fold.FoldAsync(context.Message, context.CancellationToken);
}

/// <summary>
/// A fold that lost a race on a shared stream (the automation ledger, an incident many components join) or met the
/// database restarting is retried here, longer than the bus-wide retry: when a thousand monitors fail at once, hundreds
/// of folds compete for one incident, and a restart takes seconds; neither may send a result to the error queue, where
/// its transition would never happen (tests/Faults).
/// </summary>
public sealed class CheckCompletedConsumerDefinition : ConsumerDefinition<CheckCompletedConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<CheckCompletedConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        consumerConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<EventSourcing.ConcurrencyException>();
            retry.Handle<NpgsqlException>(e => e.IsTransient);
            retry.Exponential(30, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        });
}
