using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Catalog;
using StatusPlatform.Probe.Checks;
using StatusPlatform.Probe.Scheduling;
using StatusPlatform.ServiceDefaults;

namespace StatusPlatform.Probe;

public static class ProbeServiceExtensions
{
    /// <summary>Every registration of the probe worker. It has no database: catalog in and results out go over the broker only.</summary>
    public static IHostApplicationBuilder AddProbeService(this IHostApplicationBuilder builder)
    {
        var options = ProbeOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.AddMessaging(bus =>
        {
            bus.AddRequestClient<GetMonitorCatalog>();
            // Every probe must hear every change. A named, shared queue would make the probes competing consumers and
            // only one of them would re-read the catalog. A temporary endpoint per instance gives each probe its own
            // queue, non-durable and expiring a minute after its probe is gone (x-expires), so a brief reconnect keeps
            // it and nothing piles up as probes come and go. Events missed meanwhile do no harm: the probe asks for
            // the catalog at start and every CatalogRefreshInterval anyway.
            bus.AddConsumer<MonitorCatalogChangedConsumer>().Endpoint(endpoint =>
            {
                endpoint.InstanceId = options.InstanceId;
                endpoint.Temporary = true;
            });
        });

        builder.Services.AddHttpClient(HttpCheck.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A fresh connection per check: a kept-alive connection would hide a server that no longer accepts new
                // ones, and the later DNS/connect/TLS timings need every phase to happen on each check.
                PooledConnectionLifetime = TimeSpan.Zero,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
            })
            // The service defaults give every client a resilience handler that retries 5xx and timeouts. A probe that
            // retries turns a failing check into a slow success and hides the outage it exists to see, so the probe
            // client drops the added handlers; its only timeout is the monitor's own, set per check in HttpCheck.
            .ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Clear());

        builder.Services.AddSingleton<ProbeMetrics>();
        builder.Services.AddSingleton<HttpCheck>();
        builder.Services.AddSingleton<CheckRunner>();
        // Registered after the bus, so on shutdown the loops stop before the bus they publish on.
        builder.Services.AddSingleton<MonitorScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MonitorScheduler>());
        builder.Services.AddSingleton<CatalogSync>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CatalogSync>());
        return builder;
    }
}
