using System.Collections.Concurrent;
using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace StatusPlatform.Notify.Messages;

/// <summary>
/// Incident bodies are Markdown written by people; rendered without raw HTML (it is shown encoded) and with links
/// only to http, https and mailto, since DisableHtml alone still lets [x](javascript:...) through.
/// </summary>
public static class Markdown
{
    private const int CacheLimit = 1024;
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().Build();
    // A fan-out renders one body for every subscriber; parsing it once is the difference that shows at 100k.
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    public static string ToHtml(string markdown)
    {
        if (Cache.TryGetValue(markdown, out var html))
            return html;
        if (Cache.Count >= CacheLimit)
            Cache.Clear();
        return Cache[markdown] = Render(markdown);
    }

    private static string Render(string markdown)
    {
        var document = Markdig.Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url))
                link.Url = "#";
        }
        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!link.IsEmail && !IsSafe(link.Url))
                link.Url = "#";
        }
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        return writer.ToString();
    }

    private static bool IsSafe(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri.Scheme is "http" or "https" or "mailto"
            : url is not null && !url.Contains(':', StringComparison.Ordinal);
}
