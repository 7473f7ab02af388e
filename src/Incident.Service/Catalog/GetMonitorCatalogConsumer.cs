using MassTransit;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Catalog;

/// <summary>Answers a probe's request for the monitors to run.</summary>
public sealed class GetMonitorCatalogConsumer(CatalogReader catalog) : IConsumer<GetMonitorCatalog>
{
    public async Task Consume(ConsumeContext<GetMonitorCatalog> context) =>
        await context.RespondAsync((await catalog.GetAsync(context.CancellationToken)).ToMessage());
}
