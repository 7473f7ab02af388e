using System.Globalization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StatusPlatform.StatusApi.PublicApi.Serving;
using StatusPlatform.StatusApi.StatusPage.Live;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.StatusPage;

/// <summary>
/// StatusApi in the in-memory test server over a database and virtual host of its own, like <see cref="StatusApiHost"/>,
/// with configuration of the status page a subclass may add (branding) and the rows the HTML page reads beyond the v2
/// ones (maintenances, status intervals, postmortems).
/// </summary>
public abstract class StatusPageHost : IAsyncLifetime
{
    private WebApplicationFactory<Program> _factory = null!;

    public TestDatabase Database { get; private set; } = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>When the fixture was seeded; rows are placed relative to it (yesterday, an hour ago).</summary>
    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        VirtualHost = await TestVirtualHost.CreateAsync();
        var schema = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "status-schema.sql"));
        await ExecuteAsync(schema);
        await SeedAsync(new ReadModelRows(Database.DataSource));
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("ConnectionStrings:statusdb", Database.ConnectionString)
                .UseSetting("ConnectionStrings:messaging", VirtualHost.AmqpUri.ToString())
                // Only what a test does on purpose refreshes the page.
                .UseSetting("PublicApi:RefreshInterval", "01:00:00")
                .UseSetting("StatusPage:ExtrasRefreshInterval", "01:00:00")
                .UseSetting("StatusPage:SubscriptionRequestsPerMinute", "1000000"); // out of the way, unless a subclass's Settings say otherwise
            foreach (var (key, value) in Settings)
                host.UseSetting(key, value);
        });
        Client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    protected abstract Task SeedAsync(ReadModelRows rows);

    public LivePage Live => _factory.Services.GetRequiredService<LivePage>();

    /// <summary>Reads the read model now, as an integration event would have StatusApi do, and waits until the HTML page's version moved.</summary>
    public async Task RefreshAsync()
    {
        var before = Live.Current.Version;
        await _factory.Services.GetRequiredService<PageRefresher>().RefreshAsync(CancellationToken.None);
        await Eventually.Until(() => Task.FromResult(Live.Current.Version != before), TimeSpan.FromSeconds(10), "the status page to take in the change");
    }

    public async Task<string> GetHtmlAsync(string path, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (acceptLanguage is not null)
            request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        using var response = await Client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}\n{html}");
        return html;
    }

    public async Task ExecuteAsync(string sql, params object?[] values)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        await command.ExecuteNonQueryAsync();
    }

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>
/// A page in UTC with an API (in the group Backend) in partial outage, an open major incident on it whose updates hold
/// Markdown and an XSS attempt, yesterday's two-hour outage of the API in the status history (with its incident),
/// an older incident with a postmortem, maintenance in progress on the database and maintenance scheduled for tomorrow.
/// </summary>
public class PageWithOutage : StatusPageHost
{
    public const string XssBody = "<script>alert('owned')</script> [click me](javascript:alert(1)) <img src=x onerror=alert(2)> [docs](https://example.test/docs)";

