using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.AdminApi;

/// <summary>
/// StatusApi with its admin API over a database and virtual host of its own: a page with two components and one open
/// incident in the read model, a bootstrap admin key, and <see cref="FakeIncidentService"/> answering commands.
/// </summary>
public class AdminApiHost : IAsyncLifetime
{
    public const string PageId = "kctbh9vrtdwd";
    public const string BootstrapKey = "test-bootstrap-key-0123456789abcdef0123";

    private WebApplicationFactory<Program> _factory = null!;

    public TestDatabase Database { get; private set; } = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public FakeIncidentService IncidentService { get; private set; } = null!;

    /// <summary>Sends no Authorization header.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>Sends the bootstrap admin key.</summary>
    public HttpClient Admin { get; private set; } = null!;

    protected virtual int RequestsPerMinute => 100_000;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        VirtualHost = await TestVirtualHost.CreateAsync();
        var schema = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "status-schema.sql"));
        await using (var command = Database.DataSource.CreateCommand(schema))
            await command.ExecuteNonQueryAsync();
        var rows = new ReadModelRows(Database.DataSource);
        await rows.PageAsync(PageId, "Example", "https://status.example.test", "America/Tijuana", updatedAt: "2024-01-01T00:00:00Z");
        await rows.ComponentAsync("website", "Website", "operational", position: 1);
        await rows.ComponentAsync("api", "API", "operational", position: 2);
        await SeedAsync(rows);

        IncidentService = new FakeIncidentService(Database.DataSource, VirtualHost.AmqpUri);
        await IncidentService.StartAsync();

        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host
            .UseSetting("ConnectionStrings:statusdb", Database.ConnectionString)
            .UseSetting("ConnectionStrings:messaging", VirtualHost.AmqpUri.ToString())
            .UseSetting("PublicApi:RefreshInterval", "01:00:00")
            .UseSetting("AdminApi:BootstrapKey", BootstrapKey)
            .UseSetting("AdminApi:CommandTimeoutSeconds", "3")
            .UseSetting("AdminApi:RequestsPerMinute", RequestsPerMinute.ToString(CultureInfo.InvariantCulture)));
        Anonymous = _factory.CreateClient();
        Admin = As(BootstrapKey);
        // The api schema is created in the background at start-up; until then the admin API answers 503. Watched in the
        // database, not through the API: polling the API would spend the bootstrap key's rate limit (3/min in one fixture).
        await Eventually.Until(async () => await ScalarAsync<bool>("select to_regclass('api.postmortem_drafts') is not null and to_regclass('api.keys') is not null"),
            TimeSpan.FromSeconds(30), "the api schema");
    }

    protected virtual Task SeedAsync(ReadModelRows rows) => Task.CompletedTask;

    /// <summary>A client that sends this key as <c>Authorization: Bearer</c>.</summary>
    public HttpClient As(string key)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates a key with the bootstrap key; returns its id and the key itself.</summary>
    public async Task<(string Id, string Key)> CreateKeyAsync(string name, string role)
    {
        using var response = await Admin.PostAsJsonAsync(new Uri("/api/v1/keys", UriKind.Relative), new { key = new { name, role } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("id").GetString()!, body.RootElement.GetProperty("key").GetString()!);
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? key = null, string? json = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public async Task<T?> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    /// <summary>Takes the database away as an outage would: dropped with (force), StatusApi's connections break.</summary>
    public async Task DropDatabaseAsync()
    {
        await using var admin = NpgsqlDataSource.Create(Infrastructure.PostgresConnectionString);
        await using var command = admin.CreateCommand($"drop database {Database.Name} with (force)");
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        Anonymous.Dispose();
        Admin.Dispose();
        await IncidentService.DisposeAsync();
        await _factory.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>Three requests a minute per key, so the fourth is refused.</summary>
public sealed class AdminApiWithTinyRateLimit : AdminApiHost
{
    protected override int RequestsPerMinute => 3;
}

/// <summary>Seven past incidents, one a day from 2024-03-01, named "Incident 1" (oldest) to "Incident 7".</summary>
public sealed class AdminApiWithSevenIncidents : AdminApiHost
{
    protected override async Task SeedAsync(ReadModelRows rows)
    {
        for (var i = 1; i <= 7; i++)
        {
            var at = $"2024-03-0{i}T12:00:00Z";
            await rows.IncidentAsync($"past{i}", $"Incident {i}", "resolved", "minor", createdAt: at, resolvedAt: at, componentIds: ["api"]);
            await rows.IncidentUpdateAsync($"past{i}-u1", $"past{i}", "resolved", i == 4 ? "The disk filled up." : "Fixed.", createdAt: at);
        }
    }
}

/// <summary>A host whose database a test drops; not shared with tests that need it.</summary>
public sealed class AdminApiToLoseItsDatabase : AdminApiHost;
