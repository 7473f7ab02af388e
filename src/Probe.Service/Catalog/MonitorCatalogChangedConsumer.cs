using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.Probe.Catalog;

/// <summary>
/// Hears that the catalog changed and has <see cref="CatalogSync"/> ask again. Idempotent: a redelivered or stale event
/// carries a version the probe already runs and is ignored; a burst of new ones collapses into one request.
/// </summary>
public sealed class MonitorCatalogChangedConsumer(CatalogSync catalog) : IConsumer<MonitorCatalogChanged>
{
    public Task Consume(ConsumeContext<MonitorCatalogChanged> context)
    {
        catalog.Changed(context.Message.Version);
        return Task.CompletedTask;
    }
}
