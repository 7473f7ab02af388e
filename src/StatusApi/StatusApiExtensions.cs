using StatusPlatform.ServiceDefaults;

namespace StatusPlatform.StatusApi;

public static class StatusApiExtensions
{
    /// <summary>Every registration of the public and admin HTTP API (it reads the status schema).</summary>
    public static IHostApplicationBuilder AddStatusApi(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.AddMessaging();
        return builder;
    }
}
