using StatusPlatform.Incident.History.Results;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StatusPlatform.ServiceDefaults;
using StatusPlatform.StatusApi.AdminApi;
using StatusPlatform.StatusApi.Console;
using StatusPlatform.StatusApi.PublicApi;
using StatusPlatform.StatusApi.PublicApi.Serving;
using StatusPlatform.StatusApi.Receivers;
using StatusPlatform.StatusApi.StatusPage;

namespace StatusPlatform.StatusApi;

public static class StatusApiExtensions
{
    /// <summary>Every registration of the public and admin HTTP API (it reads the status schema).</summary>
    public static IHostApplicationBuilder AddStatusApi(this IHostApplicationBuilder builder)
    {
        var options = PublicApiOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.AddPostgres();
        // The public endpoints answer from memory while PostgreSQL is away, so losing it degrades this service rather
        // than making it unhealthy: an orchestrator must not take a replica out of service that still serves the page.
        builder.Services.Configure<HealthCheckServiceOptions>(health =>
        {
            foreach (var check in health.Registrations.Where(r => r.Name == "statusdb"))
                check.FailureStatus = HealthStatus.Degraded;
        });

        builder.AddMessaging(bus =>
        {
            // Every replica must hear every change. A named, shared queue would make the replicas competing consumers,
            // and all but one would keep serving the old page until their periodic refresh. A temporary endpoint per
            // instance gives each replica its own queue, non-durable and expiring a minute after its replica is gone
            // (x-expires), so a brief reconnect keeps it and nothing piles up as replicas come and go. Events missed
            // meanwhile do no harm: the replica reads the read model at start and every RefreshInterval anyway.
            bus.AddConsumer<PageChangedConsumer>().Endpoint(endpoint =>
            {
                endpoint.InstanceId = options.InstanceId;
                endpoint.Temporary = true;
            });
            // Same reasoning as for the database: without the broker the page still refreshes every RefreshInterval.
            bus.ConfigureHealthCheckOptions(health => health.MinimalFailureStatus = HealthStatus.Degraded);
        });

        builder.Services.AddSingleton<StatusReadModel>();
        builder.Services.AddSingleton<HeartbeatTokens>();
        builder.Services.AddSingleton<ResponseTimeQuery>();
        builder.Services.AddSingleton<PageCache>();
        builder.Services.AddSingleton<PageRefresher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PageRefresher>());
        builder.Services.AddHealthChecks().AddCheck<PageStateHealthCheck>("page-state", tags: ["ready"]);
        builder.AddStatusPage();

        builder.AddAdminApi();
        builder.AddConsole();

        builder.Services.AddCors(cors => cors.AddPolicy(StatusPageApi.CorsPolicy, policy => policy.AllowAnyOrigin()
            .WithMethods(HttpMethods.Get, HttpMethods.Head).AllowAnyHeader().WithExposedHeaders(StatusPageApi.ExposedHeaders)));
        return builder;
    }
}
