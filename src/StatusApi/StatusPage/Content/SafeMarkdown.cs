using Markdig;
using Markdig.Syntax;
using Markdig.Renderers.Html;
using Markdig.Syntax.Inlines;

namespace StatusPlatform.StatusApi.StatusPage.Content;

/// <summary>
/// Incident and maintenance bodies (Markdown written by responders, or by automation from monitor output) as HTML that
/// cannot run anything: raw HTML is escaped (DisableHtml), and a link or image whose URL is not http(s), mailto or a
/// relative reference is replaced by its text, since Markdig itself passes <c>javascript:</c> URLs through.
/// </summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseAutoLinks()
        .UseEmphasisExtras()
        .UseListExtras()
        .UsePipeTables()
        .Build();

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown ?? "", Pipeline);
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (IsSafe(link.Url))
            {
                link.GetAttributes().AddPropertyIfNotExist("rel", "nofollow noopener noreferrer");
                continue;
            }
            Unwrap(link);
        }
        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            if (!IsSafe(autolink.IsEmail ? "mailto:" + autolink.Url : autolink.Url))
                autolink.ReplaceBy(new LiteralInline(autolink.Url));
        }
        using var writer = new StringWriter();
        var renderer = new Markdig.Renderers.HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        return writer.ToString();
    }

    /// <summary>Puts a link's label where the link was; an image (no readable label) becomes its title, or nothing.</summary>
    private static void Unwrap(LinkInline link)
    {
        if (link.IsImage)
        {
            link.ReplaceBy(new LiteralInline(link.Title ?? ""));
            return;
        }
        Inline previous = link;
        foreach (var child in link.ToList())
        {
            child.Remove();
            previous.InsertAfter(child);
            previous = child;
        }
        link.Remove();
    }

    private static bool IsSafe(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
            return false;
        var trimmed = url.Trim();
        // A relative reference has no colon before its first / ? or #; anything else has a scheme, which must be a safe one.
        var firstDelimiter = trimmed.IndexOfAny(['/', '?', '#']);
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || firstDelimiter >= 0 && firstDelimiter < colon)
            return true;
        return Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto";
    }
}
