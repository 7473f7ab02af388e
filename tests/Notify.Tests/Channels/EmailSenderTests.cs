using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using StatusPlatform.Notify.Channels;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Notices;
using StatusPlatform.Notify.Security;
using StatusPlatform.Notify.Tests.Fixtures;

namespace StatusPlatform.Notify.Tests.Channels;

/// <summary>The email channel against the test's SMTP server: what goes out, and how refusals are classified for the delivery worker.</summary>
public sealed class EmailSenderTests
{
    [Fact]
    public async Task An_incident_email_goes_out_as_valid_mime_with_the_unsubscribe_headers_and_the_deliverys_message_id()
    {
        await using var server = new SmtpTestServer();
        await using var sender = Sender(server);
        var delivery = Delivery("fan@example.com", "de");

        var outcome = await sender.SendAsync(delivery, null, CancellationToken.None);

        Assert.StartsWith("250 2.0.0 queued as", outcome);
        var received = Assert.Single(server.Messages);
        Assert.Equal(("status@statusplatform.local", "fan@example.com"), (received.From, received.To));
        var mime = await MimeMessage.ParseAsync(received.Data);
        Assert.Equal(["text/plain", "text/html"], mime.Parts.Select(p => p.ContentType));
        Assert.Equal($"<{delivery.Id:N}@statusplatform.local>", mime.Headers["Message-ID"]);
        Assert.Equal("List-Unsubscribe=One-Click", mime.Headers["List-Unsubscribe-Post"]);
        Assert.Matches("^<http://127.0.0.1:8080/subscriptions/unsubscribe\\?token=[^>]+>$", mime.Headers["List-Unsubscribe"]);
        Assert.Contains("teilweiser Ausfall", mime.Parts[0].Text);
    }

    [Fact]
    public async Task A_fan_out_reuses_the_pools_connections()
    {
        await using var server = new SmtpTestServer();
        await using var sender = Sender(server, concurrency: 4);

        await Parallel.ForEachAsync(Enumerable.Range(0, 100), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, ct) => await sender.SendAsync(Delivery($"fan-{i}@example.com"), null, ct));

        Assert.Equal(100, server.Messages.Select(m => m.To).Distinct().Count());
        Assert.InRange(server.Connections, 1, 4);
    }

    [Fact]
    public async Task A_refused_mailbox_is_permanent_and_blames_the_subscriber()
    {
        await using var server = new SmtpTestServer();
        await using var sender = Sender(server);

        var failure = await Assert.ThrowsAsync<DeliveryException>(() => sender.SendAsync(Delivery("unknown@example.com"), null, CancellationToken.None));

        Assert.Equal((true, true), (failure.Permanent, failure.BlameSubscriber));
        Assert.Contains("550 5.1.1 no such user", failure.Message);
    }

    [Fact]
    public async Task A_4xx_reply_is_transient_and_not_the_subscribers_fault()
    {
        await using var server = new SmtpTestServer();
        await using var sender = Sender(server);

        var failure = await Assert.ThrowsAsync<SmtpSessionException>(() => sender.SendAsync(Delivery("later@example.com"), null, CancellationToken.None));

        Assert.Equal((451, false), (failure.Reply?.Code, failure.Permanent));
    }

    [Fact]
    public async Task A_5xx_to_our_own_sender_address_is_no_subscribers_fault_and_left_to_the_circuit_breaker()
    {
        await using var server = new SmtpTestServer();
        await using var sender = Sender(server, from: "refused@statusplatform.local");

        var failure = await Assert.ThrowsAsync<SmtpSessionException>(() => sender.SendAsync(Delivery("fan@example.com"), null, CancellationToken.None));

        Assert.Equal((SmtpStage.MailFrom, 553), (failure.Stage, failure.Reply?.Code));
    }

    [Fact]
    public async Task An_address_no_smtp_server_takes_fails_for_good_without_a_connection()
    {
        await using var server = new SmtpTestServer();
        await using var sender = Sender(server);

        var failure = await Assert.ThrowsAsync<DeliveryException>(() => sender.SendAsync(Delivery("jürgen@example.com"), null, CancellationToken.None));

        Assert.Equal((true, true, 0), (failure.Permanent, failure.BlameSubscriber, server.Connections));
    }

    private static EmailSender Sender(SmtpTestServer server, int concurrency = 1, string from = "status@statusplatform.local")
    {
        var tokens = new SubscriberTokens(TimeProvider.System);
        tokens.UseKey(RandomNumberGenerator.GetBytes(32));
        var notify = new NotifyOptions();
        var delivery = new DeliveryOptions();
        delivery.Channels["email"] = new ChannelLimits { Concurrency = concurrency };
        return new EmailSender(Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = server.Port, From = from }), Options.Create(delivery),
            Options.Create(notify), new LinkBuilder(notify, tokens), TimeProvider.System);
    }

    private static DeliveryToSend Delivery(string recipient, string locale = "en")
    {
        var notice = Notice.From(Fixtures.Incidents.Opened(Fixtures.Incidents.Api));
        return new DeliveryToSend(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "email", recipient, "subject", null, null, 0, notice.Kind, locale,
            null, Confirmed: true, Unsubscribed: false, Quarantined: false, notice, OpsRoom: false);
    }
}
