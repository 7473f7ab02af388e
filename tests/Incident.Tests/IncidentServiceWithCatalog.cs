using System.Collections.Concurrent;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests;

/// <summary>
/// Incident.Service in-process against its own database and virtual host, configured from a YAML file with one
/// component ("web", one monitor, failure threshold 2) and a group; a test bus on the same vhost sends check
/// results and records every integration event the relay publishes.
/// </summary>
public class IncidentServiceWithCatalog : IAsyncLifetime
{
    public const string Yaml = """
        page:
          name: Test Status
          url: http://status.test
          time_zone: Etc/UTC
        groups:
          - id: backend
            name: Backend
        components:
          - id: web
            name: Website
          - id: db
            name: Database
            group: backend
        monitors:
          - id: web-http
            component: web
            url: http://127.0.0.1:9/
            interval: 10s
            timeout: 2s
            failure_threshold: 2
            success_threshold: 1
          - id: db-tcp
            component: db
            url: http://127.0.0.1:9/db
            interval: 10s
        """;

    private WebApplicationFactory<Program> _factory = null!;

    /// <summary>The configuration file the service starts with.</summary>
    protected virtual string CatalogYaml => Yaml;

    /// <summary>Further settings for the service.</summary>
    protected virtual Dictionary<string, string?> Settings => [];
    private IBusControl _bus = null!;

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public string ConfigFile { get; } = Path.Combine(Path.GetTempPath(), $"sp-incident-{Guid.NewGuid():N}.yaml");
    public ConcurrentQueue<ConsumeContext> Published { get; } = new();
    public IServiceProvider Services => _factory.Services;
    public IRequestClient<GetMonitorCatalog> CatalogClient { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ConfigFile, CatalogYaml);
        Database = await TestDatabase.CreateAsync();
        VirtualHost = await TestVirtualHost.CreateAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("ConnectionStrings:statusdb", Database.ConnectionString)
            .UseSetting("ConnectionStrings:messaging", VirtualHost.AmqpUri.ToString())
            .UseSetting("StatusPlatform:ConfigFile", ConfigFile)
            .ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(Settings)));
        _ = _factory.Server; // starts the host: schemas, catalog, sequencer, projections, relay, consumers

        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(VirtualHost.AmqpUri);
            rabbit.ReceiveEndpoint($"incident-tests-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.Handler<IncidentOpened>(Record);
                endpoint.Handler<IncidentResolved>(Record);
                endpoint.Handler<IncidentUpdated>(Record);
                endpoint.Handler<IncidentPostmortemPublished>(Record);
                endpoint.Handler<MaintenanceChanged>(Record);
                endpoint.Handler<MaintenanceReminder>(Record);
                endpoint.Handler<ComponentStatusChanged>(Record);
                endpoint.Handler<MonitorCatalogChanged>(Record);
            });
        });
        await _bus.StartAsync();
        CatalogClient = _bus.CreateRequestClient<GetMonitorCatalog>(RequestTimeout.After(s: 30));
    }

    private Task Record<T>(ConsumeContext<T> context) where T : class
    {
        Published.Enqueue(context);
        return Task.CompletedTask;
    }

    public IEnumerable<ConsumeContext<T>> PublishedOf<T>() where T : class => Published.OfType<ConsumeContext<T>>();

    /// <summary>Sends a command as StatusApi does and returns the answer: CommandAccepted, CommandRejected or CommandConflict.</summary>
    public async Task<object> CommandAsync<T>(T command) where T : class
    {
        var response = await _bus.CreateRequestClient<T>(RequestTimeout.After(s: 30)).GetResponse<CommandAccepted, CommandRejected, CommandConflict>(command);
        return response.Is(out Response<CommandAccepted>? accepted) ? accepted.Message
            : response.Is(out Response<CommandRejected>? rejected) ? rejected.Message
            : response.Is(out Response<CommandConflict>? conflict) ? conflict.Message
            : throw new InvalidOperationException("unexpected answer");
    }

    public Task SendAsync(CheckCompleted result) => _bus.Publish(result, ctx => ctx.MessageId = result.CheckId);

    public async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public async Task DisposeAsync()
    {
        await _bus.StopAsync();
        await _factory.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
        File.Delete(ConfigFile);
    }
}
