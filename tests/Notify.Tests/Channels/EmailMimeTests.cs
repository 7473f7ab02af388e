using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;
using StatusPlatform.Notify.Channels;
using StatusPlatform.Notify.Tests.Fixtures;

namespace StatusPlatform.Notify.Tests.Channels;

/// <summary>The MIME writer and the SMTP data framing: no I/O.</summary>
public sealed partial class EmailMimeTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 21, 9, 5, 7, TimeSpan.FromHours(1));

    [Fact]
    public async Task A_message_is_multipart_alternative_with_both_parts_and_every_header()
    {
        var raw = Write(Email() with
        {
            Headers = [new("List-Unsubscribe", "<https://status.example.com/subscriptions/unsubscribe?token=abc.def>"), new("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")],
        });

        var mime = await MimeMessage.ParseAsync(raw);

        Assert.Equal("multipart/alternative", mime.ContentType);
        Assert.Equal(["text/plain", "text/html"], mime.Parts.Select(p => p.ContentType));
        Assert.All(mime.Parts, p => Assert.Equal("utf-8", p.Charset));
        Assert.Equal(("Störung: Datenbank\r\nzweite Zeile", "<p>Störung &amp; mehr</p>"), (mime.Parts[0].Text, mime.Parts[1].Text));
        Assert.Equal("<4f1c@statusplatform.local>", mime.Headers["Message-ID"]);
        Assert.Equal("Sat, 21 Nov 2026 08:05:07 +0000", mime.Headers["Date"]);
        Assert.Equal("1.0", mime.Headers["MIME-Version"]);
        Assert.Equal("\"Status Page\" <status@statusplatform.local>", mime.Headers["From"]);
        Assert.Equal("fan@example.com", mime.Headers["To"]);
        Assert.Equal("<https://status.example.com/subscriptions/unsubscribe?token=abc.def>", mime.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mime.Headers["List-Unsubscribe-Post"]);
    }

    [Theory]
    [InlineData("[Untersuchung] Datenbank: Störung beim Bezahlen")]
    [InlineData("🚑 Outage – 障害")]
    [InlineData("Looks =?utf-8?Q?encoded?= but is not")]
    [InlineData("A very long subject that goes on and on about the components Demo Website, Demo API, Checkout, Search and the Payment Gateway being down")]
    [InlineData("Ä very long subject that goes on and on about the components Demo Website, Demo API, Checkout, Search and the Payment Gateway being down")]
    public async Task A_subject_reads_back_as_written_from_short_ascii_lines(string subject)
    {
        var raw = Write(Email() with { Subject = subject });

        var headerBlock = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.All(headerBlock.Split("\r\n"), line => Assert.InRange(line.Length, 1, 78));
        Assert.True(Ascii(raw));
        Assert.Equal(subject, Decode((await MimeMessage.ParseAsync(raw)).Headers["Subject"]));
    }

    [Fact]
    public async Task A_line_break_in_the_subject_cannot_add_a_header()
    {
        var raw = Write(Email() with { Subject = "Outage\r\nBcc: victim@example.com" });

        var mime = await MimeMessage.ParseAsync(raw);

        Assert.False(mime.Headers.ContainsKey("Bcc"));
        Assert.Equal("Outage\r\nBcc: victim@example.com", Decode(mime.Headers["Subject"]));
    }

    [Fact]
    public async Task Long_lines_trailing_white_space_and_equals_signs_survive_in_lines_of_at_most_76()
    {
        var text = string.Concat(Enumerable.Repeat("Störung=ä", 700)) + "  \n\nnext line with trailing tab\t\r\n" + new string('x', 2000);
        var html = "<p>" + string.Concat(Enumerable.Repeat("<b>ü</b>", 600)) + "</p>";

        var raw = Write(Email() with { Text = text, Html = html });

        var body = raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.All(body.Split("\r\n"), line => Assert.True(line.Length <= 76, $"{line.Length}: {line}"));
        Assert.All(raw.Split("\r\n"), line => Assert.True(line.Length <= EmailMime.MaxLineLength));
        Assert.DoesNotMatch("[^\r]\n|\r[^\n]", raw);
        var mime = await MimeMessage.ParseAsync(raw);
        Assert.Equal(text.ReplaceLineEndings("\r\n"), mime.Parts[0].Text);
        Assert.Equal(html, mime.Parts[1].Text);
    }

    [Fact]
    public void A_header_token_longer_than_998_characters_is_refused()
    {
        var email = Email() with { Headers = [new("List-Unsubscribe", $"<https://status.example.com/{new string('a', 1000)}>")] };

        var e = Assert.Throws<FormatException>(() => EmailMime.Write(email));
        Assert.Contains("998", e.Message);
    }

    [Theory]
    [InlineData("fan@example.com", "fan@example.com")]
    [InlineData("fan@bücher.example", "fan@xn--bcher-kva.example")]
    public void Addresses_are_sent_in_ascii(string address, string expected) => Assert.Equal(expected, EmailMime.AsciiAddress(address));

    [Theory]
    [InlineData("jürgen@example.com")]
    [InlineData("not an address")]
    [InlineData("fan@example.com\r\nRCPT TO:<other@example.com>")]
    [InlineData("Fan <fan@example.com>")]
    public void Addresses_no_smtp_server_takes_are_refused(string address) => Assert.Throws<FormatException>(() => EmailMime.AsciiAddress(address));

    [Fact]
    public void Data_is_dot_stuffed_and_terminated()
    {
        var stuffed = SmtpConnection.DotStuff(".first\r\nmid.dle\r\n..\r\n.\r\nlast"u8);

        Assert.Equal("..first\r\nmid.dle\r\n...\r\n..\r\nlast\r\n.\r\n", Encoding.ASCII.GetString(stuffed));
    }

    [Theory]
    [InlineData("line\n.\nmore\r\n")]
    [InlineData("line\r.\r\n")]
    public void Bare_line_feeds_and_carriage_returns_are_refused(string data) =>
        Assert.Throws<ArgumentException>(() => SmtpConnection.DotStuff(Encoding.ASCII.GetBytes(data)));

    private static EmailMessage Email() => new(new MailAddress("status@statusplatform.local", "Status Page"), "fan@example.com", "Subject",
        "Störung: Datenbank\nzweite Zeile", "<p>Störung &amp; mehr</p>", "<4f1c@statusplatform.local>", At, []);

    private static string Write(EmailMessage email) => Encoding.ASCII.GetString(EmailMime.Write(email));

    private static bool Ascii(string raw) => raw.All(c => c < 128);

    /// <summary>RFC 2047 decoding of "B" words; white space between two encoded words is not part of the text.</summary>
    private static string Decode(string value) =>
        EncodedWord().Replace(value, m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value)));

    [GeneratedRegex(@"=\?utf-8\?B\?([A-Za-z0-9+/=]*)\?=(?:\s+(?==\?utf-8\?B\?))?")]
    private static partial Regex EncodedWord();
}
