using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests;

/// <summary>
/// Two Incident.Service instances sharing one database, one virtual host and the catalog of
/// <see cref="IncidentServiceWithCatalog.Yaml"/>, as two replicas would, and a bus to publish results and send commands.
/// </summary>
public sealed class TwoIncidentServices(IReadOnlyDictionary<string, string>? settings = null) : IAsyncDisposable
{
    private readonly string _configFile = Path.Combine(Path.GetTempPath(), $"sp-two-{Guid.NewGuid():N}.yaml");
    private readonly List<WebApplicationFactory<Program>> _instances = [];

    public TestDatabase Database { get; private set; } = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public IBusControl Bus { get; private set; } = null!;

    public async Task StartAsync()
    {
        await File.WriteAllTextAsync(_configFile, IncidentServiceWithCatalog.Yaml);
        Database = await TestDatabase.CreateAsync();
        VirtualHost = await TestVirtualHost.CreateAsync();
        for (var i = 0; i < 2; i++)
        {
            var instance = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
            {
                web.UseSetting("ConnectionStrings:statusdb", Database.ConnectionString)
                    .UseSetting("ConnectionStrings:messaging", VirtualHost.AmqpUri.ToString())
                    .UseSetting("StatusPlatform:ConfigFile", _configFile);
                foreach (var (key, value) in settings ?? new Dictionary<string, string>())
                    web.UseSetting(key, value);
            });
            _ = instance.Server;
            _instances.Add(instance);
        }
        Bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(VirtualHost.AmqpUri));
        await Bus.StartAsync();
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<string?> TextAsync(string sql, params object[] parameters)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        foreach (var p in parameters)
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = p });
        return await command.ExecuteScalarAsync() as string;
    }

    public async ValueTask DisposeAsync()
    {
        await Bus.StopAsync();
        foreach (var instance in _instances)
            await instance.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
        File.Delete(_configFile);
    }
}
