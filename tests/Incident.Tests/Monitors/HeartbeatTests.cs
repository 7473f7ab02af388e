using StatusPlatform.Contracts;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Monitors;
using StatusPlatform.Incident.Monitors.Heartbeats;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Incident.Tests.Monitors;

/// <summary>Heartbeat (push) monitors: the file, the deadline arithmetic, and silence and pings folded by the running service.</summary>
public sealed class HeartbeatTests(HeartbeatTests.Service service) : IClassFixture<HeartbeatTests.Service>
{
    private const string Token = "backup-job-3f9c2a7d1e8b4c6f0a5d";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 2, 0, 0, TimeSpan.Zero);

    /// <summary>One component fed only by a heartbeat monitor expecting a ping every 2 s with 1 s of grace, swept every 200 ms.</summary>
    public sealed class Service : IncidentServiceWithCatalog
    {
        protected override string CatalogYaml => """
            page:
              name: Test Status
              url: http://status.test
            components:
              - id: backup
                name: Nightly backup
            monitors:
              - id: backup-job
                component: backup
                kind: heartbeat
                token: backup-job-3f9c2a7d1e8b4c6f0a5d
                interval: 2s
                grace: 1s
            """;

        protected override Dictionary<string, string?> Settings => new() { ["Heartbeats:SweepSeconds"] = "0.2" };
    }

    private const string Head = """
        page:
          name: Acme Status
          url: https://status.acme.test
        components:
          - id: jobs
            name: Jobs
        monitors:
          - id: backup
            component: jobs
            kind: heartbeat

        """;

    [Fact]
    public void The_file_keeps_only_the_hash_of_the_token_and_the_deadline_settings()
    {
        var catalog = CatalogFile.Parse(Head + "    token: " + Token + "\n    interval: 1h\n    grace: 10m\n", "acme.yaml");

        var settings = catalog.Monitors.Single().Item2;
        Assert.Equal(("heartbeat", 3600, 1, 1), (settings.Kind, settings.IntervalSeconds, settings.FailureThreshold, settings.SuccessThreshold));
        Assert.Equal(new HeartbeatSettings(HeartbeatSettings.Hash(Token), 600), settings.Heartbeat);
        Assert.Equal(64, settings.Heartbeat!.TokenSha256.Length);
        Assert.DoesNotContain(Token, System.Text.Json.JsonSerializer.Serialize(settings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_can_come_from_the_environment()
    {
        var variable = $"SP_TEST_HEARTBEAT_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, Token);
        try
        {
            var settings = CatalogFile.Parse(Head + "    token_env: " + variable + "\n", "acme.yaml").Monitors.Single().Item2;
            Assert.Equal(HeartbeatSettings.Hash(Token), settings.Heartbeat!.TokenSha256);
            Assert.Equal((300, 60), (settings.IntervalSeconds, settings.Heartbeat.GraceSeconds)); // the defaults
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Theory]
    [InlineData("    interval: 1h\n", "monitors[0].token", "exactly one of token")]
    [InlineData("    token: short\n", "monitors[0].token", "24 to 128 characters")]
    [InlineData("    token: " + Token + "\n    token_env: X\n", "monitors[0].token", "exactly one of token")]
    [InlineData("    token_env: SP_TEST_HEARTBEAT_NOT_SET_ANYWHERE\n", "monitors[0].token_env", "is not set")]
    [InlineData("    token: " + Token + "\n    timeout: 5s\n", "monitors[0].timeout", "does not apply to heartbeat monitors")]
    [InlineData("    token: " + Token + "\n    failure_threshold: 3\n", "monitors[0].failure_threshold", "does not apply to heartbeat monitors")]
    [InlineData("    token: " + Token + "\n    url: http://x.test/\n", "monitors[0].url", "applies to http monitors, not to kind heartbeat")]
    [InlineData("    token: " + Token + "\n    grace: soon\n", "monitors[0].grace", "is not a duration")]
    [InlineData("    token: " + Token + "\n  - id: restore\n    component: jobs\n    kind: heartbeat\n    token: " + Token + "\n", "monitors[1].token", "already uses this token")]
    public void Invalid_heartbeat_settings_name_the_field(string rest, string field, string problem)
    {
        var error = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(Head + rest, "acme.yaml"));

        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void The_deadline_runs_from_the_last_ping_or_from_the_definition_and_not_while_down()
    {
        var since = T0;
        Assert.Null(HeartbeatDeadline.Missed(null, false, since, 60, 30, T0.AddSeconds(90))); // exactly at the deadline: on time
        Assert.Equal(T0.AddSeconds(90), HeartbeatDeadline.Missed(null, false, since, 60, 30, T0.AddSeconds(90.001)));
        Assert.Null(HeartbeatDeadline.Missed(T0.AddSeconds(50), false, since, 60, 30, T0.AddSeconds(100)));
        Assert.Equal(T0.AddSeconds(140), HeartbeatDeadline.Missed(T0.AddSeconds(50), false, since, 60, 30, T0.AddSeconds(141)));
        Assert.Null(HeartbeatDeadline.Missed(T0.AddSeconds(50), true, since, 60, 30, T0.AddHours(1))); // already down: nothing more to say
        // A ping from before the monitor was (re)defined does not start the clock early.
        Assert.Equal(T0.AddSeconds(90), HeartbeatDeadline.Missed(T0.AddSeconds(-500), false, since, 60, 30, T0.AddSeconds(91)));
    }

    [Fact]
    public void Two_instances_noticing_the_same_silence_produce_the_same_result()
    {
        var first = HeartbeatDeadline.Result("backup", T0, 60, 30);
        var second = HeartbeatDeadline.Result("backup", T0, 60, 30);

        Assert.Equal(first.CheckId, second.CheckId);
        Assert.NotEqual(first.CheckId, HeartbeatDeadline.Result("backup", T0.AddSeconds(90), 60, 30).CheckId);
        Assert.NotEqual(first.CheckId, HeartbeatDeadline.Result("restore", T0, 60, 30).CheckId);
        Assert.Equal((CheckOutcome.Down, HeartbeatPings.Region, T0), (first.Outcome, first.Region, first.StartedAt));
        Assert.Equal("no heartbeat within 90 s (interval 60 s + grace 30 s)", first.FailureReason);
    }

    [Fact]
    public async Task Silence_takes_the_component_down_a_ping_brings_it_back_and_the_next_silence_counts_from_that_ping()
    {
        const string wentDown = "select count(*) from events.events where stream_id = 'monitor-backup-job' and event_type = 'monitor_went_down'";
        Task<string?> Status() => service.ScalarAsync<string>("select status from status.components where id = 'backup'");

        // Probes never see it, StatusApi can find it by the token's hash.
        var catalog = await service.CatalogClient.GetResponse<MonitorCatalog>(new GetMonitorCatalog("probe-1", "eu"));
        Assert.DoesNotContain(catalog.Message.Monitors, m => m.MonitorId == "backup-job");
        Assert.Equal("backup-job", await Eventually.Until(() => service.ScalarAsync<string>(
            "select monitor_id from status.heartbeat_monitors where token_sha256 = $1", HeartbeatSettings.Hash(Token)), id => id is not null, Wait, "the token's row"));

        // No ping since the service defined the monitor: down after interval + grace.
        await Eventually.Until(async () => await Status() == "major_outage", Wait, "the silent job's component to go down");
        Assert.Contains("no heartbeat within 3 s", await service.ScalarAsync<string>(
            "select data::text from events.events where stream_id = 'monitor-backup-job' and event_type = 'monitor_went_down'"));
        Assert.Equal(1L, await service.ScalarAsync<long>(wentDown));

        // The job calls: StatusApi publishes a result in the heartbeat region.
        var ping = new CheckCompleted(Guid.NewGuid(), "backup-job", HeartbeatPings.Region, "statusapi-1", DateTimeOffset.UtcNow, 0, CheckOutcome.Up, null, null, null);
        await service.SendAsync(ping);
        await Eventually.Until(async () => await Status() == "operational", Wait, "the component to recover on the ping");
        var recoveredAt = DateTimeOffset.UtcNow;

        // Silence again: a second outage, from the ping's deadline on.
        await Eventually.Until(async () => await service.ScalarAsync<long>(wentDown) == 2, Wait, "the second missed deadline");
        Assert.True(DateTimeOffset.UtcNow >= ping.StartedAt.AddSeconds(3), "the second outage must not come before the ping's deadline");
        Assert.True(recoveredAt < DateTimeOffset.UtcNow);
        Assert.Equal("major_outage", await Eventually.Until(Status, s => s == "major_outage", Wait, "the component down again"));
        var missed = await service.ScalarAsync<long>(
            "select count(*) from checks.results where monitor_id = 'backup-job' and probe_instance = 'incident-service' and outcome = 'down'");
        Assert.Equal(2L, missed); // one recorded failure per missed deadline, though the sweep ran many times
    }
}

/// <summary>External monitors: alerts from another tool's webhook, kept like heartbeat tokens.</summary>
public sealed class ExternalMonitorFileTests
{
    private const string Token = "pingdom-hook-8e2b4c6d0f1a3e5c7b9d";
    private const string Head = """
        page:
          name: Acme Status
          url: https://status.acme.test
        components:
          - id: shop
            name: Shop
        monitors:
          - id: shop-pingdom
            component: shop
            kind: external

        """;

    [Fact]
    public void An_external_monitor_names_its_source_and_keeps_only_the_token_hash()
    {
        var settings = CatalogFile.Parse(Head + "    source: pingdom\n    token: " + Token + "\n", "acme.yaml").Monitors.Single().Item2;

        Assert.Equal(new ExternalSettings("pingdom", HeartbeatSettings.Hash(Token)), settings.External);
        Assert.Equal(HeartbeatSettings.Hash(Token), settings.PushTokenSha256);
        Assert.Null(settings.Heartbeat);
        Assert.Empty(new CatalogSnapshot(1, new Dictionary<string, StatusPlatform.Incident.Monitors.Monitor>
        {
            ["shop-pingdom"] = new("shop-pingdom", settings, false, false),
        }).ToMessage().Monitors); // probes never see it
    }

    [Theory]
    [InlineData("    source: nagios\n    token: " + Token + "\n", "monitors[0].source", "not a supported alert source")]
    [InlineData("    token: " + Token + "\n", "monitors[0].source", "is required")]
    [InlineData("    source: grafana\n    token: " + Token + "\n    grace: 5m\n", "monitors[0].grace", "applies to heartbeat monitors, not to kind external")]
    [InlineData("    source: grafana\n    token: " + Token + "\n    success_threshold: 2\n", "monitors[0].success_threshold", "each alert counts")]
    public void Invalid_external_settings_name_the_field(string rest, string field, string problem)
    {
        var error = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(Head + rest, "acme.yaml"));

        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message);
    }
}
