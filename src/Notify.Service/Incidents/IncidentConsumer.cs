using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Notices;
using StatusPlatform.Notify.Policy;
using StatusPlatform.Notify.Schema;

namespace StatusPlatform.Notify.Incidents;

/// <summary>
/// Turns incident, maintenance and component events into deliveries, as the notification policy decides. It only records
/// (keyed by the message id and each delivery's (event, subscriber, channel), so a redelivery adds nothing twice); the
/// delivery worker sends what was committed, so nothing is sent that was not recorded.
/// </summary>
public sealed class IncidentConsumer(NotifyDatabase database, DeliveryLog deliveries, IOptions<NotifyOptions> options)
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
        var gatherFor = DigestPolicy.Gathers(notice, _options.Digest) ? _options.Digest.Wait : (TimeSpan?)null;
        // Records in steps and nudges the delivery workers after each (see DeliveryLog.RecordAsync for why that is safe).
        await deliveries.RecordAsync(messageId, typeof(T).Name, notice, audience, _options.QuietWindow, context.CancellationToken,
            gatherFor, TraceParentOf(context));
    }

    /// <summary>The trace this message belongs to: the consume span MassTransit started under the publisher's trace, else the header itself.</summary>
    private static string? TraceParentOf(ConsumeContext context) =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : context.Headers.Get<string>("traceparent");
}
