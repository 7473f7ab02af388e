using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;
using StatusPlatform.StatusApi.Console.Checks;
using StatusPlatform.StatusApi.Console.Reading;
using StatusPlatform.StatusApi.Console.Rendering;
using StatusPlatform.StatusApi.Console.Sessions;
using StatusPlatform.StatusApi.Console.Users;

namespace StatusPlatform.StatusApi.Console;

public static class ConsoleExtensions
{
    /// <summary>The data-protection application name: replicas with the same name (and database) read each other's cookies.</summary>
    public const string ApplicationName = "StatusPlatform.StatusApi";

    /// <summary>
    /// Every registration of the admin console: options, users and their schema, cookie sessions, antiforgery, the
    /// data-protection keys in PostgreSQL, rendering, and the listener for "check now" answers. Call it after AddAdminApi:
    /// the console sends its commands through the admin API's IncidentServiceClient and reads through its AdminReadModel,
    /// the same code paths as /api/v1.
    /// </summary>
    public static IHostApplicationBuilder AddConsole(this IHostApplicationBuilder builder)
    {
        var options = ConsoleOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ConsoleUsers>();
        builder.Services.AddHostedService<ConsoleSchema>();
        builder.Services.AddSingleton<ConsoleReadModel>();
        builder.Services.AddSingleton<CatalogReadModel>();
        builder.Services.AddSingleton<SubscriberAudience>();
        builder.Services.AddSingleton<ConsoleRenderer>();
        builder.Services.AddSingleton<ConsoleStyleSheet>();
        builder.Services.AddSingleton<ConsoleSite>();
        builder.Services.AddSingleton<CheckNowResults>();
        builder.Services.AddHostedService<CheckNowListener>();

        // Without this each process makes its own keys (in memory, or a folder of its own): a restart would end every
        // session and a second replica would refuse the first one's cookies and forms.
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(services => new ConfigureOptions<KeyManagementOptions>(
            keys => keys.XmlRepository = new PostgresXmlRepository(services.GetRequiredService<NpgsqlDataSource>())));
        builder.AddConsoleAuth(options);
        return builder;
    }
}
