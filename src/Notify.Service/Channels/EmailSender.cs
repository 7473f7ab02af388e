using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Options;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Incidents;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Channels;

/// <summary>
/// Sends email over SMTP with System.Net.Mail (MailKit is not on the package mirror): multipart/alternative with a
/// text and an HTML part, and for subscribers the one-click unsubscribe headers of RFC 8058.
/// </summary>
public sealed class EmailSender(IOptions<SmtpOptions> smtp, IOptions<NotifyOptions> notify, LinkBuilder links) : IChannelSender
{
    private readonly SmtpOptions _options = smtp.Value;
    private readonly MailAddress _from = new(smtp.Value.From);
    private readonly double _confirmationHours = notify.Value.ConfirmationHours;

    public IReadOnlyList<string> Channels { get; } = [SubscriptionChannel.Email];

    public string Destination(DeliveryToSend delivery) => $"smtp://{_options.Host}:{_options.Port}";

    /// <summary>The Message-ID of a delivery: the same on every attempt, so a repeat is recognisable downstream.</summary>
    public string MessageIdOf(Guid deliveryId) => $"<{deliveryId:N}@{_from.Host}>";

    public async Task<string> SendAsync(DeliveryToSend delivery, CancellationToken ct)
    {
        var (email, unsubscribe) = Render(delivery);
        using var message = new MailMessage(_from, new MailAddress(delivery.Recipient))
        {
            Subject = email.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
        };
        message.Headers.Add("Message-ID", MessageIdOf(delivery.Id));
        if (unsubscribe is not null)
        {
            // RFC 8058: the client POSTs "List-Unsubscribe=One-Click" to the https URL, without a further page.
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        // Text first, HTML last: a client shows the last alternative it understands.
        message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(email.Text, Encoding.UTF8, MediaTypeNames.Text.Plain));
        message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(email.Html, Encoding.UTF8, MediaTypeNames.Text.Html));

        using var client = new SmtpClient(_options.Host, _options.Port) { DeliveryMethod = SmtpDeliveryMethod.Network };
        try
        {
            await client.SendMailAsync(message, ct);
        }
        catch (SmtpException e) when ((int)e.StatusCode is >= 500 and < 600 && e.StatusCode != SmtpStatusCode.ServiceNotAvailable)
        {
            // A 5xx reply (bad mailbox, rejected content) will not change on retry, and it is about this address.
            throw new DeliveryException(e.Message, permanent: true, blameSubscriber: true, e);
        }
        catch (FormatException e)
        {
            throw new DeliveryException(e.Message, permanent: true, blameSubscriber: true, e);
        }
        return "250 accepted";
    }

    private (EmailContent Email, string? Unsubscribe) Render(DeliveryToSend d)
    {
        // A row written with its content (before notices existed) is sent as it was written.
        if (d.Notice is not { } notice)
            return (new EmailContent(d.Subject, d.StoredText ?? "", d.StoredHtml ?? ""), null);
        var texts = Texts.For(d.Locale);
        var unsubscribe = links.Unsubscribe(d.SubscriberId);
        return notice.Kind switch
        {
            NoticeKind.Confirmation => (IncidentEmail.Confirmation(texts,
                links.Confirm(d.SubscriberId, notice.ExpiresAt ?? notice.At.AddHours(_confirmationHours))), null),
            NoticeKind.AlreadySubscribed => (IncidentEmail.AlreadySubscribed(texts, links.For(d.SubscriberId, null)), unsubscribe),
            _ => (IncidentEmail.Render(notice, texts, links.For(d.SubscriberId, notice.IncidentId)), unsubscribe),
        };
    }
}
