using StatusPlatform.StatusApi.Console.Reading;
using StatusPlatform.StatusApi.Console.Rendering;
using StatusPlatform.StatusApi.Console.Users;

namespace StatusPlatform.StatusApi.Console;

public static class ConsoleExtensions
{
    /// <summary>
    /// Every registration of the admin console: options, users and their schema, cookie sessions, antiforgery, rendering.
    /// Call it after AddAdminApi: the console sends its commands through the admin API's IncidentServiceClient and reads
    /// through its AdminReadModel, the same code paths as /api/v1.
    /// </summary>
    public static IHostApplicationBuilder AddConsole(this IHostApplicationBuilder builder)
    {
        var options = ConsoleOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ConsoleUsers>();
        builder.Services.AddHostedService<ConsoleSchema>();
        builder.Services.AddSingleton<ConsoleReadModel>();
        builder.Services.AddSingleton<SubscriberAudience>();
        builder.Services.AddSingleton<ConsoleRenderer>();
        builder.Services.AddSingleton<ConsoleStyleSheet>();
        builder.Services.AddSingleton<ConsoleSite>();
        builder.AddConsoleAuth(options);
        return builder;
    }
}
