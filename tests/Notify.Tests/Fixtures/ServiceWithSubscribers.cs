using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Fixtures;

/// <summary>
/// Notify.Service on its own database and virtual host, seeded from a file with three subscribers of its own:
/// one of the website, one of the website and the API, one of the API only.
/// </summary>
public sealed class ServiceWithSubscribers : IAsyncDisposable
{
    public const string Website = "website";
    public const string Api = "api";

    public string WebsiteFan { get; } = $"website-{Guid.NewGuid():N}@example.com";
    public string OpsTeam { get; } = $"ops-{Guid.NewGuid():N}@example.com";
    public string ApiFan { get; } = $"api-{Guid.NewGuid():N}@example.com";

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public ConfigFile File { get; private set; } = null!;
    public NotifyServiceHost Service { get; private set; } = null!;

    /// <summary>Settings for the service beyond the connection strings and the file.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; private init; } = new Dictionary<string, string>();

    public static async Task<ServiceWithSubscribers> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var given = new ServiceWithSubscribers { Settings = settings ?? new Dictionary<string, string>() };
        try
        {
            await given.InitializeAsync();
            return given;
        }
        catch
        {
            await given.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        VirtualHost = await TestVirtualHost.CreateAsync();
        File = ConfigFile.With($"""
            components:
              - id: {Website}
                name: Demo Website
              - id: {Api}
                name: Demo API
            subscribers:
              - email: {WebsiteFan}
                components: [{Website}]
              - email: {OpsTeam}
                components: [{Website}, {Api}]
              - email: {ApiFan}
                components: [{Api}]
            """);
        Service = await NotifyServiceHost.StartAsync(Database, VirtualHost, File.Path, Settings);
    }

    /// <summary>Stops the service; its database, virtual host and file stay for the next instance.</summary>
    public async Task StopAsync() => await Service.DisposeAsync();

    /// <summary>Starts a new instance of the service on the same database, virtual host and file.</summary>
    public async Task StartAgainAsync() => Service = await NotifyServiceHost.StartAsync(Database, VirtualHost, File.Path, Settings);

    public async ValueTask DisposeAsync()
    {
        if (Service is not null)
            await Service.DisposeAsync();
        if (VirtualHost is not null)
            await VirtualHost.DisposeAsync();
        if (Database is not null)
            await Database.DisposeAsync();
        File?.Dispose();
    }
}
