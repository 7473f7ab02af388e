using StatusPlatform.ServiceDefaults;

namespace StatusPlatform.Notify;

public static class NotifyServiceExtensions
{
    /// <summary>Every registration of the notification service (it owns the notify schema).</summary>
    public static IHostApplicationBuilder AddNotifyService(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.AddMessaging();
        return builder;
    }
}
