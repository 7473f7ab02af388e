using System.Diagnostics;
using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Net.Sockets;
using System.Text;

namespace StatusPlatform.Notify.Bench;

/// <summary>
/// The references: how many messages per second the sink accepts from a tight loop at Notify.Service's concurrency,
/// with a message of about the size Notify sends (multipart/alternative, ~5 KB). Notify.Service's figure over these is
/// what its own work (claim, render, MIME, record) costs.
/// </summary>
internal static class SmtpReference
{
    /// <summary>
    /// The sink's own accept rate: each loop keeps one connection open (EHLO once) and sends pre-built bytes, envelope
    /// pipelined, as fast as the sink answers. No MIME work, no database: the ceiling for a client that reuses
    /// connections, which Notify.Service does.
    /// </summary>
    public static async Task<double> ReusedConnectionsAsync(SmtpSink sink, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        var data = Encoding.ASCII.GetBytes(RawMessage() + ".\r\n");
        sink.Reset();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, sink.Port, ct);
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            await ExpectAsync(reader, "220", ct);
            await stream.WriteAsync("EHLO reference\r\n"u8.ToArray(), ct);
            await ExpectAsync(reader, "250", ct);
            for (var i = 0; clock.Elapsed < duration && !ct.IsCancellationRequested; i++)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"MAIL FROM:<status@statusplatform.local>\r\nRCPT TO:<ref-{worker}-{i}@example.com>\r\nDATA\r\n"), ct);
                await ExpectAsync(reader, "250", ct);
                await ExpectAsync(reader, "250", ct);
                await ExpectAsync(reader, "354", ct);
                await stream.WriteAsync(data, ct);
                await ExpectAsync(reader, "250", ct);
            }
            await stream.WriteAsync("QUIT\r\n"u8.ToArray(), ct);
            await ExpectAsync(reader, "221", ct);
        }));
        return sink.Received / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The earlier reference (and Notify.Service's earlier way of sending): System.Net.Mail, a new connection and
    /// session per message.
    /// </summary>
    public static async Task<double> ConnectionPerMessageAsync(SmtpSink sink, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        var (text, html) = Bodies();
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

    private static (string Text, string Html) Bodies()
    {
        var text = new string('x', 1500);
        return (text, $"<html><body><p>{text}</p></body></html>");
    }

    /// <summary>A multipart/alternative message like Notify's, base64 bodies in 76-character lines (no dot-stuffing needed).</summary>
    private static string RawMessage()
    {
        var (text, html) = Bodies();
        var mime = new StringBuilder();
        mime.Append("From: status@statusplatform.local\r\nTo: reference@example.com\r\nSubject: reference\r\nMIME-Version: 1.0\r\n");
        mime.Append("Content-Type: multipart/alternative; boundary=\"=_reference\"\r\n\r\n");
        foreach (var (type, body) in new[] { ("text/plain", text), ("text/html", html) })
        {
            mime.Append("--=_reference\r\nContent-Type: ").Append(type).Append("; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
            mime.Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(body), Base64FormattingOptions.InsertLineBreaks)).Append("\r\n");
        }
        return mime.Append("--=_reference--\r\n").ToString();
    }

    private static async Task ExpectAsync(StreamReader reader, string code, CancellationToken ct)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync(ct) ?? throw new IOException("The sink closed the connection.");
            if (!line.StartsWith(code, StringComparison.Ordinal))
                throw new IOException($"Expected {code}, the sink said '{line}'.");
            if (line.Length == 3 || line[3] == ' ')
                return;
        }
    }
}
