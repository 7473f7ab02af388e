using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StatusPlatform.StatusApi.PublicApi.Serving;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests;

/// <summary>
/// StatusApi in the in-memory test server over a database of its own (with Incident.Service's status schema) and a
/// RabbitMQ virtual host of its own; subclasses write the read-model rows for the state they are named after.
/// </summary>
/// <remarks>
/// StatusApi serves from memory: rows a test writes after start-up show only after a read of the read model, which
/// an integration event, the periodic refresh (<see cref="RefreshInterval"/>) or <see cref="RefreshAsync"/> causes.
/// </remarks>
public abstract class StatusApiHost : IAsyncLifetime
{
    private readonly List<WebApplicationFactory<Program>> _replicas = [];
    private WebApplicationFactory<Program> _factory = null!;

    public TestDatabase Database { get; private set; } = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public ReadModelRows Rows { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        VirtualHost = await TestVirtualHost.CreateAsync();
        await CreateSchemaAsync();
        Rows = new ReadModelRows(Database.DataSource);
        await SeedAsync(Rows);

        _factory = CreateReplica();
        Client = _factory.CreateClient();
    }

    /// <summary>The periodic refresh; long by default, so only what a test does on purpose refreshes the page.</summary>
    protected virtual TimeSpan RefreshInterval => TimeSpan.FromHours(1);

    /// <summary>More settings of the service; by default the per-client subscription limit is out of the way.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["StatusPage:SubscriptionRequestsPerMinute"] = "1000000" };

    protected abstract Task SeedAsync(ReadModelRows rows);

    /// <summary>Incident.Service's status schema, as it creates it at start-up.</summary>
    public async Task CreateSchemaAsync()
    {
        var schema = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "status-schema.sql"));
        await using var command = Database.DataSource.CreateCommand(schema);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Takes the database away as an outage would: dropped with (force), StatusApi's connections break.</summary>
    public async Task DropDatabaseAsync()
    {
        await using var admin = NpgsqlDataSource.Create(Infrastructure.PostgresConnectionString);
        await using var command = admin.CreateCommand($"drop database {Database.Name} with (force)");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Brings the database back under the same name, with the status schema and no rows.</summary>
    public async Task RecreateDatabaseAsync()
    {
        await using (var admin = NpgsqlDataSource.Create(Infrastructure.PostgresConnectionString))
        await using (var command = admin.CreateCommand($"create database {Database.Name}"))
            await command.ExecuteNonQueryAsync();
        Database.DataSource.Clear(); // its pooled connections died with the old database
        await CreateSchemaAsync();
    }

    /// <summary>Another StatusApi instance on the same database and virtual host, stopped with the fixture.</summary>
    public HttpClient StartReplica()
    {
        var replica = CreateReplica();
        _replicas.Add(replica);
        return replica.CreateClient();
    }

    /// <summary>Has StatusApi read the read model now, as an integration event would (rows written behind its back).</summary>
    public Task RefreshAsync() => _factory.Services.GetRequiredService<PageRefresher>().RefreshAsync(CancellationToken.None);

    /// <summary>Publishes integration events on this fixture's virtual host, in order, as Incident.Service's relay does.</summary>
    public async Task PublishAsync(params object[] messages)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(VirtualHost.AmqpUri));
        await bus.StartAsync();
        try
        {
            foreach (var message in messages)
                await bus.Publish(message, message.GetType());
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    /// <summary>
    /// Waits until /health says Healthy: the page is loaded and the bus, its receive endpoint included, is ready, so
    /// an event published from now on reaches this replica (the queue is bound to the exchanges).
    /// </summary>
    public static Task WaitUntilHealthyAsync(HttpClient client) => Eventually.Until(async () =>
    {
        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        return await health.Content.ReadAsStringAsync();
    }, status => status == "Healthy", TimeSpan.FromSeconds(30), "StatusApi to report Healthy");

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        foreach (var replica in _replicas)
            await replica.DisposeAsync();
        await _factory.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }

    private WebApplicationFactory<Program> CreateReplica() =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:statusdb", Database.ConnectionString)
                .UseSetting("ConnectionStrings:messaging", VirtualHost.AmqpUri.ToString())
                .UseSetting("PublicApi:RefreshInterval", RefreshInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (key, value) in Settings)
                host.UseSetting(key, value);
        });
}

