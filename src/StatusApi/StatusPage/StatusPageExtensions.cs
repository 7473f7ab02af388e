using StatusPlatform.StatusApi.StatusPage.Content;
using StatusPlatform.StatusApi.StatusPage.Live;
using StatusPlatform.StatusApi.StatusPage.Rendering;
using StatusPlatform.StatusApi.StatusPage.Subscriptions;
using StatusPlatform.Incident.History.Uptime;

namespace StatusPlatform.StatusApi.StatusPage;

public static class StatusPageExtensions
{
    /// <summary>
    /// Every registration of the HTML status page. Call it after PageRefresher is registered: LivePage's start-up reads
    /// the extras for the page PageRefresher has just loaded.
    /// </summary>
    public static IHostApplicationBuilder AddStatusPage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(StatusPageOptions.From(builder.Configuration));
        builder.Services.AddSingleton<UptimeQuery>();
        builder.Services.AddSingleton<PageExtrasReadModel>();
        builder.Services.AddSingleton<IncidentArchive>();
        builder.Services.AddSingleton<LivePage>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LivePage>());
        builder.Services.AddSingleton<HtmlPages>();
        builder.Services.AddSingleton<Theme>();
        builder.Services.AddSingleton<SiteServices>();
        builder.Services.AddSingleton<SubscriptionClient>();
        builder.Services.AddRateLimiter(limiter => limiter.AddPolicy<string, SubscriptionRateLimit>(SubscriptionRateLimit.Policy));
        return builder;
    }
}
