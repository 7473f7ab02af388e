using System.Diagnostics;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;

namespace StatusPlatform.Notify.Bench;

/// <summary>
/// The reference: how many messages per second the sink accepts from a tight loop with the same client Notify.Service
/// uses (System.Net.Mail, a new connection per message, multipart/alternative of a similar size), at the same
/// concurrency. Notify.Service's figure over this one is what its own work (claim, render, record) costs.
/// </summary>
internal static class SmtpReference
{
    public static async Task<double> RunAsync(SmtpSink sink, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        var text = new string('x', 1500);
        var html = $"<html><body><p>{text}</p></body></html>";
        sink.Reset();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var i = 0;
            while (clock.Elapsed < duration && !ct.IsCancellationRequested)
            {
                using var message = new MailMessage("status@statusplatform.local", $"ref-{worker}-{i++}@example.com") { Subject = "reference" };
                message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(text, Encoding.UTF8, MediaTypeNames.Text.Plain));
                message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(html, Encoding.UTF8, MediaTypeNames.Text.Html));
                using var client = new SmtpClient("127.0.0.1", sink.Port);
                await client.SendMailAsync(message, ct);
            }
        }));
        return sink.Received / clock.Elapsed.TotalSeconds;
    }
}
