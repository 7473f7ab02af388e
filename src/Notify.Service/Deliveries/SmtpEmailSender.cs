using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Options;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>Sends one delivery over SMTP with System.Net.Mail (MailKit is not on the package mirror).</summary>
public sealed class SmtpEmailSender(IOptions<SmtpOptions> options)
{
    private readonly SmtpOptions _options = options.Value;
    private readonly MailAddress _from = new(options.Value.From);

    /// <summary>The Message-ID of a delivery: the same on every attempt, so a repeat is recognisable downstream.</summary>
    public string MessageIdOf(Guid deliveryId) => $"<{deliveryId:N}@{_from.Host}>";

    public async Task SendAsync(ClaimedDelivery delivery, CancellationToken ct)
    {
        using var message = new MailMessage(_from, new MailAddress(delivery.Recipient))
        {
            Subject = delivery.Email.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
        };
        message.Headers.Add("Message-ID", MessageIdOf(delivery.Id));
        // Text first, HTML last: a client shows the last alternative it understands.
        message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(delivery.Email.Text, Encoding.UTF8, MediaTypeNames.Text.Plain));
        message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(delivery.Email.Html, Encoding.UTF8, MediaTypeNames.Text.Html));

        using var client = new SmtpClient(_options.Host, _options.Port) { DeliveryMethod = SmtpDeliveryMethod.Network };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            await client.SendMailAsync(message, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The SMTP server {_options.Host}:{_options.Port} did not accept the message within {_options.Timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>A 5xx reply (bad mailbox, rejected content) or a malformed address will not change on retry; anything else might.</summary>
    public static bool IsPermanent(Exception e) =>
        e is FormatException || (e is SmtpException { StatusCode: var code } && (int)code is >= 500 and < 600);
}
