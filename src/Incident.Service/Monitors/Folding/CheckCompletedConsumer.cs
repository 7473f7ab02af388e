using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Monitors.Folding;

/// <summary>Folds each check result a probe (or StatusApi's heartbeat receiver) publishes, in batches when many arrive (FoldBatcher).</summary>
public sealed class CheckCompletedConsumer(FoldBatcher batcher, FoldLag lag) : IConsumer<CheckCompleted>
{
    public async Task Consume(ConsumeContext<CheckCompleted> context)
    {
        await batcher.FoldAsync(context.Message, context.CancellationToken);
        lag.Folded(context.Message);
    }
}

/// <summary>
/// A fold that lost a race on a shared stream (the automation ledger, an incident many components join) or met the
/// database restarting is retried here, longer than the bus-wide retry: when a thousand monitors fail at once, hundreds
/// of folds compete for one incident, and a restart takes seconds; neither may send a result to the error queue, where
/// its transition would never happen (tests/Faults).
/// </summary>
public sealed class CheckCompletedConsumerDefinition : ConsumerDefinition<CheckCompletedConsumer>
{
    // Results wait in FoldBatcher for their batch: many must be in flight at once for batches to form (issue 11: the
    // default of a few concurrent messages folded ~700 results/s, one transaction each).
    private const int InFlight = 512;

    public CheckCompletedConsumerDefinition() => ConcurrentMessageLimit = InFlight;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<CheckCompletedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = InFlight;
        consumerConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<EventSourcing.ConcurrencyException>();
            retry.Handle<NpgsqlException>(e => e.IsTransient);
            retry.Exponential(30, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        });
    }
}
