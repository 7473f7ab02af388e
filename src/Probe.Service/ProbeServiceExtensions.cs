using StatusPlatform.ServiceDefaults;

namespace StatusPlatform.Probe;

public static class ProbeServiceExtensions
{
    /// <summary>Every registration of the probe worker. It has no database: catalog in and results out go over the broker only.</summary>
    public static IHostApplicationBuilder AddProbeService(this IHostApplicationBuilder builder)
    {
        builder.AddMessaging();
        return builder;
    }
}
