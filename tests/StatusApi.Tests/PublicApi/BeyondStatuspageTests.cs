using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Tests.PublicApi;

/// <summary>
/// Uptime, response times and the subscription endpoints. The subscription side is Notify.Service's (tested there); a
/// stand-in answers the commands on the bus here, so these are contract tests of StatusApi's pass-through.
/// </summary>
public sealed class BeyondStatuspageTests(BeyondStatuspageTests.Page page) : IClassFixture<BeyondStatuspageTests.Page>, IAsyncLifetime
{
    private readonly List<object> _commands = [];
    private IBusControl _bus = null!;

    /// <summary>A component that was down for 6 of the last 48 hours, and hourly rollups of one monitor.</summary>
    public sealed class Page : StatusApiHost
    {
        protected override async Task SeedAsync(ReadModelRows rows)
        {
            await rows.PageAsync("page1", "Acme", "https://status.acme.test", "Etc/UTC", updatedAt: "2024-01-01T00:00:00Z");
            await rows.ComponentAsync("api", "API", "operational", position: 1);
            var today = DateTimeOffset.UtcNow.Date;
            await ExecuteAsync("""
                insert into status.component_status_intervals (component_id, status, started_at, ended_at) values
                  ('api', 'operational', $1, $2), ('api', 'major_outage', $2, $3), ('api', 'operational', $3, null)
                """, new DateTimeOffset(today.AddDays(-1), TimeSpan.Zero), new DateTimeOffset(today.AddDays(-1).AddHours(6), TimeSpan.Zero),
                new DateTimeOffset(today.AddDays(-1).AddHours(12), TimeSpan.Zero));
            await ExecuteAsync("""
                create schema if not exists checks;
                create table checks.result_rollups_hourly (monitor_id text, region text, hour timestamptz, count int, failures int,
                    p50_ms double precision, p95_ms double precision, max_ms double precision, primary key (monitor_id, region, hour));
                insert into checks.result_rollups_hourly values ('api-http', 'eu', date_trunc('hour', now()) - interval '2 hours', 120, 3, 41.5, 88, 240);
                """);
        }

        private async Task ExecuteAsync(string sql, params object[] values)
        {
            await using var command = Database.DataSource.CreateCommand(sql);
            foreach (var value in values)
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task InitializeAsync()
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(page.VirtualHost.AmqpUri);
            rabbit.ReceiveEndpoint($"notify-stand-in-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.Handler<Subscribe>(context =>
                {
                    _commands.Add(context.Message);
                    return context.Message.Address.Contains('@')
                        ? context.RespondAsync(new SubscriptionCreated("s1", "email", ConfirmationSent: true))
                        : context.RespondAsync(new CommandRejected("Invalid", new Dictionary<string, string[]> { ["address"] = ["is not an email address"] }));
                });
                endpoint.Handler<Unsubscribe>(context => context.Message.Token == "good"
                    ? context.RespondAsync(new CommandAccepted("s1", 0))
                    : context.RespondAsync(new CommandRejected("Unknown", new Dictionary<string, string[]> { ["token"] = ["unknown"] }, NotFound: true)));
            });
        });
        await _bus.StartAsync();
    }

    public Task DisposeAsync() => _bus.StopAsync();

    [Fact]
    public async Task Daily_uptime_follows_the_rule_and_bad_ranges_are_refused()
    {
        var body = await page.GetJsonAsync("/api/v2/components/api/uptime.json?days=3");

        var days = body.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(3, days.Count);
        Assert.Equal(0.75, days[1].GetProperty("uptime").GetDouble(), 3); // yesterday: 6 of 24 hours in major outage (a fraction)
        Assert.Equal(1.0, days[2].GetProperty("uptime").GetDouble(), 3);
        Assert.Equal(JsonValueKind.Null, days[0].GetProperty("uptime").ValueKind); // before the component existed

        using var tooMany = await page.Client.GetAsync(new Uri("/api/v2/components/api/uptime.json?days=5000", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        using var unknown = await page.Client.GetAsync(new Uri("/api/v2/components/nope/uptime.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Response_times_come_from_the_hourly_rollups()
    {
        var body = await page.GetJsonAsync("/api/v2/monitors/api-http/response-times.json?hours=6");

        var point = Assert.Single(body.GetProperty("hours").EnumerateArray());
        Assert.Equal(("eu", 120, 3, 41.5, 88.0), (point.GetProperty("region").GetString(), point.GetProperty("count").GetInt32(), point.GetProperty("failures").GetInt32(),
            point.GetProperty("p50_ms").GetDouble(), point.GetProperty("p95_ms").GetDouble()));
    }

    [Fact]
    public async Task Subscriptions_pass_through_to_notify_with_its_answers()
    {
        using var created = await page.Client.PostAsJsonAsync("/api/v2/subscriptions", new { channel = "email", address = "ann@example.com", component_ids = new[] { "api" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var sent = Assert.IsType<Subscribe>(Assert.Single(_commands));
        Assert.Equal(("email", "ann@example.com", "api"), (sent.Channel, sent.Address, sent.ComponentIds!.Single()));

        using var refused = await page.Client.PostAsJsonAsync("/api/v2/subscriptions", new { channel = "email", address = "not-an-address" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("address", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var gone = await page.Client.DeleteAsync(new Uri("/api/v2/subscriptions/good", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, gone.StatusCode);
        using var unknown = await page.Client.DeleteAsync(new Uri("/api/v2/subscriptions/forged", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
