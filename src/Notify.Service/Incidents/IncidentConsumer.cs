using MassTransit;
using Microsoft.Extensions.Options;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Notices;
using StatusPlatform.Notify.Policy;
using StatusPlatform.Notify.Schema;

namespace StatusPlatform.Notify.Incidents;

/// <summary>
/// Turns incident, maintenance and component events into deliveries, as the notification policy decides. It only records (one
/// transaction, keyed by the message id, so a redelivery adds nothing); the delivery worker sends, after the commit,
/// so nothing is sent for a message that was not recorded.
/// </summary>
public sealed class IncidentConsumer(NotifyDatabase database, DeliveryLog deliveries, DeliverySignal signal, IOptions<NotifyOptions> options)
    : IConsumer<IncidentOpened>, IConsumer<IncidentUpdated>, IConsumer<IncidentResolved>, IConsumer<IncidentPostmortemPublished>,
      IConsumer<ComponentStatusChanged>, IConsumer<MaintenanceChanged>, IConsumer<MaintenanceReminder>
{
    /// <summary>One queue for every kind keeps an incident's messages roughly in publish order.</summary>
    public const string Endpoint = "notify-incidents";

    private readonly NotifyOptions _options = options.Value;

    public Task Consume(ConsumeContext<IncidentOpened> context) => RecordAsync(context, Notice.From(context.Message));

    public Task Consume(ConsumeContext<IncidentUpdated> context) => RecordAsync(context, Notice.From(context.Message));

    public Task Consume(ConsumeContext<IncidentResolved> context) => RecordAsync(context, Notice.From(context.Message));

    public Task Consume(ConsumeContext<IncidentPostmortemPublished> context) => RecordAsync(context, Notice.From(context.Message));

    public Task Consume(ConsumeContext<ComponentStatusChanged> context) => RecordAsync(context, Notice.From(context.Message));

    public Task Consume(ConsumeContext<MaintenanceChanged> context) => RecordAsync(context, Notice.From(context.Message));

    public Task Consume(ConsumeContext<MaintenanceReminder> context) => RecordAsync(context, Notice.From(context.Message));

    private async Task RecordAsync<T>(ConsumeContext<T> context, Notice notice)
        where T : class
    {
        // The message id is the deduplication key; MassTransit always sets one, so a message without it is not ours.
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{typeof(T).Name} arrived without a MessageId and cannot be deduplicated.");
        var audience = NotificationPolicy.Decide(notice, _options.Policy.Effective);

        await database.WhenReadyAsync(context.CancellationToken);
        var recorded = await deliveries.RecordAsync(messageId, typeof(T).Name, notice, audience, _options.QuietWindow, context.CancellationToken);
        if (recorded > 0)
            signal.Nudge();
    }
}
