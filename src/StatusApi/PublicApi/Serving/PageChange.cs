using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.PublicApi.Serving;

/// <summary>
/// What an integration event says the read model shows now. Incident.Service's relay and its projections follow the
/// event feed independently, so the event can arrive before the projection committed the row it describes; the
/// refresher keeps reading (briefly) until a snapshot <see cref="IsShownBy"/> the change.
/// </summary>
public sealed record PageChange(string What, Func<StatusSnapshot, bool> IsShownBy)
{
    /// <summary>The row carries the event's time, or a later one (a newer change overtook it).</summary>
    public static PageChange Of(ComponentStatusChanged e) => new($"component {e.ComponentId} {e.NewStatus}",
        s => s.Components.Any(c => c.Id == e.ComponentId && Reached(c.UpdatedAt, e.ChangedAt)));

    public static PageChange Of(IncidentOpened e) => new($"incident {e.IncidentId} opened",
        s => s.Incidents.Any(i => i.Id == e.IncidentId));

    /// <summary>An incident outside the listed ones (resolved long ago) shows no updates, so there is nothing to wait for.</summary>
    public static PageChange Of(IncidentUpdated e) => new($"incident {e.IncidentId} update {e.UpdateId}",
        s => s.Updates.Any(u => u.Id == e.UpdateId) || s.Incidents.All(i => i.Id != e.IncidentId));

    public static PageChange Of(IncidentResolved e) => new($"incident {e.IncidentId} resolved",
        s => !s.Incidents.Any(i => i.Id == e.IncidentId && i.IsUnresolved));

    /// <summary>The maintenance shows this update, or is no longer listed at all.</summary>
    public static PageChange Of(MaintenanceChanged e) => new($"maintenance {e.MaintenanceId} {e.Status}",
        s => s.MaintenanceUpdates.Any(u => u.Id == e.UpdateId) || (e.Status == MaintenanceStatus.Completed && s.Maintenances.All(m => m.Id != e.MaintenanceId)));

    // PostgreSQL keeps microseconds and .NET ticks are a tenth of one, so the stored time may be up to a microsecond short.
    private static bool Reached(DateTimeOffset row, DateTimeOffset @event) => row.UtcTicks >= @event.UtcTicks - 10;
}

/// <summary>
/// Hears every change of the public page and hands it to <see cref="PageRefresher"/>. Idempotent: the message only
/// triggers a read of the read model, so a redelivered or stale event costs one extra read and changes nothing, and a
/// burst of events collapses into few reads.
/// </summary>
public sealed class PageChangedConsumer(PageRefresher refresher)
    : IConsumer<ComponentStatusChanged>, IConsumer<IncidentOpened>, IConsumer<IncidentUpdated>, IConsumer<IncidentResolved>, IConsumer<MaintenanceChanged>
{
    public Task Consume(ConsumeContext<MaintenanceChanged> context) => Changed(PageChange.Of(context.Message));

    public Task Consume(ConsumeContext<ComponentStatusChanged> context) => Changed(PageChange.Of(context.Message));

    public Task Consume(ConsumeContext<IncidentOpened> context) => Changed(PageChange.Of(context.Message));

    public Task Consume(ConsumeContext<IncidentUpdated> context) => Changed(PageChange.Of(context.Message));

    public Task Consume(ConsumeContext<IncidentResolved> context) => Changed(PageChange.Of(context.Message));

    private Task Changed(PageChange change)
    {
        refresher.Changed(change);
        return Task.CompletedTask;
    }
}
