using StatusPlatform.ServiceDefaults;
using StatusPlatform.StatusApi.PublicApi;

namespace StatusPlatform.StatusApi;

public static class StatusApiExtensions
{
    /// <summary>Every registration of the public and admin HTTP API (it reads the status schema).</summary>
    public static IHostApplicationBuilder AddStatusApi(this IHostApplicationBuilder builder)
    {
        builder.AddPostgres();
        builder.AddMessaging();
        builder.Services.AddSingleton<StatusReadModel>();
        builder.Services.AddCors(cors => cors.AddPolicy(StatusPageApi.CorsPolicy,
            policy => policy.AllowAnyOrigin().WithMethods(HttpMethods.Get, HttpMethods.Head).AllowAnyHeader()));
        return builder;
    }
}
