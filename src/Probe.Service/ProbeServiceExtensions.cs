using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StatusPlatform.Contracts;
using StatusPlatform.Probe.Catalog;
using StatusPlatform.Probe.Checks;
using StatusPlatform.Probe.Membership;
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
        builder.Services.TryAddSingleton(sp => ProbeStart.OfThisProcess(sp.GetRequiredService<TimeProvider>()));

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
            // Heartbeats likewise: every probe must hear every other, so each has its own expiring queue. They reach
            // the probes of all regions (one fanout exchange per message type); MemberTable keeps its own region's.
            bus.AddConsumer<ProbeMembershipConsumer>().Endpoint(endpoint =>
            {
                endpoint.InstanceId = options.InstanceId;
                endpoint.Temporary = true;
            });
            // "Check now" likewise reaches every probe; the owner of the monitor in each region runs it.
            bus.AddConsumer<CheckNowConsumer>().Endpoint(endpoint =>
            {
                endpoint.InstanceId = options.InstanceId;
                endpoint.Temporary = true;
            });
        });

        AddProbeClient(builder.Services, HttpCheck.ClientName);
        AddProbeClient(builder.Services, ConnectivityGuard.ClientName);

        builder.Services.AddSingleton<ProbeMetrics>();
        builder.Services.AddSingleton<HttpCheck>();
        builder.Services.AddSingleton<ConnectivityGuard>();
        builder.Services.AddSingleton<IConnectivityGuard>(sp => sp.GetRequiredService<ConnectivityGuard>());
        builder.Services.AddSingleton<CheckRunner>();
        builder.Services.AddSingleton<ProbeMembership>();
        // Registered after the bus, so on shutdown the loops stop before the bus they publish on.
        builder.Services.AddSingleton<MonitorScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MonitorScheduler>());
        builder.Services.AddSingleton<CatalogSync>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CatalogSync>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConnectivityGuard>());
        // Last, so it stops first: it announces the leave and waits for it to take effect while the loops still run.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProbeMembership>());
        return builder;
    }

    private static void AddProbeClient(IServiceCollection services, string name) =>
        services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)
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
            // clients drop the added handlers; their only timeout is the caller's own, set per check.
            .ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Clear());
}
