using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using StatusPlatform.Contracts;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Maintenances;

/// <summary>
/// A maintenance ends while its component's monitor is still down, with two Incident.Service instances whose clocks both
/// tick every 200 ms: the incident the failures did not open during the window opens now, exactly once.
/// </summary>
public sealed class MaintenanceEndTwoInstancesTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _configFile = Path.Combine(Path.GetTempPath(), $"sp-maint-end-{Guid.NewGuid():N}.yaml");
    private readonly List<WebApplicationFactory<Program>> _instances = [];
    private TestDatabase _database = null!;
    private TestVirtualHost _vhost = null!;
    private IBusControl _bus = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_configFile, IncidentServiceWithCatalog.Yaml);
        _database = await TestDatabase.CreateAsync();
        _vhost = await TestVirtualHost.CreateAsync();
        for (var i = 0; i < 2; i++)
        {
            var instance = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
                .UseSetting("ConnectionStrings:statusdb", _database.ConnectionString)
                .UseSetting("ConnectionStrings:messaging", _vhost.AmqpUri.ToString())
                .UseSetting("StatusPlatform:ConfigFile", _configFile)
                .UseSetting("Maintenance:TickSeconds", "0.2"));
            _ = instance.Server;
            _instances.Add(instance);
        }
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(_vhost.AmqpUri));
        await _bus.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _bus.StopAsync();
        foreach (var instance in _instances)
            await instance.DisposeAsync();
        await _vhost.DisposeAsync();
        await _database.DisposeAsync();
        File.Delete(_configFile);
    }

    [Fact]
    public async Task Monitors_still_down_when_the_window_completes_open_one_automatic_incident()
    {
        await Eventually.Until(async () => await TextAsync("select status from status.components where id = 'web'") == "operational", Wait, "the catalog on the page");
        var start = DateTimeOffset.UtcNow;
        var response = await _bus.CreateRequestClient<ScheduleMaintenance>(RequestTimeout.After(s: 30)).GetResponse<CommandAccepted, CommandRejected>(
            new ScheduleMaintenance("alice", "CDN switch", "", start.AddMilliseconds(-500), start.AddSeconds(8), ["web"], ReminderMinutesBefore: []));
        Assert.True(response.Is(out Response<CommandAccepted>? accepted));
        await Eventually.Until(async () => await TextAsync("select status from status.components where id = 'web'") == "under_maintenance", Wait, "the window to start");

        // web-http fails twice (its threshold) during the window: recorded, no incident.
        var clock = DateTimeOffset.UtcNow;
        foreach (var i in new[] { 1, 2 })
        {
            var result = new CheckCompleted(Guid.NewGuid(), "web-http", "eu", "probe-1", clock.AddMilliseconds(i), 5, CheckOutcome.Down, 503, "503", null);
            await _bus.Publish(result, ctx => ctx.MessageId = result.CheckId);
        }
        await Eventually.Until(async () => await ScalarAsync(
            "select count(*) from events.events where stream_id = 'component-web' and event_type = 'component_monitor_status_changed'") == 1, Wait, "the monitors' verdict");
        Assert.Equal(0, await ScalarAsync("select count(*) from events.events where event_type = 'incident_opened'"));

        await Eventually.Until(async () => await TextAsync("select status from status.maintenances where id = $1", accepted!.Message.Id) == "completed", Wait,
            "the window to complete");
        await Eventually.Until(async () => await ScalarAsync("select count(*) from status.incident_components where component_id = 'web'") == 1, Wait,
            "the automatic incident");
        Assert.Equal("major_outage", await TextAsync("select status from status.components where id = 'web'"));
        // The premise held: the monitor went down inside the window, so it was the end of the window that opened the incident.
        Assert.Equal(1, await ScalarAsync("""
            select count(*) from events.events e where e.stream_id = 'component-web' and e.event_type = 'component_monitor_status_changed'
            and e.seq < (select seq from events.events where stream_id like 'maintenance-%' and data->>'status' = 'completed')
            """));

        // Both clocks kept ticking past the end: still one end of the window and one incident.
        await Eventually.Until(async () => await ScalarAsync("select count(*) from events.events where stream_id like 'maintenance-%'") == 3, Wait, "the maintenance's three events");
        Assert.Equal(1, await ScalarAsync("select count(*) from events.events where event_type = 'incident_opened'"));
        Assert.Equal(1, await ScalarAsync("select count(*) from events.events where stream_id = 'component-web' and event_type = 'automatic_incident_attached'"));
        Assert.Equal(1, await ScalarAsync("select count(*) from status.incidents where automatic and status = 'investigating'"));
        Assert.Equal(2, await ScalarAsync("select count(*) from events.events where stream_id = 'component-web' and event_type = 'component_maintenance_changed'"));
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string?> TextAsync(string sql, params object[] parameters)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        foreach (var p in parameters)
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = p });
        return await command.ExecuteScalarAsync() as string;
    }
}
