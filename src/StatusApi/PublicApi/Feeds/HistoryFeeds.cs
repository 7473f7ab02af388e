using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using StatusPlatform.StatusApi.PublicApi.Wire;

namespace StatusPlatform.StatusApi.PublicApi.Feeds;

/// <summary>
/// /history.rss and /history.atom, as Statuspage serves them: one item per incident of the last 50, newest first, its
/// updates as HTML in the item. Bodies are Markdown written by people; here they are HTML-escaped text with line breaks,
/// never rendered markup, so a script tag, raw HTML or a javascript: link in a body arrives in a feed reader as visible
/// text and nothing else. XmlWriter escapes once more for the XML itself.
/// </summary>
public static class HistoryFeeds
{
    public const string RssContentType = "application/rss+xml; charset=utf-8";
    public const string AtomContentType = "application/atom+xml; charset=utf-8";

    private static readonly XmlWriterSettings Settings = new() { Encoding = new UTF8Encoding(false), Indent = false };

    public static byte[] Rss(Page page, IReadOnlyList<Wire.Incident> incidents)
    {
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, Settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("rss");
            xml.WriteAttributeString("version", "2.0");
            xml.WriteStartElement("channel");
            xml.WriteElementString("title", $"{page.Name} Status - Incident History");
            xml.WriteElementString("link", page.Url);
            xml.WriteElementString("description", $"Statuspage-style incident history for {page.Name}");
            xml.WriteElementString("pubDate", incidents.Count > 0 ? incidents.Max(i => i.UpdatedAt).ToString("r", CultureInfo.InvariantCulture) : page.UpdatedAt.ToString("r", CultureInfo.InvariantCulture));
            foreach (var incident in incidents)
            {
                xml.WriteStartElement("item");
                xml.WriteElementString("title", incident.Name);
                xml.WriteElementString("description", UpdatesHtml(incident));
                xml.WriteElementString("pubDate", incident.CreatedAt.ToString("r", CultureInfo.InvariantCulture));
                xml.WriteElementString("link", incident.Shortlink);
                xml.WriteStartElement("guid");
                xml.WriteAttributeString("isPermaLink", "false");
                xml.WriteString($"{page.Url.TrimEnd('/')}/incidents/{incident.Id}");
                xml.WriteEndElement();
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        return buffer.ToArray();
    }

    public static byte[] Atom(Page page, IReadOnlyList<Wire.Incident> incidents)
    {
        const string ns = "http://www.w3.org/2005/Atom";
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, Settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("feed", ns);
            xml.WriteElementString("id", ns, $"tag:{Host(page.Url)},2024:/history");
            xml.WriteElementString("title", ns, $"{page.Name} Status - Incident History");
            xml.WriteElementString("updated", ns, Iso(incidents.Count > 0 ? incidents.Max(i => i.UpdatedAt) : page.UpdatedAt));
            Link(xml, ns, "alternate", page.Url);
            foreach (var incident in incidents)
            {
                xml.WriteStartElement("entry", ns);
                xml.WriteElementString("id", ns, $"tag:{Host(page.Url)},2024:Incident/{incident.Id}");
                xml.WriteElementString("published", ns, Iso(incident.CreatedAt));
                xml.WriteElementString("updated", ns, Iso(incident.UpdatedAt));
                Link(xml, ns, "alternate", incident.Shortlink);
                xml.WriteElementString("title", ns, incident.Name);
                xml.WriteStartElement("content", ns);
                xml.WriteAttributeString("type", "html");
                xml.WriteString(UpdatesHtml(incident));
                xml.WriteEndElement();
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        return buffer.ToArray();
    }

    /// <summary>Each update as a paragraph (time, status in bold, the text escaped), newest first.</summary>
    public static string UpdatesHtml(Wire.Incident incident)
    {
        var html = new StringBuilder();
        foreach (var update in incident.IncidentUpdates)
        {
            var text = WebUtility.HtmlEncode(update.Body).ReplaceLineEndings("<br>");
            html.Append(CultureInfo.InvariantCulture, $"<p><small>{update.DisplayAt:MMM d, HH:mm zzz}</small><br><strong>{WebUtility.HtmlEncode(Title(update.Status))}</strong> - {text}</p>");
        }
        return html.ToString();
    }

    private static string Title(string status) => status.Length == 0 ? status : char.ToUpperInvariant(status[0]) + status[1..];

    private static void Link(XmlWriter xml, string ns, string rel, string href)
    {
        xml.WriteStartElement("link", ns);
        xml.WriteAttributeString("rel", rel);
        xml.WriteAttributeString("type", "text/html");
        xml.WriteAttributeString("href", href);
        xml.WriteEndElement();
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string Host(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : "statusplatform";
}
