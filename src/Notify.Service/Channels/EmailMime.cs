using System.Globalization;
using System.Net.Mail;
using System.Runtime.CompilerServices;
using System.Text;

namespace StatusPlatform.Notify.Channels;

/// <summary>What one email says and to whom; <see cref="EmailMime.Write"/> turns it into the bytes sent after DATA.</summary>
public sealed record EmailMessage(
    MailAddress From,
    string To,
    string Subject,
    string Text,
    string Html,
    string MessageId,
    DateTimeOffset Date,
    IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>
/// A small MIME writer for the one shape Notify sends: multipart/alternative with a UTF-8 text part and a UTF-8 HTML
/// part, both quoted-printable (readable, and every line short whatever the template does), headers in 7-bit ASCII with
/// RFC 2047 encoded words where the text needs them. The result uses CRLF only, so no bare LF can end the DATA early
/// on a lax server (SMTP smuggling); dot-stuffing is the SMTP connection's job, not this one's.
/// </summary>
public static class EmailMime
{
    /// <summary>RFC 5322 2.1.1: a line MUST NOT be longer than 998 characters and SHOULD NOT be longer than 78.</summary>
    public const int MaxLineLength = 998;

    private const int FoldAt = 78;
    private const int QuotedPrintableLine = 76;

    // Bytes of UTF-8 per encoded word: "=?utf-8?B?" + 56 base64 characters + "?=" = 68, so "Subject: " + one word fits 78.
    private const int EncodedWordBytes = 42;

    public static byte[] Write(EmailMessage message)
    {
        // "=_" never occurs in quoted-printable output ('=' is always followed by hex digits or a line break), so the
        // boundary cannot collide with a body line.
        var boundary = $"=_{Guid.NewGuid():N}";
        var mime = new StringBuilder(512 + (message.Text.Length * 2) + (message.Html.Length * 2));
        Structured(mime, "Date", message.Date.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
        Structured(mime, "From", Mailbox(message.From));
        Structured(mime, "To", AsciiAddress(message.To));
        Unstructured(mime, "Subject", message.Subject);
        Structured(mime, "Message-ID", message.MessageId);
        Structured(mime, "MIME-Version", "1.0");
        foreach (var (name, value) in message.Headers)
            Structured(mime, name, value);
        Structured(mime, "Content-Type", $"multipart/alternative; boundary=\"{boundary}\"");
        mime.Append("\r\n");
        Part(mime, boundary, "text/plain", message.Text);
        Part(mime, boundary, "text/html", message.Html);
        mime.Append("--").Append(boundary).Append("--\r\n");
        return Encoding.ASCII.GetBytes(mime.ToString());
    }

    /// <summary>
    /// The address as SMTP and the To header carry it: an IDN domain in its ASCII (punycode) form. A local part outside
    /// ASCII would need SMTPUTF8, which Notify does not speak: a <see cref="FormatException"/>, as for a malformed address.
    /// </summary>
    public static string AsciiAddress(string address)
    {
        if (!MailAddress.TryCreate(address, out var parsed) || parsed.DisplayName.Length > 0 || parsed.Address != address.Trim())
            throw new FormatException($"'{address}' is not an email address.");
        var local = parsed.User;
        if (!IsAsciiAtoms(local) && !(local.Length > 2 && local[0] == '"' && IsPrintableAscii(local)))
            throw new FormatException($"The local part of '{address}' is not ASCII (SMTPUTF8 is not supported).");
        var domain = parsed.Host;
        if (domain.StartsWith('[') ? !IsPrintableAscii(domain) : !IsAsciiAtoms(domain))
        {
            try
            {
                domain = new IdnMapping().GetAscii(domain);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"The domain of '{address}' is not a valid international domain name.", e);
            }
        }
        return $"{local}@{domain}";
    }

    private static string Mailbox(MailAddress address)
    {
        var spec = AsciiAddress(address.Address);
        if (address.DisplayName.Length == 0)
            return spec;
        // A display name in quotes if it is plain ASCII, else as encoded words (RFC 2047 5(3): allowed as a phrase).
        var name = IsPrintableAscii(address.DisplayName) && !address.DisplayName.Contains("=?", StringComparison.Ordinal)
            ? $"\"{address.DisplayName.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\""
            : string.Join(' ', EncodedWords(address.DisplayName));
        return $"{name} <{spec}>";
    }

    private static void Part(StringBuilder mime, string boundary, string mediaType, string text)
    {
        mime.Append("--").Append(boundary).Append("\r\n");
        mime.Append("Content-Type: ").Append(mediaType).Append("; charset=utf-8\r\n");
        mime.Append("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        QuotedPrintable(mime, text);
        // The CRLF before the next delimiter belongs to the delimiter (RFC 2046 5.1.1).
        mime.Append("\r\n");
    }

    /// <summary>
    /// RFC 2045 6.7: every byte outside printable ASCII, and '=', as =XX; white space at the end of a line too; soft
    /// line breaks keep each line at 76 characters at most. Line breaks of the text (any convention) become CRLF.
    /// </summary>
    // Optimized from the first call: a fan-out runs this loop for every byte of every mail long before tiering would
    // have replaced its unoptimized first version.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuotedPrintable(StringBuilder output, string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            if (l > 0)
                output.Append("\r\n");
            var bytes = Encoding.UTF8.GetBytes(lines[l]);
            var column = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                var last = i == bytes.Length - 1;
                var literal = b is >= 33 and <= 126 and not (byte)'=' || (b is (byte)' ' or (byte)'\t' && !last);
                var width = literal ? 1 : 3;
                // A soft break is "=" at the end of a line, so a line that continues holds at most 75 characters
                // before it; the line's very last character may take the 76th.
                if (column + width > (last ? QuotedPrintableLine : QuotedPrintableLine - 1))
                {
                    output.Append("=\r\n");
                    column = 0;
                }
                if (literal)
                    output.Append((char)b);
                else
                    output.Append('=').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
                column += width;
            }
        }
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    /// <summary>
    /// Subject-like text: as it is when it is printable ASCII, folded at spaces; otherwise (non-ASCII, control
    /// characters such as a line break, "=?" that a reader would take for an encoded word, spacing that folding would
    /// change, or a word too long to fold)
    /// as RFC 2047 "B" encoded words, each one a line, so a header can never be injected and no line grows long.
    /// </summary>
    public static void Unstructured(StringBuilder output, string name, string value)
    {
        // Folding and unfolding keep single spaces only, so runs of spaces (or spaces at the ends) are encoded too.
        if (IsPrintableAscii(value) && !value.Contains("=?", StringComparison.Ordinal) && !value.Contains("  ", StringComparison.Ordinal)
            && value.Trim() == value && value.Split(' ').All(word => word.Length <= FoldAt - name.Length - 2))
        {
            Structured(output, name, value);
            return;
        }
        output.Append(name).Append(": ").AppendJoin("\r\n ", EncodedWords(value)).Append("\r\n");
    }

    /// <summary>
    /// A header whose value is ASCII with a syntax of its own (addresses, Message-ID, URLs in angle brackets): folded
    /// at spaces beyond 78 characters; a token that cannot be folded may run to 998, longer is an error.
    /// </summary>
    public static void Structured(StringBuilder output, string name, string value)
    {
        if (!IsPrintableAscii(name) || name.Contains(':', StringComparison.Ordinal) || name.Contains(' ', StringComparison.Ordinal))
            throw new FormatException($"'{name}' is not a header field name.");
        if (!IsPrintableAscii(value))
            throw new FormatException($"The {name} header must be printable ASCII without line breaks.");
        var line = name.Length + 1;
        output.Append(name).Append(':');
        foreach (var word in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line + 1 + word.Length > FoldAt && line > name.Length + 1)
            {
                output.Append("\r\n");
                line = 0;
            }
            if (line + 1 + word.Length > MaxLineLength)
                throw new FormatException($"The {name} header holds a token longer than {MaxLineLength} characters.");
            output.Append(' ').Append(word);
            line += 1 + word.Length;
        }
        output.Append("\r\n");
    }

    /// <summary>"=?utf-8?B?...?=" words of at most <see cref="EncodedWordBytes"/> bytes each, never splitting a character.</summary>
    public static IEnumerable<string> EncodedWords(string value)
    {
        var chunk = new List<byte>(EncodedWordBytes);
        Span<byte> rune = stackalloc byte[4];
        var words = new List<string>();
        foreach (var r in value.EnumerateRunes())
        {
            var length = r.EncodeToUtf8(rune);
            if (chunk.Count + length > EncodedWordBytes)
            {
                words.Add(Word(chunk));
                chunk.Clear();
            }
            chunk.AddRange(rune[..length]);
        }
        if (chunk.Count > 0 || words.Count == 0)
            words.Add(Word(chunk));
        return words;

        static string Word(List<byte> bytes) => $"=?utf-8?B?{Convert.ToBase64String([.. bytes])}?=";
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
                return false;
        }
        return true;
    }

    /// <summary>Dot-atoms of ASCII: what a local part or a domain name needs no quoting or encoding for.</summary>
    private static bool IsAsciiAtoms(string value)
    {
        foreach (var c in value)
        {
            if (c is <= ' ' or > '~' or '"' or '(' or ')' or ',' or ':' or ';' or '<' or '>' or '@' or '[' or '\\' or ']')
                return false;
        }
        return value.Length > 0;
    }
}