/// <summary>
/// A page in America/Tijuana with top-level components, a group of two, two unresolved incidents (with back-dated
/// and component-changing updates) and two closed ones (resolved, and older, postmortem).
/// </summary>
public sealed class PageWithGroupAndOpenIncident : StatusApiHost
{
    public const string PageId = "kctbh9vrtdwd";
    public const string PageUrl = "https://status.example.test";

    protected override async Task SeedAsync(ReadModelRows rows)
    {
        await rows.PageAsync(PageId, "Example", PageUrl, "America/Tijuana", updatedAt: "2024-01-01T00:00:00Z");

        // Interleaved by position: website(1), api(1 in backend), backend(2), db(2 in backend), cdn(3).
        await rows.ComponentAsync("website", "Website", "operational", position: 1, description: "Public site",
            createdAt: "2019-06-24T13:07:14.4739Z", updatedAt: "2019-12-24T18:00:00.123456Z", startDate: new DateOnly(2019, 1, 15));
        await rows.ComponentAsync("backend", "Backend", "partial_outage", position: 2, isGroup: true);
        await rows.ComponentAsync("db", "Database", "operational", position: 2, groupId: "backend");
        await rows.ComponentAsync("api", "API", "partial_outage", position: 1, groupId: "backend");
        await rows.ComponentAsync("cdn", "CDN", "degraded_performance", position: 3, showcase: false, onlyShowIfDegraded: true);

        await rows.IncidentAsync("inc-old", "Slow website", "investigating", "minor", createdAt: "2024-01-01T10:00:00Z",
            componentIds: ["website"]);
        await rows.IncidentUpdateAsync("upd-old-1", "inc-old", "investigating", "We are looking into it.", createdAt: "2024-01-01T10:00:00Z");

        await rows.IncidentAsync("inc-new", "API errors", "monitoring", "major", createdAt: "2024-01-02T10:00:00Z",
            updatedAt: "2024-01-02T12:00:00Z", monitoringAt: "2024-01-02T11:00:00Z", shortlink: "https://stspg.io/abc123",
            componentIds: ["db", "api"]);
        await rows.IncidentUpdateAsync("upd-new-1", "inc-new", "investigating", "Errors on the API.", createdAt: "2024-01-02T10:00:00Z",
            affectedComponentsJson: """[{"code":"api","name":"API","old_status":"operational","new_status":"partial_outage"}]""");
        await rows.IncidentUpdateAsync("upd-new-3", "inc-new", "identified", "Found it.<br />Fixing.", createdAt: "2024-01-02T12:00:00Z",
            displayAt: "2024-01-02T10:30:00Z");
        await rows.IncidentUpdateAsync("upd-new-2", "inc-new", "monitoring", "A fix is out.", createdAt: "2024-01-02T11:00:00Z");

        await rows.IncidentAsync("inc-resolved", "Old outage", "resolved", "critical", createdAt: "2024-01-03T10:00:00Z",
            updatedAt: "2024-01-05T00:00:00Z", resolvedAt: "2024-01-03T11:00:00Z", componentIds: ["website"]);
        await rows.IncidentUpdateAsync("upd-resolved-1", "inc-resolved", "resolved", "Fixed.", createdAt: "2024-01-03T11:00:00Z");
        await rows.IncidentAsync("inc-postmortem", "Older outage", "postmortem", "critical", createdAt: "2023-12-01T10:00:00Z",
            resolvedAt: "2023-12-01T11:00:00Z", componentIds: ["cdn"]);
        await rows.IncidentUpdateAsync("upd-postmortem-1", "inc-postmortem", "postmortem", "What happened.", createdAt: "2023-12-02T10:00:00Z");
    }
}

/// <summary>The status schema with no rows at all; the tests of a class reset it to the state each one needs.</summary>
public sealed class EmptyReadModel : StatusApiHost
{
    protected override Task SeedAsync(ReadModelRows rows) => Task.CompletedTask;
}
