using MassTransit;
using Npgsql;
using StatusPlatform.Notify.Tests.Fixtures;
using StatusPlatform.TestSupport;

namespace StatusPlatform.Notify.Tests.Deliveries;

/// <summary>The delivery worker sends what the log holds, whenever it was recorded, and gives up on what cannot be sent.</summary>
public sealed class DeliveryWorkerTests
{
    [Fact]
    public async Task A_delivery_recorded_before_a_crash_is_sent_after_start_up()
    {
        await using var given = await ServiceWithSubscribers.StartAsync();
        await given.StopAsync();
        var (eventId, subject) = (NewId.NextGuid(), $"[Investigating] Demo Website: recorded before the crash {Guid.NewGuid():N}");
        await using (var insert = given.Database.DataSource.CreateCommand("""
            insert into notify.deliveries (event_id, subscriber_id, channel, recipient, subject, body_text, body_html)
            select $1, id, 'email', email, $2, 'text part', '<p>html part</p>' from notify.subscribers where email = $3
            """))
        {
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subject });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = given.WebsiteFan });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        // The poll interval is an hour: only the sweep at start-up can send it.
        await given.StartAgainAsync();

        var delivery = Assert.Single(await given.Service.WaitUntilSettledAsync(eventId, expected: 1));
        Assert.Equal(("sent", 1), (delivery.Status, delivery.Attempts));
        var email = Assert.Single(await Eventually.Until(() => MailDev.EmailsToAsync(given.WebsiteFan), e => e.Count > 0,
            NotifyServiceHost.Patience, "the recorded email"));
        Assert.Equal(subject, email.Subject);
        Assert.Equal(("text part", "<p>html part</p>"), (email.Text?.Trim(), email.Html?.Trim()));
    }

    /// <summary>
    /// A crash after a send's mark (its point of no return) but before its batch committed leaves the row pending and
    /// marked: the receiver has the message, so the next start records it as sent and sends nothing.
    /// </summary>
    [Fact]
    public async Task A_delivery_marked_before_a_crash_is_recorded_as_sent_and_not_sent_again()
    {
        await using var given = await ServiceWithSubscribers.StartAsync();
        await given.StopAsync();
        var (marked, unmarked) = (NewId.NextGuid(), NewId.NextGuid());
        var subject = $"[Investigating] Demo Website: marked before the crash {Guid.NewGuid():N}";
        foreach (var eventId in new[] { marked, unmarked })
        {
            await using var insert = given.Database.DataSource.CreateCommand("""
                insert into notify.deliveries (event_id, subscriber_id, channel, recipient, subject, body_text, body_html)
                select $1, id, 'email', email, $2, 'text part', '<p>html part</p>' from notify.subscribers where email = $3
                """);
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subject });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = given.WebsiteFan });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }
        await using (var mark = given.Database.DataSource.CreateCommand(
            "insert into notify.delivery_marks (delivery_id) select id from notify.deliveries where event_id = $1"))
        {
            mark.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = marked });
            Assert.Equal(1, await mark.ExecuteNonQueryAsync());
        }

        await given.StartAgainAsync();

        var recorded = Assert.Single(await given.Service.WaitUntilSettledAsync(marked, expected: 1));
        var sent = Assert.Single(await given.Service.WaitUntilSettledAsync(unmarked, expected: 1));
        Assert.Equal(("sent", 1, "sent", 1), (recorded.Status, recorded.Attempts, sent.Status, sent.Attempts));
        // The unmarked one went out after the start; its mail is the only one with this subject.
        var email = Assert.Single(await Eventually.Until(() => MailDev.EmailsToAsync(given.WebsiteFan), e => e.Count > 0,
            NotifyServiceHost.Patience, "the unmarked delivery's email"), e => e.Subject == subject);
        Assert.Equal(subject, email.Subject);
        await using var marks = given.Database.DataSource.CreateCommand("select count(*) from notify.delivery_marks");
        Assert.Equal(0L, await marks.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_delivery_the_smtp_server_does_not_take_is_retried_then_marked_failed()
    {
        await using var given = await ServiceWithSubscribers.StartAsync(new Dictionary<string, string>
        {
            ["Smtp:Port"] = "1", // nothing listens on port 1 of loopback: every attempt is refused at once
            ["Delivery:MaxAttempts"] = "3",
            ["Delivery:RetryDelay"] = "00:00:00.050",
        });
        var messageId = NewId.NextGuid();

        await given.Service.PublishAsync(Fixtures.Incidents.Opened(Fixtures.Incidents.Api), messageId);

        var deliveries = await given.Service.WaitUntilSettledAsync(messageId, expected: 2);
        Assert.All(deliveries, d =>
        {
            Assert.Equal(("failed", 3, (DateTimeOffset?)null), (d.Status, d.Attempts, d.SentAt));
            Assert.StartsWith("Failure sending mail.", d.LastError);
        });
        Assert.Empty(await MailDev.EmailsToAsync(given.ApiFan));
    }
}
