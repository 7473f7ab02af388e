using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using MassTransit;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.Receivers;
using StatusPlatform.TestSupport;

namespace StatusPlatform.StatusApi.Tests.Receivers;

/// <summary>A job pings its heartbeat URL: StatusApi turns the ping into a check result on the bus, and nothing else gets through.</summary>
public sealed class HeartbeatReceiverTests(HeartbeatReceiverTests.Host host) : IClassFixture<HeartbeatReceiverTests.Host>, IAsyncLifetime
{
    private const string Token = "nightly-backup-7c1f0e9a2b4d6e8f1a3c";
    private readonly ConcurrentQueue<CheckCompleted> _received = new();
    private IBusControl _bus = null!;

    /// <summary>One heartbeat monitor, as Incident.Service's projection writes it: only the token's hash.</summary>
    public sealed class Host : StatusApiHost
    {
        protected override async Task SeedAsync(ReadModelRows rows)
        {
            await using var command = Database.DataSource.CreateCommand("insert into status.heartbeat_monitors (token_sha256, monitor_id) values ($1, 'backup-job')");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = HeartbeatTokens.Hash(Token) });
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task InitializeAsync()
    {
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(host.VirtualHost.AmqpUri);
            rabbit.ReceiveEndpoint($"heartbeat-tests-{Guid.NewGuid():N}", endpoint => endpoint.Handler<CheckCompleted>(context =>
            {
                _received.Enqueue(context.Message);
                return Task.CompletedTask;
            }));
        });
        await _bus.StartAsync();
    }

    public Task DisposeAsync() => _bus.StopAsync();

    private Task<CheckCompleted> NextAsync(Func<CheckCompleted, bool> match) => Eventually.Until(
        () => Task.FromResult(_received.FirstOrDefault(match)), r => r is not null, TimeSpan.FromSeconds(20), "the ping on the bus")!;

    [Fact]
    public async Task A_get_ping_publishes_an_up_result_for_the_monitor_in_the_heartbeat_region()
    {
        using var response = await host.Client.GetAsync(new Uri($"/api/heartbeat/{Token}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(body.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("backup-job", body.RootElement.GetProperty("monitor_id").GetString());
        var result = await NextAsync(r => r.Outcome == CheckOutcome.Up);
        Assert.Equal(("backup-job", HeartbeatPings.Region, (string?)null), (result.MonitorId, result.Region, result.FailureReason));
        Assert.True(DateTimeOffset.UtcNow - result.StartedAt < TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(Token, JsonSerializer.Serialize(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_can_report_its_own_failure_with_a_message()
    {
        using var response = await host.Client.PostAsync(new Uri($"/api/heartbeat/{Token}?status=down&msg=disk%20full", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await NextAsync(r => r.Outcome == CheckOutcome.Down);
        Assert.Equal(("backup-job", "disk full"), (result.MonitorId, result.FailureReason));
    }

    [Theory]
    [InlineData("/api/heartbeat/nightly-backup-7c1f0e9a2b4d6e8f1a3X", HttpStatusCode.NotFound, null)]
    [InlineData("/api/heartbeat/%27%20or%201=1--", HttpStatusCode.NotFound, null)]
    [InlineData("/api/heartbeat/" + Token + "?status=maybe", HttpStatusCode.BadRequest, "status")]
    public async Task Unknown_tokens_and_bad_values_are_refused_and_publish_nothing(string path, HttpStatusCode expected, string? field)
    {
        using var response = await host.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
        }
        // A valid ping after the refused one arrives alone: the refused request published nothing.
        var marker = $"marker-{Guid.NewGuid():N}";
        using var ok = await host.Client.GetAsync(new Uri($"/api/heartbeat/{Token}?status=down&msg={marker}", UriKind.Relative));
        await NextAsync(r => r.FailureReason == marker);
        Assert.DoesNotContain(_received, r => r.MonitorId != "backup-job" || (r.Outcome == CheckOutcome.Down && r.FailureReason != marker));
    }

    [Fact]
    public async Task An_overlong_message_is_refused()
    {
        using var response = await host.Client.GetAsync(new Uri($"/api/heartbeat/{Token}?status=down&msg={new string('x', HeartbeatApi.MaxMessageLength + 1)}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
