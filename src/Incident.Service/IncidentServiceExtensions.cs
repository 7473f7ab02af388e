using Npgsql;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.History.Results;
using StatusPlatform.Incident.History.StatusIntervals;
using StatusPlatform.Incident.History.TimeTravel;
using StatusPlatform.Incident.Incidents;
using StatusPlatform.Incident.Maintenances;
using StatusPlatform.Incident.Monitors;
using StatusPlatform.Incident.Monitors.Folding;
using StatusPlatform.Incident.Monitors.Heartbeats;
using StatusPlatform.Incident.Page;
using StatusPlatform.Incident.Relay;
using StatusPlatform.Incident.Storage;
using StatusPlatform.Incident.Templates;
using StatusPlatform.ServiceDefaults;

namespace StatusPlatform.Incident;

public static class IncidentServiceExtensions
{
    /// <summary>Every registration of the incident service: the event store it owns, its projections, its relay and its consumers.</summary>
    public static IHostApplicationBuilder AddIncidentService(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres();
        // Hosted services start in this order: read-model schemas, event store, then the configuration file.
        builder.Services.AddHostedService<IncidentSchema>();
        // Before anything consumes: finishes moving a pre-partition checks.results, then keeps partitions and rollups.
        builder.Services.AddHostedService<CheckResultsMaintenance>();
        builder.Services.AddEventStore(sp => sp.GetRequiredService<NpgsqlDataSource>(), store => store.Events.RegisterIncidentEvents());
        builder.Services.AddProjection<PageProjection>().AddProjection<ComponentsProjection>().AddProjection<IncidentsProjection>()
            .AddProjection<HeartbeatMonitorsProjection>().AddProjection<MonitorsProjection>().AddProjection<MaintenancesProjection>()
            .AddProjection<IncidentTemplatesProjection>();
        builder.Services.AddProjection<ComponentHistoryProjection>();
        builder.Services.AddSingleton<PageHistoryReader>();
        builder.Services.AddEventRelay<IntegrationRelay>();
        builder.Services.AddSingleton<CatalogApplier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CatalogApplier>());
        builder.Services.AddSingleton<CatalogReader>();
        builder.Services.AddSingleton<MonitorFold>();
        builder.Services.AddSingleton<FoldBatcher>();
        builder.Services.AddSingleton<FoldLag>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FoldBatcher>());
        builder.Services.AddSingleton<MaintenanceWriter>();
        builder.Services.AddHostedService<MaintenanceClock>();
        builder.Services.AddHostedService<HeartbeatDeadlines>();
        builder.AddMessaging(bus =>
        {
            bus.AddConsumer<CheckCompletedConsumer>(typeof(CheckCompletedConsumerDefinition));
            bus.AddConsumer<GetMonitorCatalogConsumer>();
            bus.AddConsumer<IncidentCommandsConsumer>();
            bus.AddConsumer<MaintenanceCommandsConsumer>();
            bus.AddConsumer<ComponentCommandsConsumer>();
            bus.AddConsumer<MonitorCommandsConsumer>();
            bus.AddConsumer<PageCommandsConsumer>();
            bus.AddConsumer<IncidentTemplateCommandsConsumer>();
            bus.AddConsumer<GetPageAtConsumer>();
            bus.AddConsumer<GetChangesConsumer>();
        });
        return builder;
    }
}