    public DateOnly Yesterday => DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-1);

    protected override async Task SeedAsync(ReadModelRows rows)
    {
        var yesterday = new DateTimeOffset(Yesterday.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await rows.PageAsync("page", "Example Status", "https://status.example.test", "Etc/UTC", "2024-01-01T00:00:00Z");
        await rows.ComponentAsync("website", "Website", "operational", position: 1, description: "The public site");
        await rows.ComponentAsync("backend", "Backend", "partial_outage", position: 2, isGroup: true);
        await rows.ComponentAsync("api", "API", "partial_outage", position: 1, groupId: "backend");
        await rows.ComponentAsync("db", "Database", "operational", position: 2, groupId: "backend");
        await rows.ComponentAsync("cdn", "CDN", "operational", position: 3, onlyShowIfDegraded: true);

        await rows.IncidentAsync("inc-open", "API errors", "investigating", "major", createdAt: Iso(Now.AddHours(-1)), componentIds: ["api"]);
        await rows.IncidentUpdateAsync("upd-open-1", "inc-open", "investigating", "We are **investigating** errors on the API.", createdAt: Iso(Now.AddHours(-1)));
        await rows.IncidentUpdateAsync("upd-open-2", "inc-open", "investigating", XssBody, createdAt: Iso(Now.AddMinutes(-30)));

        await rows.IncidentAsync("inc-yesterday", "API down yesterday", "resolved", "critical", createdAt: Iso(yesterday.AddHours(10)),
            resolvedAt: Iso(yesterday.AddHours(12)), componentIds: ["api"]);
        await rows.IncidentUpdateAsync("upd-yesterday-1", "inc-yesterday", "resolved", "Fixed.", createdAt: Iso(yesterday.AddHours(12)));

        await rows.IncidentAsync("inc-pm", "Disk full", "postmortem", "minor", createdAt: Iso(Now.AddDays(-40)), resolvedAt: Iso(Now.AddDays(-40).AddHours(1)),
            componentIds: ["website"]);
        await rows.IncidentUpdateAsync("upd-pm-1", "inc-pm", "resolved", "Space freed.", createdAt: Iso(Now.AddDays(-40).AddHours(1)));
        await ExecuteAsync("update status.incidents set postmortem_body = $2 where id = $1", "inc-pm", "## What happened\nThe **disk** filled up.");

        // The API: up for days, a two-hour major outage yesterday from 10:00 to 12:00 UTC, up again until an hour ago.
        await IntervalAsync("api", "operational", yesterday.AddDays(-5), yesterday.AddHours(10));
        await IntervalAsync("api", "major_outage", yesterday.AddHours(10), yesterday.AddHours(12));
        await IntervalAsync("api", "operational", yesterday.AddHours(12), Now.AddHours(-1));
        await IntervalAsync("api", "partial_outage", Now.AddHours(-1), null);
        await IntervalAsync("website", "operational", yesterday.AddDays(-5), null);

        await MaintenanceAsync("mnt-active", "Database upgrade", "in_progress", Now.AddMinutes(-30), Now.AddMinutes(30), "db", "Upgrading the database.");
        await MaintenanceAsync("mnt-next", "Website move", "scheduled", Now.AddDays(1), Now.AddDays(1).AddHours(2), "website", "We move the website.");
    }

    public Task IntervalAsync(string componentId, string status, DateTimeOffset from, DateTimeOffset? to) =>
        ExecuteAsync("insert into status.component_status_intervals (component_id, status, started_at, ended_at) values ($1, $2, $3, $4)",
            componentId, status, from, to);

    public async Task MaintenanceAsync(string id, string name, string status, DateTimeOffset from, DateTimeOffset until, string componentId, string body)
    {
        await ExecuteAsync(
            """
            insert into status.maintenances (id, name, status, scheduled_for, scheduled_until, created_at, updated_at, started_at)
            values ($1, $2, $3, $4, $5, $4, $4, case when $3 = 'scheduled' then null else $4 end)
            """, id, name, status, from, until);
        await ExecuteAsync("insert into status.maintenance_components (maintenance_id, component_id) values ($1, $2)", id, componentId);
        await ExecuteAsync("insert into status.maintenance_updates (id, maintenance_id, status, body, created_at, display_at) values ($1, $2, $3, $4, $5, $5)",
            id + "-1", id, status, body, from);
    }
}

/// <summary><see cref="PageWithOutage"/> with branding from configuration: a logo on another host, an accent colour, custom CSS.</summary>
public sealed class BrandedPage : PageWithOutage
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["StatusPage:LogoUrl"] = "https://cdn.example.test/logo.svg",
        ["StatusPage:AccentColor"] = "#663399",
        ["StatusPage:CustomCss"] = ".banner { border-radius: 0; }",
    };
}
