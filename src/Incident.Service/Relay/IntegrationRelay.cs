using MassTransit;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Incidents;

namespace StatusPlatform.Incident.Relay;

/// <summary>
/// Publishes the integration events of the global feed: the event store is the outbox. Each message carries the
/// stored event's id as its message id, so a batch repeated after a crash is deduplicated downstream. Internal
/// events are mapped here, at the boundary, and never published as they are.
/// </summary>
public sealed class IntegrationRelay(IBus bus) : IEventRelay
{
    public string Name => "relay.integration";

    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            if (Map(e.Data) is not { } message)
                continue;
            // Publish completes once the broker confirmed it (publisher confirms), so the checkpoint may follow.
            await bus.Publish(message, message.GetType(), context =>
            {
                context.MessageId = e.EventId;
                if (e.Metadata.CorrelationId is { } correlation && Guid.TryParse(correlation, out var correlationId))
                    context.CorrelationId = correlationId;
            }, ct);
        }
    }

    private static object? Map(object data) => data switch
    {
        ComponentStatusChanged c => new Contracts.ComponentStatusChanged(c.ComponentId, c.Name, c.OldStatus, c.NewStatus, c.ChangedAt),
        IncidentOpened o => new Contracts.IncidentOpened(o.IncidentId, o.Name, o.Status, o.Impact, o.Body, Affected(o.Components), o.Automatic, o.OpenedAt,
            o.DeliverNotifications && !o.Backfilled, o.UpdateId, o.OpenedBy),
        IncidentUpdated u => new Contracts.IncidentUpdated(u.IncidentId, u.UpdateId, u.Name, u.Status, u.Body, Affected(u.Components), u.UpdatedAt,
            u.Impact, u.UpdatedBy == AutomaticIncidents.Actor, u.DeliverNotifications, u.UpdatedBy),
        IncidentResolved r => new Contracts.IncidentResolved(r.IncidentId, r.Name, r.Body, Affected(r.Components), r.Automatic, r.ResolvedAt,
            r.DeliverNotifications, r.UpdateId, r.ResolvedBy),
        IncidentPostmortemPublished p => new Contracts.IncidentPostmortemPublished(p.IncidentId, p.Name, p.Body, p.PublishedBy, p.PublishedAt),
        CatalogChanged c => new Contracts.MonitorCatalogChanged(c.Version, c.ChangedAt),
        _ => null,
    };

    private static List<Contracts.AffectedComponent> Affected(IReadOnlyList<IncidentComponent> components) =>
        [.. components.Select(c => new Contracts.AffectedComponent(c.ComponentId, c.Name, c.NewStatus))];
}
