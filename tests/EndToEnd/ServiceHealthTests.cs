using System.Net;
using StatusPlatform.AppHost;
using StatusPlatform.TestSupport;
using Xunit.Abstractions;

namespace StatusPlatform.EndToEnd;

/// <summary>Each service, started as its own process against real PostgreSQL and RabbitMQ, reports Healthy.</summary>
public sealed class ServiceHealthTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private TestVirtualHost _vhost = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _vhost = await TestVirtualHost.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await _vhost.DisposeAsync();
        await _database.DisposeAsync();
    }

    public static TheoryData<string> Services => new(ServiceProject.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_service_started_against_the_real_infrastructure_reports_healthy(string name)
    {
        await using var service = Start(name, _database.ConnectionString, _vhost.AmqpUri.ToString());

        var health = await service.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("200 Healthy", health);
        using var http = new HttpClient { BaseAddress = service.Url };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("alive", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_service_whose_database_is_unreachable_reports_unhealthy_but_stays_alive()
    {
        // Port 1 on loopback refuses connections at once.
        await using var service = Start("notify", "Host=127.0.0.1;Port=1;Database=none;Username=x;Password=x;Timeout=2", _vhost.AmqpUri.ToString());

        var error = await Assert.ThrowsAsync<TimeoutException>(() => service.WaitUntilHealthyAsync(TimeSpan.FromSeconds(15)));

        Assert.Contains("503 Unhealthy", error.Message);
        using var http = new HttpClient { BaseAddress = service.Url };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("alive", UriKind.Relative))).StatusCode);
    }

    private ServiceProcess Start(string name, string statusdb, string messaging)
    {
        var service = new ServiceProcess(ServiceProject.All.Single(s => s.Name == name), new Dictionary<string, string>
        {
            ["ConnectionStrings__statusdb"] = statusdb,
            ["ConnectionStrings__messaging"] = messaging,
        })
        {
            Output = (service, line) => { try { output.WriteLine($"[{service}] {line}"); } catch (InvalidOperationException) { } },
        };
        service.Start();
        return service;
    }
}
