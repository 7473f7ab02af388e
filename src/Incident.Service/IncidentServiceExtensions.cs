using Npgsql;
using StatusPlatform.EventSourcing;
using StatusPlatform.ServiceDefaults;

namespace StatusPlatform.Incident;

public static class IncidentServiceExtensions
{
    /// <summary>Every registration of the incident service: the event store it owns, its projections and its relay.</summary>
    public static IHostApplicationBuilder AddIncidentService(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.Services.AddEventStore(sp => sp.GetRequiredService<NpgsqlDataSource>());
        builder.AddMessaging();
        return builder;
    }
}
