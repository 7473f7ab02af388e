using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Schema;

namespace StatusPlatform.Notify.Incidents;

/// <summary>
/// Turns incident events into email deliveries for the subscribers of the affected components. It only records
/// (one transaction, keyed by the message id, so a redelivery adds nothing); the delivery worker sends, after the
/// commit, so nothing is sent for a message that was not recorded.
/// </summary>
public sealed class IncidentConsumer(NotifyDatabase database, DeliveryLog deliveries, DeliverySignal signal)
    : IConsumer<IncidentOpened>, IConsumer<IncidentResolved>
{
    /// <summary>One queue for both kinds keeps an incident's opened and resolved messages in publish order.</summary>
    public const string Endpoint = "notify-incidents";

    public Task Consume(ConsumeContext<IncidentOpened> context) =>
        RecordAsync(context, context.Message.Components, IncidentEmail.Opened(context.Message));

    public Task Consume(ConsumeContext<IncidentResolved> context) =>
        RecordAsync(context, context.Message.Components, IncidentEmail.Resolved(context.Message));

    private async Task RecordAsync<T>(ConsumeContext<T> context, IReadOnlyList<AffectedComponent>? components, EmailContent email)
        where T : class
    {
        // The message id is the deduplication key; MassTransit always sets one, so a message without it is not ours.
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{typeof(T).Name} arrived without a MessageId and cannot be deduplicated.");
        var componentIds = (components ?? []).Select(c => c?.ComponentId).OfType<string>().Distinct().ToArray();

        await database.WhenReadyAsync(context.CancellationToken);
        var recorded = await deliveries.RecordAsync(messageId, typeof(T).Name, componentIds, email, context.CancellationToken);
        if (recorded > 0)
            signal.Nudge();
    }
}
