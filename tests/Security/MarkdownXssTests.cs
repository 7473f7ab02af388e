extern alias notify;
using System.Text.RegularExpressions;
using StatusPlatform.StatusApi.StatusPage.Content;
using EmailMarkdown = notify::StatusPlatform.Notify.Messages.Markdown;

namespace StatusPlatform.Security;

/// <summary>
/// Incident bodies are Markdown written by people with an admin key, shown to everyone: on the page (StatusApi's
/// SafeMarkdown) and in email (Notify.Service's Markdown). Whatever a body holds, the HTML must not run script.
/// </summary>
public sealed partial class MarkdownXssTests
{
    public static TheoryData<string> Payloads => new()
    {
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.test/x.js></SCRIPT>",
        "Hello <img src=x onerror=alert(1)> world",
        "<svg/onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1)  )",
        "[click](java\tscript:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        "![x](x\" onerror=\"alert(1))",
        "<javascript:alert(1)>",
        "[a](https://ok.test \"title\\\" onmouseover=alert(1) x=\\\"\")",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<details open ontoggle=alert(1)>",
        "```\n</code><script>alert(1)</script>\n```",
        "[ref]\n\n[ref]: javascript:alert(1)",
        "<<script>script>alert(1)<</script>/script>",
        "\u202e<script>alert(1)</script>",
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void The_status_page_renders_hostile_markdown_inert(string body) => AssertInert(SafeMarkdown.ToHtml(body));

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Email_renders_hostile_markdown_inert(string body) => AssertInert(EmailMarkdown.ToHtml(body));

    [Fact]
    public void Safe_markdown_still_renders_links_and_emphasis()
    {
        // Guards the guard: a renderer that escaped everything would pass the tests above and be useless.
        foreach (var html in new[] { SafeMarkdown.ToHtml("**Fixed**, see [notes](https://example.test/n)"), EmailMarkdown.ToHtml("**Fixed**, see [notes](https://example.test/n)") })
        {
            Assert.Contains("<strong>Fixed</strong>", html, StringComparison.Ordinal);
            Assert.Contains("href=\"https://example.test/n\"", html, StringComparison.Ordinal);
        }
    }

    private static void AssertInert(string html)
    {
        // Any real element the browser would build from the body: only the safe ones Markdown produces may appear.
        foreach (Match tag in Tag().Matches(html))
            Assert.Contains(tag.Groups[1].Value.ToLowerInvariant(), SafeTags);
        // An on...= attribute in a real tag; quoted attribute values are text (Markdig escapes quotes inside them).
        foreach (Match tag in Tag().Matches(html))
            Assert.DoesNotMatch(EventHandler(), QuotedValue().Replace(tag.Groups[2].Value, "\"\""));
        foreach (Match link in Url().Matches(html))
        {
            var url = System.Net.WebUtility.HtmlDecode(link.Groups[1].Value).Trim();
            Assert.True(url.Length == 0 || url.StartsWith('#') || url.StartsWith('/') || Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" or "mailto"
                || !url.Contains(':', StringComparison.Ordinal), $"unsafe link '{url}' in {html}");
        }
    }

    private static readonly string[] SafeTags = ["p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "br", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "del", "table", "thead", "tbody", "tr", "th", "td"];

    // A real tag (escaped text shows as &lt;, which this does not match): its name, then its attributes.
    [GeneratedRegex(@"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>?")]
    private static partial Regex Tag();

    [GeneratedRegex(@"(^|\s|/)on[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandler();

    [GeneratedRegex("\"[^\"]*\"|'[^']*'")]
    private static partial Regex QuotedValue();

    [GeneratedRegex(@"(?:href|src)\s*=\s*""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex Url();
}
