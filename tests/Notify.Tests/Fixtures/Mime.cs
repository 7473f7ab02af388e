using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace StatusPlatform.Notify.Tests.Fixtures;

/// <summary>One decoded part of a MIME message.</summary>
public sealed record MimePart(string ContentType, string Charset, string Text);

/// <summary>A message as a MIME parser sees it: unfolded headers and the decoded parts of a multipart body.</summary>
public sealed record MimeMessage(IReadOnlyDictionary<string, string> Headers, string ContentType, IReadOnlyList<MimePart> Parts)
{
    /// <summary>
    /// Parses raw RFC 5322 / MIME text strictly enough for the tests: the header block must end in a blank line, a
    /// multipart body must have its boundary parameter and closing delimiter, and every part must decode.
    /// </summary>
    public static async Task<MimeMessage> ParseAsync(string raw)
    {
        raw = raw.ReplaceLineEndings("\r\n");
        var end = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
            throw new FormatException("No blank line after the headers.");
        var headers = ParseHeaders(raw[..end]);
        var contentType = MediaTypeHeaderValue.Parse(headers["Content-Type"]);
        var parts = new List<MimePart>();
        if (contentType.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value ?? throw new FormatException("A multipart body without a boundary.");
            if (!raw.Contains($"--{boundary}--", StringComparison.Ordinal))
                throw new FormatException("The multipart body has no closing delimiter.");
            var reader = new MultipartReader(boundary, new MemoryStream(Encoding.UTF8.GetBytes(raw[(end + 4)..])));
            while (await reader.ReadNextSectionAsync() is { } section)
            {
                using var body = new StreamReader(section.Body);
                var encoded = await body.ReadToEndAsync();
                var type = MediaTypeHeaderValue.Parse(section.ContentType);
                var charset = type.Charset.Value ?? "us-ascii";
                var bytes = (section.Headers!.TryGetValue("Content-Transfer-Encoding", out var cte) ? cte.ToString().ToLowerInvariant() : "7bit") switch
                {
                    "base64" => Convert.FromBase64String(encoded.Replace("\r\n", "", StringComparison.Ordinal)),
                    "quoted-printable" => QuotedPrintable(encoded),
                    _ => Encoding.UTF8.GetBytes(encoded),
                };
                parts.Add(new MimePart(type.MediaType.ToString(), charset, Encoding.GetEncoding(charset).GetString(bytes)));
            }
        }
        return new MimeMessage(headers, contentType.MediaType.ToString(), parts);
    }

    private static Dictionary<string, string> ParseHeaders(string block)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        // Unfolding (RFC 5322 2.2.3): a line break followed by white space continues the previous field.
        foreach (var line in block.Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal).Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                throw new FormatException($"Not a header field: '{line}'.");
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }
        return headers;
    }

    private static byte[] QuotedPrintable(string text)
    {
        var bytes = new List<byte>();
        var soft = text.Replace("=\r\n", "", StringComparison.Ordinal);
        for (var i = 0; i < soft.Length; i++)
        {
            if (soft[i] == '=' && i + 2 < soft.Length)
            {
                bytes.Add(Convert.ToByte(soft.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
                bytes.AddRange(Encoding.UTF8.GetBytes(soft[i].ToString()));
        }
        return [.. bytes];
    }
}
