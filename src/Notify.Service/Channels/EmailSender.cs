using System.Net.Mail;
using Microsoft.Extensions.Options;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Incidents;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Channels;

/// <summary>
/// Sends email over SMTP with a client of our own (MailKit is not on the package mirror; System.Net.Mail opens a
/// connection per message, which capped a fan-out at a few hundred mails a second): multipart/alternative with a text
/// and an HTML part, and for subscribers the one-click unsubscribe headers of RFC 8058, over pooled connections.
/// </summary>
public sealed class EmailSender : IChannelSender, IAsyncDisposable
{
    private readonly SmtpOptions _options;
    private readonly MailAddress _from;
    private readonly string _envelopeFrom;
    private readonly double _confirmationHours;
    private readonly LinkBuilder _links;
    private readonly TimeProvider _clock;

    public EmailSender(IOptions<SmtpOptions> smtp, IOptions<DeliveryOptions> delivery, IOptions<NotifyOptions> notify, LinkBuilder links, TimeProvider clock)
    {
        _options = smtp.Value;
        _from = new MailAddress(_options.From);
        _envelopeFrom = EmailMime.AsciiAddress(_from.Address);
        _confirmationHours = notify.Value.ConfirmationHours;
        _links = links;
        _clock = clock;
        // One connection per concurrent send: a send never waits for a connection, and none sits unused.
        Pool = new SmtpConnectionPool(_options,
            _options.MaxConnections > 0 ? _options.MaxConnections : delivery.Value.LimitsOf(SubscriptionChannel.Email).Concurrency, clock);
    }

    public SmtpConnectionPool Pool { get; }

    public IReadOnlyList<string> Channels { get; } = [SubscriptionChannel.Email];

    public string Destination(DeliveryToSend delivery) => $"smtp://{_options.Host}:{_options.Port}";

    /// <summary>The Message-ID of a delivery: the same on every attempt, so a repeat is recognisable downstream.</summary>
    public string MessageIdOf(Guid deliveryId) => $"<{deliveryId:N}@{_from.Host}>";

    public async Task<string> SendAsync(DeliveryToSend delivery, Action? afterEnd, CancellationToken ct)
    {
        byte[] mime;
        string recipient;
        try
        {
            recipient = EmailMime.AsciiAddress(delivery.Recipient);
            mime = EmailMime.Write(Message(delivery, recipient));
        }
        catch (FormatException e)
        {
            // An address no SMTP server takes, or a header that cannot be written: no retry will change it.
            throw new DeliveryException(e.Message, permanent: true, blameSubscriber: true, e);
        }
        try
        {
            return (await Pool.SendAsync(_envelopeFrom, recipient, mime, afterEnd, ct)).ToString();
        }
        catch (SmtpSessionException e) when (e.Permanent && e.Stage >= SmtpStage.RcptTo)
        {
            // A 5xx to the recipient or to this message (no such mailbox, mailbox full, content refused) will not change
            // on retry, and it is about this address. A 5xx before (greeting, EHLO, MAIL FROM) is about our server or
            // our configuration: it stays transient, so the destination's circuit opens instead of every subscriber
            // being failed and quarantined for it.
            throw new DeliveryException(e.Message, permanent: true, blameSubscriber: true, e);
        }
    }

    private EmailMessage Message(DeliveryToSend delivery, string recipient)
    {
        var (email, unsubscribe) = Render(delivery);
        // RFC 8058: the client POSTs "List-Unsubscribe=One-Click" to the https URL, without a further page.
        IReadOnlyList<KeyValuePair<string, string>> headers = unsubscribe is null ? [] :
        [
            new("List-Unsubscribe", $"<{unsubscribe}>"),
            new("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ];
        // Text first, HTML last: a client shows the last alternative it understands.
        return new EmailMessage(_from, recipient, email.Subject, email.Text, email.Html, MessageIdOf(delivery.Id), _clock.GetUtcNow(), headers);
    }

    private (EmailContent Email, string? Unsubscribe) Render(DeliveryToSend d)
    {
        // A row written with its content (before notices existed) is sent as it was written.
        if (d.Notice is not { } notice)
            return (new EmailContent(d.Subject, d.StoredText ?? "", d.StoredHtml ?? ""), null);
        var texts = Texts.For(d.Locale);
        if (notice.Kind == NoticeKind.Confirmation)
            return (IncidentEmail.Confirmation(texts, _links.Confirm(d.SubscriberId, notice.ExpiresAt ?? notice.At.AddHours(_confirmationHours))), null);
        // Each link is an HMAC: signed once per message, the body's unsubscribe link is the header's.
        var links = _links.For(d.SubscriberId, notice.Kind == NoticeKind.AlreadySubscribed ? null : notice.IncidentId);
        return notice.Kind == NoticeKind.AlreadySubscribed
            ? (IncidentEmail.AlreadySubscribed(texts, links), links.Unsubscribe)
            : (IncidentEmail.Render(notice, texts, links), links.Unsubscribe);
    }

    public ValueTask DisposeAsync() => Pool.DisposeAsync();
}
