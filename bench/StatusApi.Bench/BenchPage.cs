using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Bench;

/// <summary>
/// The page under test: a throwaway database (<c>sp_bench_…</c>) with the status schema, seeded directly as Incident.Service's
/// projections would write it (50 components, 20 of them top-level and 30 in five groups, and 2 open incidents), and
/// a throwaway RabbitMQ virtual host on which <see cref="ChangeAsync"/> announces each change as the relay would.
/// </summary>
internal sealed class BenchPage : IAsyncDisposable
{
    public const string ChangingComponent = "c01";

    private readonly string _adminConnectionString;
    private readonly HttpClient _management;
    private IBusControl? _bus;
    private int _changes;

    private BenchPage(string adminConnectionString, string database, HttpClient management, string virtualHost, Uri amqpUri)
    {
        _adminConnectionString = adminConnectionString;
        _management = management;
        Database = database;
        VirtualHost = virtualHost;
        AmqpUri = amqpUri;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database, ApplicationName = "StatusApi.Bench" }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Database { get; }

    public string ConnectionString { get; }

    public string VirtualHost { get; }

    public Uri AmqpUri { get; }

    private NpgsqlDataSource DataSource { get; }

    public static async Task<BenchPage> CreateAsync(string adminConnectionString, Uri messaging, Uri managementApi, CancellationToken ct)
    {
        var database = $"sp_bench_{Guid.NewGuid():N}"[..24];
        await using (var admin = NpgsqlDataSource.Create(adminConnectionString))
        await using (var command = admin.CreateCommand($"create database {database}"))
            await command.ExecuteNonQueryAsync(ct);

        var userInfo = Uri.UnescapeDataString(messaging.UserInfo);
        var management = new HttpClient { BaseAddress = managementApi };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo)));
        var virtualHost = database.Replace("sp_bench_", "sp_benchv_", StringComparison.Ordinal);
        var page = new BenchPage(adminConnectionString, database, management, virtualHost, new UriBuilder(messaging) { Path = "/" + virtualHost }.Uri);
        try
        {
            (await management.PutAsJsonAsync($"api/vhosts/{virtualHost}", new { }, ct)).EnsureSuccessStatusCode();
            (await management.PutAsJsonAsync($"api/permissions/{virtualHost}/{Uri.EscapeDataString(userInfo.Split(':')[0])}",
                new { configure = ".*", write = ".*", read = ".*" }, ct)).EnsureSuccessStatusCode();
            await page.SeedAsync(ct);
            // Started now, so that no change pays for connecting to the broker.
            page._bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(page.AmqpUri));
            await page._bus.StartAsync(ct);
            return page;
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Flips <see cref="ChangingComponent"/> between operational and degraded performance: the row first, then the event,
    /// in the order Incident.Service's projection and relay usually get there. Returns the new status.
    /// </summary>
    public async Task<string> ChangeAsync(CancellationToken ct)
    {
        var degraded = Interlocked.Increment(ref _changes) % 2 == 1;
        var (from, to) = degraded
            ? (ComponentStatus.Operational, ComponentStatus.DegradedPerformance)
            : (ComponentStatus.DegradedPerformance, ComponentStatus.Operational);
        var at = DateTimeOffset.UtcNow;
        await ExecuteAsync("update status.components set status = $2, updated_at = $3 where id = $1", ct, ChangingComponent, to, at);
        await _bus!.Publish(new ComponentStatusChanged(ChangingComponent, "Component 01", from, to, at), ct);
        return to;
    }

    private async Task SeedAsync(CancellationToken ct)
    {
        var schema = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "status-schema.sql"), ct);
        await ExecuteAsync(schema, ct);
        var created = new DateTimeOffset(2024, 3, 1, 9, 30, 0, TimeSpan.Zero);
        await ExecuteAsync("insert into status.page (id, name, url, time_zone, updated_at) values ('benchpage001', 'Example University IT', 'https://status.example.edu', 'America/New_York', $1)",
            ct, created);

        // Top-level components c01…c20 at positions 1…20, groups g1…g5 at 21…25 with six children each (c21…c50).
        for (var n = 1; n <= 50; n++)
        {
            var group = n <= 20 ? null : $"g{((n - 21) / 6) + 1}";
            var position = n <= 20 ? n : ((n - 21) % 6) + 1;
            var status = n switch { 7 => ComponentStatus.PartialOutage, 23 => ComponentStatus.MajorOutage, 24 => ComponentStatus.DegradedPerformance, _ => ComponentStatus.Operational };
            await ExecuteAsync("""
                insert into status.components (id, name, status, created_at, updated_at, position, description, showcase, group_id, is_group)
                values ($1, $2, $3, $4, $4, $5, $6, true, $7, false)
                """, ct, $"c{n:00}", $"Component {n:00}", status, created.AddMinutes(n), position,
                n % 3 == 0 ? null : $"Service number {n}, as the people who use it know it", group);
        }
        for (var g = 1; g <= 5; g++)
        {
            await ExecuteAsync("""
                insert into status.components (id, name, status, created_at, updated_at, position, showcase, is_group)
                values ($1, $2, $3, $4, $4, $5, true, true)
                """, ct, $"g{g}", $"Group {g}", g == 1 ? ComponentStatus.MajorOutage : ComponentStatus.Operational, created, 20 + g);
        }

        await IncidentAsync("inc-major", "Login failures for some users", IncidentStatus.Identified, IncidentImpact.Major,
            created.AddDays(30), ["c07", "c23", "c24"],
            ("We are investigating reports of login failures.", IncidentStatus.Investigating),
            ("The cause is a certificate on one identity provider node; we are replacing it.", IncidentStatus.Identified),
            ("The replacement is rolling out; some logins still fail.", IncidentStatus.Identified));
        await IncidentAsync("inc-minor", "Slow file uploads", IncidentStatus.Investigating, IncidentImpact.Minor,
            created.AddDays(31), ["c12"],
            ("Uploads above 100 MB are slow; we are looking into it.", IncidentStatus.Investigating),
            ("Storage traffic is throttled upstream; we have asked the provider to lift it.", IncidentStatus.Investigating));
    }

    private async Task IncidentAsync(string id, string name, string status, string impact, DateTimeOffset at, string[] components,
        params (string Body, string Status)[] updates)
    {
        await ExecuteAsync("""
            insert into status.incidents (id, name, status, impact, created_at, updated_at, started_at, shortlink)
            values ($1, $2, $3, $4, $5, $6, $5, $7)
            """, CancellationToken.None, id, name, status, impact, at, at.AddMinutes(10 * updates.Length), $"https://status.example.edu/incidents/{id}");
        await ExecuteAsync("insert into status.incident_components (incident_id, component_id) select $1, unnest($2::text[])",
            CancellationToken.None, id, components);
        for (var u = 0; u < updates.Length; u++)
        {
            var affected = u == 0
                ? "[" + string.Join(",", components.Select(c => $$"""{"code":"{{c}}","name":"Component {{c[1..]}}","old_status":"operational","new_status":"partial_outage"}""")) + "]"
                : null;
            await ExecuteAsync("""
                insert into status.incident_updates (id, incident_id, status, body, created_at, updated_at, display_at, affected_components)
                values ($1, $2, $3, $4, $5, $5, $5, $6::jsonb)
                """, CancellationToken.None, $"{id}-{u + 1}", id, updates[u].Status, updates[u].Body, at.AddMinutes(10 * u), affected);
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_bus is not null)
            await _bus.StopAsync(CancellationToken.None);
        using (await _management.DeleteAsync(new Uri($"api/vhosts/{VirtualHost}", UriKind.Relative)))
        {
        }
        _management.Dispose();
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(_adminConnectionString);
        try
        {
            // Not the run's token: a cancelled run must still drop its database. FORCE ends StatusApi's connections if it hangs on.
            await using var command = admin.CreateCommand($"drop database if exists {Database} with (force)");
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"could not drop database {Database}: {e.Message}. Drop it by hand."));
        }
    }
}
