using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.Receivers;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.Receivers;

/// <summary>Alert webhooks of other monitoring tools, read from their documented payloads and passed on as check results.</summary>
public sealed class ExternalAlertsTests(ExternalAlertsTests.Host host) : IClassFixture<ExternalAlertsTests.Host>, IAsyncLifetime
{
    private const string PingdomToken = "pingdom-shop-1c3e5a7b9d0f2e4a6c8b";
    private const string AlertmanagerToken = "alertmanager-db-5b7d9f1a3c5e7a9c1e3d";
    private static readonly IReadOnlyDictionary<string, string> NoFields = new Dictionary<string, string>();
    private readonly ConcurrentQueue<CheckCompleted> _received = new();
    private IBusControl _bus = null!;

    /// <summary>Two external monitors, as Incident.Service's projection writes them.</summary>
    public sealed class Host : StatusApiHost
    {
        protected override async Task SeedAsync(ReadModelRows rows)
        {
            foreach (var (token, monitor, kind) in new[] { (PingdomToken, "shop-pingdom", "pingdom"), (AlertmanagerToken, "db-alerts", "alertmanager") })
            {
                await using var command = Database.DataSource.CreateCommand("insert into status.heartbeat_monitors (token_sha256, monitor_id, kind) values ($1, $2, $3)");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = HeartbeatTokens.Hash(token) });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = monitor });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
                await command.ExecuteNonQueryAsync();
            }
        }
    }

    public async Task InitializeAsync()
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(host.VirtualHost.AmqpUri);
            rabbit.ReceiveEndpoint($"alerts-tests-{Guid.NewGuid():N}", endpoint => endpoint.Handler<CheckCompleted>(context =>
            {
                _received.Enqueue(context.Message);
                return Task.CompletedTask;
            }));
        });
        await _bus.StartAsync();
    }

    public Task DisposeAsync() => _bus.StopAsync();

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void Each_source_is_read_from_its_documented_payload()
    {
        Assert.Equal(new ExternalAlert(CheckOutcome.Down, "Pingdom: Connection timed out"), ExternalAlerts.Read("pingdom",
            Json("""{"check_id":12345,"check_name":"Shop","previous_state":"UP","current_state":"DOWN","description":"Timeout","long_description":"Connection timed out"}"""), NoFields));
        Assert.Equal(CheckOutcome.Up, ExternalAlerts.Read("pingdom", Json("""{"current_state":"UP"}"""), NoFields).Outcome);
        Assert.Equal(new ExternalAlert(CheckOutcome.Down, "UptimeRobot: Connection Timeout"), ExternalAlerts.Read("uptimerobot", null,
            new Dictionary<string, string> { ["monitorID"] = "7", ["alertType"] = "1", ["alertDetails"] = "Connection Timeout" }));
        Assert.Equal(CheckOutcome.Up, ExternalAlerts.Read("uptimerobot", Json("""{"alertType":2}"""), NoFields).Outcome);
        Assert.Null(ExternalAlerts.Read("uptimerobot", null, new Dictionary<string, string> { ["alertType"] = "3" }).Outcome); // SSL expiry notice
        Assert.Equal(new ExternalAlert(CheckOutcome.Down, "Alert firing: Disk almost full"), ExternalAlerts.Read("alertmanager", Json("""
            {"version":"4","status":"firing","alerts":[{"status":"resolved","labels":{"alertname":"Old"}},
             {"status":"firing","labels":{"alertname":"DiskFull"},"annotations":{"summary":"Disk almost full"}}]}
            """), NoFields));
        Assert.Equal(CheckOutcome.Up, ExternalAlerts.Read("alertmanager", Json("""{"status":"resolved","alerts":[{"status":"resolved","labels":{}}]}"""), NoFields).Outcome);
        Assert.Equal(CheckOutcome.Down, ExternalAlerts.Read("grafana", Json("""{"status":"firing","title":"[FIRING:1]","alerts":[{"status":"firing","labels":{"alertname":"High latency"}}]}"""), NoFields).Outcome);
        Assert.Equal(new ExternalAlert(CheckOutcome.Down, "Grafana: API 5xx"), ExternalAlerts.Read("grafana", Json("""{"state":"alerting","ruleName":"API 5xx"}"""), NoFields));
        Assert.Equal(CheckOutcome.Up, ExternalAlerts.Read("grafana", Json("""{"state":"ok"}"""), NoFields).Outcome);
        Assert.Null(ExternalAlerts.Read("grafana", Json("""{"state":"no_data"}"""), NoFields).Outcome);
        Assert.Null(ExternalAlerts.Read("alertmanager", Json("""{"alerts":"nope"}"""), NoFields).Outcome);
        Assert.Equal(ExternalAlerts.MaxReasonLength, ExternalAlerts.Read("pingdom", Json($$"""{"current_state":"DOWN","description":"{{new string('x', 900)}}"}"""), NoFields).Reason!.Length);
    }

    [Fact]
    public async Task A_pingdom_alert_becomes_a_down_result_for_its_monitor()
    {
        using var content = new StringContent("""{"check_name":"Shop","current_state":"DOWN","description":"HTTP 502"}""", Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync(new Uri($"/api/webhooks/pingdom/{PingdomToken}", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await Eventually.Until(() => Task.FromResult(_received.FirstOrDefault(r => r.MonitorId == "shop-pingdom")), r => r is not null,
            TimeSpan.FromSeconds(20), "the alert on the bus");
        Assert.Equal((CheckOutcome.Down, "external:pingdom", "Pingdom: HTTP 502"), (result!.Outcome, result.Region, result.FailureReason));
    }

    [Fact]
    public async Task Alerts_that_say_neither_down_nor_up_are_acknowledged_and_bad_calls_refused()
    {
        using var test = new StringContent("""{"status":"firing","alerts":[]}""", Encoding.UTF8, "application/json");
        using var ignored = await host.Client.PostAsync(new Uri($"/api/webhooks/alertmanager/{AlertmanagerToken}", UriKind.Relative), test);
        Assert.Equal(HttpStatusCode.OK, ignored.StatusCode);
        Assert.Contains("\"ignored\"", await ignored.Content.ReadAsStringAsync());

        using var broken = new StringContent("{not json", Encoding.UTF8, "application/json");
        using var malformed = await host.Client.PostAsync(new Uri($"/api/webhooks/alertmanager/{AlertmanagerToken}", UriKind.Relative), broken);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        // A token of another source, an unknown source and an unknown token all read the same: no such URL.
        foreach (var path in new[] { $"/api/webhooks/grafana/{PingdomToken}", $"/api/webhooks/nagios/{PingdomToken}", "/api/webhooks/pingdom/unknown-token-000000000000000" })
        {
            using var empty = new StringContent("{}", Encoding.UTF8, "application/json");
            using var refused = await host.Client.PostAsync(new Uri(path, UriKind.Relative), empty);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        // Then a real alert arrives alone: nothing above was published.
        using var firing = new StringContent("""{"status":"firing","alerts":[{"status":"firing","labels":{"alertname":"DbDown"}}]}""", Encoding.UTF8, "application/json");
        using var accepted = await host.Client.PostAsync(new Uri($"/api/webhooks/alertmanager/{AlertmanagerToken}", UriKind.Relative), firing);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await Eventually.Until(() => Task.FromResult(_received.Any(r => r.MonitorId == "db-alerts")), TimeSpan.FromSeconds(20), "the firing alert");
        Assert.Equal("Alert firing: DbDown", Assert.Single(_received, r => r.MonitorId == "db-alerts").FailureReason);
    }
}
