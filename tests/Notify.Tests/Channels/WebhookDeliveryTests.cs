using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Channels;

/// <summary>Webhook subscribers against a local receiver: the ping, signatures, filters, deduplication, retries and quarantine.</summary>
public sealed class WebhookDeliveryTests
{
    [Fact]
    public async Task A_new_webhook_gets_a_signed_ping_and_then_signed_statuspage_shaped_incidents()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        var created = await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("webhook", receiver.Url("/hook")));
        Assert.NotNull(created.WebhookSecret);
        Assert.NotNull(created.ManageToken);

        var ping = Assert.Single(await RequestsAsync(receiver, "/hook", 1));
        Assert.Equal("ping", JsonDocument.Parse(ping.Body).RootElement.GetProperty("meta").GetProperty("event").GetString());
        Verify(ping, created.WebhookSecret!);

        var opened = Fixtures.Incidents.Opened(Fixtures.Incidents.Api);
        await given.Service.PublishAsync(opened, NewId.NextGuid());

        var incident = (await RequestsAsync(receiver, "/hook", 2))[1];
        Verify(incident, created.WebhookSecret!);
        using var json = JsonDocument.Parse(incident.Body);
        Assert.Equal(opened.IncidentId, json.RootElement.GetProperty("incident").GetProperty("id").GetString());
        Assert.Equal(opened.Body, json.RootElement.GetProperty("incident").GetProperty("incident_updates")[0].GetProperty("body").GetString());
        Assert.Contains("/subscriptions/unsubscribe?token=", json.RootElement.GetProperty("meta").GetProperty("unsubscribe").GetString());
        // A changed body or another secret does not verify.
        Assert.Throws<Xunit.Sdk.EqualException>(() => Verify(incident with { Body = incident.Body + " " }, created.WebhookSecret!));
        Assert.Throws<Xunit.Sdk.EqualException>(() => Verify(incident, "another-secret"));
    }

    [Fact]
    public async Task Component_filters_deliver_only_what_was_chosen()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("webhook", receiver.Url("/website"), [ServiceWithSubscribers.Website]));
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("webhook", receiver.Url("/api"), [ServiceWithSubscribers.Api]));
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("webhook", receiver.Url("/page")));
        var other = Fixtures.Incidents.Opened(Fixtures.Incidents.Api);
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("webhook", receiver.Url("/incident"), IncidentId: other.IncidentId));
        await RequestsAsync(receiver, null, 4); // the pings

        var messageId = NewId.NextGuid();
        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Website), messageId);

        await given.Service.WaitUntilSettledAsync(messageId, expected: 4); // two email subscribers, /website and /page
        Assert.Equal(2, receiver.To("/website").Count);
        Assert.Equal(2, receiver.To("/page").Count);
        Assert.Single(receiver.To("/api"));
        Assert.Single(receiver.To("/incident"));

        var otherId = NewId.NextGuid();
        await given.Service.PublishAsync(other, otherId);
        await given.Service.WaitUntilSettledAsync(otherId, expected: 5);
        Assert.Equal(2, receiver.To("/incident").Count);
        Assert.Equal(2, receiver.To("/api").Count);
        Assert.Equal(2, receiver.To("/website").Count);
    }

    [Fact]
    public async Task The_same_event_delivered_twice_calls_each_webhook_once()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With());
        await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("webhook", receiver.Url("/hook")));
        await RequestsAsync(receiver, "/hook", 1);
        var (opened, messageId) = (Fixtures.Incidents.Opened(Fixtures.Incidents.Api), NewId.NextGuid());

        await given.Service.PublishAsync(opened, messageId);
        await given.Service.PublishAsync(opened, messageId);

        await given.Service.WaitUntilConsumedAsync(messageId, times: 2);
        await given.Service.WaitUntilSettledAsync(messageId, expected: 3);
        Assert.Equal(2, receiver.To("/hook").Count);
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_then_quarantined_and_gets_nothing_more()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(("Notify:QuarantineAfter", "3"), ("Delivery:MaxAttempts", "10")));
        var created = await given.Service.AskOkAsync<Subscribe, SubscriptionCreated>(new Subscribe("webhook", receiver.Url("/hook")));
        await RequestsAsync(receiver, "/hook", 1);
        receiver.Respond = _ => (500, "{\"error\":\"boom\"}");

        var messageId = NewId.NextGuid();
        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Api), messageId);

        var rows = await given.Service.WaitUntilSettledAsync(messageId, expected: 3);
        var failed = Assert.Single(rows, r => r.Recipient == receiver.Url("/hook"));
        Assert.Equal(("failed", 3), (failed.Status, failed.Attempts));
        Assert.Contains("HTTP 500", failed.LastError);
        Assert.Contains("quarantined", failed.LastError);
        var subscriber = (await given.Service.SubscriberAsync(Guid.Parse(created.SubscriberId)))!;
        Assert.NotNull(subscriber.QuarantinedAt);
        Assert.Equal(4, receiver.To("/hook").Count);

        receiver.Respond = _ => (200, "");
        var next = NewId.NextGuid();
        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Api), next);
        Assert.Equal(2, (await given.Service.WaitUntilSettledAsync(next, expected: 2)).Count);
        Assert.Equal(4, receiver.To("/hook").Count);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://localhost/hook")]
    public async Task A_url_pointing_inwards_is_refused_when_private_targets_are_not_allowed(string url)
    {
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(("Notify:AllowPrivateWebhookTargets", "false")));

        var answer = Assert.IsType<CommandRejected>(await given.Service.AskAsync<Subscribe, SubscriptionCreated>(new Subscribe("slack", url)));

        Assert.Contains("internal address", answer.Errors["address"][0]);
    }

    [Fact]
    public async Task A_row_for_an_internal_target_is_refused_again_at_send_time()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var given = await ServiceWithSubscribers.StartAsync(TestSettings.With(("Notify:AllowPrivateWebhookTargets", "false")));
        // As if the name had resolved outwards when subscribing and inwards now (DNS rebinding): written past the check.
        await using (var insert = given.Database.DataSource.CreateCommand("""
            insert into notify.subscribers (channel, endpoint, source, confirmed, scope, secret) values ('webhook', $1, 'api', true, 'page', 'x')
            """))
        {
            insert.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = receiver.Url("/hook") });
            await insert.ExecuteNonQueryAsync();
        }
        var messageId = NewId.NextGuid();

        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Api), messageId);

        var row = Assert.Single(await given.Service.WaitUntilSettledAsync(messageId, expected: 3), r => r.Recipient == receiver.Url("/hook"));
        Assert.Equal(("failed", 1), (row.Status, row.Attempts));
        Assert.Contains("internal addresses", row.LastError);
        Assert.Empty(receiver.Received);
    }

    /// <summary>Checks X-StatusPlatform-Signature as a receiver would: t=unix, v1=hex HMAC-SHA256(secret, "t.body").</summary>
    private static void Verify(ReceivedRequest request, string secret)
    {
        var header = request.Header("X-StatusPlatform-Signature") ?? throw new Xunit.Sdk.XunitException("No signature header.");
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{request.Body}")));
        Assert.Equal(expected, parts["v1"]);
        Assert.InRange(long.Parse(parts["t"], System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(),
            DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
    }

    private static Task<IReadOnlyList<ReceivedRequest>> RequestsAsync(FakeReceiver receiver, string? path, int count) =>
        Eventually.Until(() => Task.FromResult(path is null ? receiver.Received : receiver.To(path)), r => r.Count >= count, NotifyServiceHost.Patience,
            $"{count} request(s) to {path ?? "the receiver"}");
}
