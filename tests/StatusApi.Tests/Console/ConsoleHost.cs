using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.Tests.AdminApi;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.Console;

/// <summary>
/// StatusApi with its console over a database and virtual host of its own: a page in Europe/Berlin with a website and a
/// group of two, a monitor of the API (the configuration file's) with check results from two regions, the bootstrap admin
/// from configuration, <see cref="FakeIncidentService"/> answering commands, a stand-in for Notify.Service answering
/// ExportSubscribers with five subscribers and the admin subscriber requests with two, and a stand-in for the probes of
/// eu-west and us-east answering "check now".
/// </summary>
public class ConsoleHost : IAsyncLifetime
{
    public const string AdminName = "root-admin";
    public const string AdminPassword = "correct horse battery staple";

    private WebApplicationFactory<Program> _factory = null!;
    private IBusControl? _notify;

    public TestDatabase Database { get; private set; } = null!;

    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public FakeIncidentService IncidentService { get; private set; } = null!;

    /// <summary>What the Notify.Service and probe stand-ins were asked (subscriber requests, check-now requests).</summary>
    public ConcurrentQueue<object> Received { get; } = new();

    public WebApplicationFactory<Program> Factory => _factory;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        VirtualHost = await TestVirtualHost.CreateAsync();
        await ExecuteAsync(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "status-schema.sql")));
        var rows = new ReadModelRows(Database.DataSource);
        await rows.PageAsync("page", "Campus IT", "https://status.example.test", "Europe/Berlin", updatedAt: "2024-01-01T00:00:00Z");
        await rows.ComponentAsync("website", "Website", "operational", position: 1);
        await rows.ComponentAsync("backend", "Backend", "operational", position: 2, isGroup: true);
        await rows.ComponentAsync("api", "API", "operational", position: 1, groupId: "backend");
        await rows.ComponentAsync("db", "Database", "operational", position: 2, groupId: "backend");
        // The columns of checks.results the console reads (Incident.Service's checks-schema.sql has more, partitioned).
        await ExecuteAsync("""
            create schema checks;
            create table checks.results (check_id uuid, monitor_id text, region text, probe_instance text, started_at timestamptz, duration_ms double precision,
                outcome text, status_code integer, failure_reason text, timings jsonb);
            insert into status.monitors (id, component_id, kind, settings, managed_by, created_at, updated_at, version) values
              ('api-health', 'api', 'http', '{"component_id": "api", "kind": "http", "target": "https://api.example.test/health", "method": "GET", "interval_seconds": 30}',
               'file', now(), now(), 1);
            insert into checks.results values
              (gen_random_uuid(), 'api-health', 'eu-west', 'probe-1', now() - interval '2 minutes', 80, 'up', 200, null, '{"DnsMs": 3, "ConnectMs": 9, "TlsMs": 21, "FirstByteMs": 44, "TotalMs": 80}'),
              (gen_random_uuid(), 'api-health', 'eu-west', 'probe-1', now() - interval '1 minute', 5012, 'down', null, 'timed out after 5000 ms', '{"DnsMs": 4, "TotalMs": 5012}'),
              (gen_random_uuid(), 'api-health', 'us-east', 'probe-2', now() - interval '1 minute', 120, 'up', 200, null, null);
            """);

        IncidentService = new FakeIncidentService(Database.DataSource, VirtualHost.AmqpUri);
        await IncidentService.StartAsync();
        _notify = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(VirtualHost.AmqpUri);
            rabbit.ReceiveEndpoint($"fake-notify-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.Handler<ExportSubscribers>(context => context.RespondAsync(new SubscribersCsv(
                "channel,address,scope,components,incident,locale,confirmed,quarantined_at\r\n" +
                "email,ann@example.test,page,,,en,true,\r\n" +
                "slack,\"https://hooks.slack.test/a,b\",components,api;db,,en,true,\r\n" +
                "email,bob@example.test,components,website,,en,true,\r\n" +
                "email,unconfirmed@example.test,page,,,en,false,\r\n" +
                "sms,+4915100000000,page,,,de,true,2024-01-01T00:00:00.0000000Z\r\n", 5)));
                endpoint.Handler<ListSubscribers>(context => Answer(context, context.Message.State == "nonsense"
                    ? new CommandRejected("The subscriber search is not valid.", new Dictionary<string, string[]> { ["state"] = ["Must be one of pending, confirmed, quarantined, unsubscribed or all."] })
                    : new SubscriberList([.. Subscribers.Where(s => s.Address.Contains(context.Message.Query ?? "", StringComparison.OrdinalIgnoreCase))], 2, 1, 50)));
                endpoint.Handler<GetSubscriber>(context => Answer(context, Subscribers.FirstOrDefault(s => s.SubscriberId == context.Message.SubscriberId) is { } found
                    ? new SubscriberDetails(found, found.State == SubscriberState.Quarantined ? "550 5.1.1 mailbox unavailable" : null, found.State == SubscriberState.Quarantined
                        ? [new SubscriberDelivery("d1", "e1", "incident_opened", "inc-old", "email", "failed", 5, "550 5.1.1 mailbox unavailable", "550", DateTimeOffset.UtcNow.AddDays(-1), null, DateTimeOffset.UtcNow)]
                        : [])
                    : new CommandRejected("No such subscriber", new Dictionary<string, string[]>(), NotFound: true)));
                endpoint.Handler<ReactivateSubscriber>(context => Answer(context, new SubscriberDetails(Subscribers[1], null, [])));
                endpoint.Handler<RemoveSubscriber>(context => Answer(context, new SubscriberDetails(Subscribers[0], null, [])));
                // The owner of the monitor in each of two regions checks it once and answers.
                endpoint.Handler<CheckNowRequested>(async context =>
                {
                    Received.Enqueue(context.Message);
                    foreach (var (region, outcome, reason) in new[] { ("eu-west", CheckOutcome.Down, "connection refused"), ("us-east", CheckOutcome.Up, (string?)null) })
                    {
                        var result = new CheckCompleted(Guid.NewGuid(), context.Message.MonitorId, region, $"probe-{region}", DateTimeOffset.UtcNow, outcome == CheckOutcome.Up ? 42 : 3,
                            outcome, outcome == CheckOutcome.Up ? 200 : null, reason, new CheckTimings(1, 2, 3, 40, outcome == CheckOutcome.Up ? 42 : 3));
                        await context.Publish(new CheckNowCompleted(context.Message.RequestId, context.Message.MonitorId, region, $"probe-{region}", result));
                    }
                });
            });
        });
        await _notify.StartAsync();

        _factory = CreateInstance(Database.ConnectionString);
        _ = _factory.Services; // starts the host
        // The console's tables and the bootstrap admin are created in the background at start-up.
        await Eventually.Until(async () => await ScalarAsync<long>("select count(*) from api.console_users where username = $1", AdminName) == 1,
            TimeSpan.FromSeconds(60), "the bootstrap admin");
        // The admin API's key table is created by another background start-up (the users page lists keys): wait for it too.
        await Eventually.Until(async () => await ScalarAsync<bool>("select to_regclass('api.keys') is not null"), TimeSpan.FromSeconds(60), "the api.keys table");
    }

    /// <summary>A bounced address (quarantined) and a confirmed one, as Notify.Service's admin answers list them.</summary>
    public static readonly SubscriberRecord[] Subscribers =
    [
        new("sub-bounced", "email", "bounced@example.test", "components", ["api"], null, "en", SubscriberState.Quarantined,
            DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1), null, 5),
        new("sub-fine", "email", "fine@example.test", "page", [], null, "en", SubscriberState.Confirmed,
            DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-10), null, null, 0),
    ];

    /// <summary>A browser of its own: its own cookies, no automatic redirects, over https (the session cookie is Secure).</summary>
    public ConsoleBrowser Browser() => new(_factory.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"),
        AllowAutoRedirect = false,
        HandleCookies = true,
    }));

    /// <summary>A browser on <paramref name="factory"/> that keeps its cookies in <paramref name="cookies"/> (share it to move a session between instances).</summary>
    public static ConsoleBrowser Browser(WebApplicationFactory<Program> factory, CookieContainer cookies) =>
        new(factory.CreateDefaultClient(new Uri("https://localhost"), new CookieContainerHandler(cookies)));

    /// <summary>Another StatusApi like this one (same settings, same broker), over <paramref name="connectionString"/>.</summary>
    public WebApplicationFactory<Program> CreateInstance(string connectionString) => Configure(new WebApplicationFactory<Program>(), connectionString);

    private WebApplicationFactory<Program> Configure(WebApplicationFactory<Program> factory, string connectionString) => factory.WithWebHostBuilder(host => host
        .UseSetting("ConnectionStrings:statusdb", connectionString)
        .UseSetting("ConnectionStrings:messaging", VirtualHost.AmqpUri.ToString())
        .UseSetting("PublicApi:RefreshInterval", "01:00:00")
        .UseSetting("AdminApi:CommandTimeoutSeconds", "5")
        .UseSetting("Console:BootstrapUser", AdminName)
        .UseSetting("Console:BootstrapPassword", AdminPassword)
        .UseSetting("Console:MaxFailedAttempts", "3"));

    private async Task Answer<TRequest>(ConsumeContext<TRequest> context, object answer) where TRequest : class
    {
        Received.Enqueue(context.Message);
        await context.RespondAsync(answer, answer.GetType());
    }

    /// <summary>A browser signed in as the bootstrap admin.</summary>
    public async Task<ConsoleBrowser> AdminAsync()
    {
        var browser = Browser();
        await browser.SignInAsync(AdminName, AdminPassword, expect: HttpStatusCode.Redirect);
        return browser;
    }

    /// <summary>Creates a user through the console as the bootstrap admin; returns a browser signed in as them.</summary>
    public async Task<ConsoleBrowser> UserAsync(string name, string role, string password = "a long enough password")
    {
        using var admin = await AdminAsync();
        using var created = await admin.PostFormAsync("/console/users", "/console/users", new() { ["username"] = name, ["role"] = role, ["password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var browser = Browser();
        await browser.SignInAsync(name, password, expect: HttpStatusCode.Redirect);
        return browser;
    }

    public async Task<T?> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        try
        {
            var result = await command.ExecuteScalarAsync();
            return result is null or DBNull ? default : (T)result;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return default;
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_notify is not null)
            await _notify.StopAsync();
        await IncidentService.DisposeAsync();
        await _factory.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>One person's browser on the console: cookies kept, forms posted with the antiforgery token of the page they came from.</summary>
public sealed partial class ConsoleBrowser(HttpClient client) : IDisposable
{
    public HttpClient Client => client;

    public async Task<(HttpResponseMessage Response, string Html)> GetAsync(string path)
    {
        var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Opens <paramref name="page"/>, takes its antiforgery token and posts the fields to <paramref name="action"/>.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string page, string action, Dictionary<string, string> fields, bool withToken = true)
    {
        var (response, html) = await GetAsync(page);
        using (response)
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var form = new List<KeyValuePair<string, string>>(fields);
        if (withToken)
            form.Add(new("__csrf", Token(html)));
        return await client.PostAsync(new Uri(action, UriKind.Relative), new FormUrlEncodedContent(form));
    }

    public async Task SignInAsync(string name, string password, HttpStatusCode expect)
    {
        using var response = await PostFormAsync("/console/sign-in", "/console/sign-in", new() { ["username"] = name, ["password"] = password });
        Assert.Equal(expect, response.StatusCode);
    }

    public static string Token(string html) => TokenPattern().Match(html) is { Success: true } m
        ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new Xunit.Sdk.XunitException("The page has no antiforgery token:\n" + html);

    public void Dispose() => client.Dispose();

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
