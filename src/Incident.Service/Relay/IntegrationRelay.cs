using System.Diagnostics;
using System.Diagnostics.Metrics;
using MassTransit;
using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Subscriptions;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Incidents;
using StatusPlatform.Incident.Maintenances;

namespace StatusPlatform.Incident.Relay;

/// <summary>
/// Publishes the integration events of the global feed: the event store is the outbox. Each message carries the
/// stored event's id as its message id, so a batch repeated after a crash is deduplicated downstream. Internal
/// events are mapped here, at the boundary, and never published as they are.
/// The relay runs on a background loop, so no trace is ambient: each publish runs under an activity whose parent is
/// the trace context stored with the event, and the outage stays one trace from the failed check to the email.
/// </summary>
public sealed class IntegrationRelay(IBus bus, IMeterFactory meters, TimeProvider time) : IEventRelay
{
    public const string ActivitySourceName = "StatusPlatform.Incident.Relay";
    public const string MeterName = "StatusPlatform.Incident.Relay";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    // From the event's commit to the broker's confirm: what a subscriber waits beyond the fold itself.
    private readonly Histogram<double> _lag = meters.Create(MeterName).CreateHistogram<double>("statusplatform.relay.lag", "s",
        "Time from an event being recorded to its integration message being confirmed by the broker, per subscription",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    public string Name => "relay.integration";

    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, RelayProgress progress, CancellationToken ct)
    {
        foreach (var e in events)
        {
            if (Map(e.Data) is not { } message)
            {
                progress.Confirmed(e); // nothing to publish
                continue;
            }
            using (var activity = StartActivity(e))
            {
                // Publish completes once the broker confirmed it (publisher confirms), so the checkpoint may follow.
                await bus.Publish(message, message.GetType(), context =>
                {
                    context.MessageId = e.EventId;
                    if (e.Metadata.CorrelationId is { } correlation && Guid.TryParse(correlation, out var correlationId))
                        context.CorrelationId = correlationId;
                }, ct);
            }
            progress.Confirmed(e);
            _lag.Record(Math.Max(0, (time.GetUtcNow() - e.RecordedAt).TotalSeconds), new KeyValuePair<string, object?>("subscription", Name));
        }
    }

    /// <summary>
    /// An activity continuing the trace stored with the event (a malformed or missing traceparent starts a new trace,
    /// rather than failing the publish). It ends once the broker confirmed, so its duration includes the confirm.
    /// </summary>
    internal static Activity? StartActivity(StoredEvent e)
    {
        ActivityContext.TryParse(e.Metadata.TraceParent, null, isRemote: true, out var parent);
        var activity = Source.StartActivity($"relay {e.EventType}", ActivityKind.Internal, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("statusplatform.event.id", e.EventId.ToString());
            activity.SetTag("statusplatform.event.type", e.EventType);
            activity.SetTag("statusplatform.event.stream", e.StreamId);
            activity.SetTag("statusplatform.event.position", e.GlobalPosition);
        }
        return activity;
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
        MaintenanceScheduled s => Maintenance(s.MaintenanceId, s.UpdateId, s.Name, Contracts.MaintenanceStatus.Scheduled, s.Body, s.ScheduledFor, s.ScheduledUntil,
            s.Components, s.DeliverNotifications, s.ScheduledBy, s.ScheduledAt),
        MaintenanceUpdated u => Maintenance(u.MaintenanceId, u.UpdateId, u.Name, u.Status, u.Body, u.ScheduledFor, u.ScheduledUntil, u.Components,
            u.DeliverNotifications, u.UpdatedBy, u.UpdatedAt),
        MaintenanceCancelled c => Maintenance(c.MaintenanceId, c.UpdateId, c.Name, Maintenances.Maintenance.Cancelled, c.Body, c.ScheduledFor, c.ScheduledUntil,
            c.Components, true, c.CancelledBy, c.CancelledAt),
        MaintenanceReminderSent r => new Contracts.MaintenanceReminder(r.MaintenanceId, r.Name, r.ScheduledFor, r.ScheduledUntil, Members(r.Components), r.MinutesBefore),
        CatalogChanged c => new Contracts.MonitorCatalogChanged(c.Version, c.ChangedAt),
        _ => null,
    };

    private static Contracts.MaintenanceChanged Maintenance(string id, string updateId, string name, string status, string body, DateTimeOffset scheduledFor,
        DateTimeOffset scheduledUntil, IReadOnlyList<MaintenanceComponent> components, bool deliver, string actor, DateTimeOffset at) =>
        new(id, updateId, name, status, body, scheduledFor, scheduledUntil, Members(components), deliver, actor, at);

    private static List<Contracts.AffectedComponent> Members(IReadOnlyList<MaintenanceComponent> components) =>
        [.. components.Select(c => new Contracts.AffectedComponent(c.ComponentId, c.Name, Contracts.ComponentStatus.UnderMaintenance))];

    private static List<Contracts.AffectedComponent> Affected(IReadOnlyList<IncidentComponent> components) =>
        [.. components.Select(c => new Contracts.AffectedComponent(c.ComponentId, c.Name, c.NewStatus))];
}
