using System.Globalization;
using System.Net;
using System.Text;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Incidents;

/// <summary>
/// A digest (<see cref="NoticeKind.Digest"/>) in each people's channel: one email listing every incident and component
/// with its status, components and update; one SMS naming them; one chat message with a line each. Untrusted text is
/// encoded as in <see cref="IncidentEmail"/>. Webhooks get no digest (<see cref="Policy.DigestPolicy"/>).
/// </summary>
public static class DigestMessages
{
    /// <summary>Beyond this many, the email names the rest in one line and points at the status page.</summary>
    public const int ItemsInDetail = 50;

    private const int NamedInSubject = 3;

    private sealed record Words(string Updates, string More, string Intro, string ViewPage, string RestOnPage);

    private static readonly Words English = new("updates", "and {0} more", "Several incidents and components changed at about the same time. Here they are in one message:",
        "View the status page", "... and {0} more on the status page.");

    private static readonly Words German = new("Meldungen", "und {0} weitere", "Mehrere Störungen und Komponenten haben sich etwa gleichzeitig geändert. Hier alle in einer Nachricht:",
        "Zur Statusseite", "... und {0} weitere auf der Statusseite.");

    private static Words For(Texts texts) => texts.Culture == "de" ? German : English;

    private static IReadOnlyList<Notice> Items(Notice digest) => digest.Items ?? [];

    public static string Subject(Notice digest, Texts texts) => $"[{IncidentEmail.StatusLabel(texts, digest.Status)}] {Headline(digest, texts)}";

    /// <summary>"5 updates: A, B, C and 2 more".</summary>
    private static string Headline(Notice digest, Texts texts)
    {
        var items = Items(digest);
        var words = For(texts);
        var names = items.Take(NamedInSubject).Select(Title).ToList();
        var more = items.Count > NamedInSubject ? " " + string.Format(CultureInfo.InvariantCulture, words.More, items.Count - NamedInSubject) : "";
        return $"{items.Count} {words.Updates}: {string.Join(", ", names)}{more}";
    }

    public static EmailContent Email(Notice digest, Texts texts, MessageLinks? links)
    {
        var words = For(texts);
        var subject = Subject(digest, texts);
        var items = Items(digest);
        var text = new StringBuilder().AppendLine(words.Intro).AppendLine();
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"").Append(texts.Culture).Append("\"><head><meta charset=\"utf-8\"><title>").Append(Encode(subject)).Append("</title></head>")
            .Append("<body style=\"font-family:sans-serif;line-height:1.4\">")
            .Append("<p>").Append(Encode(words.Intro)).Append("</p>");
        foreach (var item in items.Take(ItemsInDetail))
        {
            var heading = $"[{Label(item, texts)}] {Title(item)}";
            var at = item.At.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            var link = item.IncidentId is { } id ? links?.IncidentOnPage(id) : null;
            text.AppendLine(heading).AppendLine(CultureInfo.InvariantCulture, $"{at}");
            html.Append("<h3>").Append(Encode(heading)).Append("</h3><p style=\"color:#666\">").Append(Encode(at)).Append("</p>");
            var components = item.Components.Where(c => c is not null).DistinctBy(c => c.ComponentId).ToList();
            if (components.Count > 0)
            {
                html.Append("<ul>");
                foreach (var c in components)
                {
                    var line = $"{IncidentEmail.OneLine(string.IsNullOrWhiteSpace(c.Name) ? c.ComponentId : c.Name)}: {IncidentEmail.Word(texts, c.Status)}";
                    text.AppendLine(CultureInfo.InvariantCulture, $"  - {line}");
                    html.Append("<li>").Append(Encode(line)).Append("</li>");
                }
                html.Append("</ul>");
            }
            var body = item.Body.ReplaceLineEndings("\n").Trim();
            if (item.Kind == NoticeKind.Persisting)
                body = $"{texts.StillOngoing}\n\n{body}".Trim();
            if (body.Length > 0)
            {
                text.AppendLine(body);
                html.Append("<div>").Append(Markdown.ToHtml(body)).Append("</div>");
            }
            if (link is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{texts.ViewIncident}: {link}");
                html.Append("<p><a href=\"").Append(Encode(link)).Append("\">").Append(Encode(texts.ViewIncident)).Append("</a></p>");
            }
            text.AppendLine();
        }
        if (items.Count > ItemsInDetail)
        {
            var rest = string.Format(CultureInfo.InvariantCulture, words.RestOnPage, items.Count - ItemsInDetail);
            text.AppendLine(rest).AppendLine();
            html.Append("<p>").Append(Encode(rest)).Append("</p>");
        }
        if (links?.Page is { } page)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{words.ViewPage}: {page}").AppendLine();
            html.Append("<p><a href=\"").Append(Encode(page)).Append("\">").Append(Encode(words.ViewPage)).Append("</a></p>");
        }
        text.AppendLine("-- ").AppendLine(texts.Footer);
        html.Append("<hr><p style=\"color:#666;font-size:small\">").Append(Encode(texts.Footer));
        if (links is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{texts.Manage}: {links.Manage}")
                .AppendLine(CultureInfo.InvariantCulture, $"{texts.Unsubscribe}: {links.Unsubscribe}");
            html.Append("<br><a href=\"").Append(Encode(links.Manage)).Append("\">").Append(Encode(texts.Manage)).Append("</a> · ")
                .Append("<a href=\"").Append(Encode(links.Unsubscribe)).Append("\">").Append(Encode(texts.Unsubscribe)).Append("</a>");
        }
        html.Append("</p></body></html>");
        return new EmailContent(subject, text.ToString(), html.ToString());
    }

    /// <summary>
    /// The digest as a plain notice for the SMS and chat renderers: the subject as its name, one line per item as its
    /// body, the status page as its link.
    /// </summary>
    public static (Notice Notice, MessageLinks? Links) Flatten(Notice digest, Texts texts, MessageLinks? links)
    {
        var lines = Items(digest).Take(ItemsInDetail).Select(i => $"- [{Label(i, texts)}] {Title(i)}");
        var rest = Items(digest).Count > ItemsInDetail
            ? "\n" + string.Format(CultureInfo.InvariantCulture, For(texts).RestOnPage, Items(digest).Count - ItemsInDetail)
            : "";
        var flat = digest with
        {
            Kind = NoticeKind.Updated,
            Name = Headline(digest, texts),
            Body = string.Join("\n", lines) + rest,
            Components = [],
            Items = null,
        };
        return (flat, links is null ? null : links with { Incident = links.Page });
    }

    /// <summary>Short enough for one SMS: the count, the first names, the page.</summary>
    public static (Notice Notice, MessageLinks? Links) ForSms(Notice digest, Texts texts, MessageLinks? links)
    {
        var (flat, page) = Flatten(digest, texts, links);
        return (flat with { Body = "" }, page);
    }

    private static string Title(Notice item) => IncidentEmail.OneLine(item.IncidentId is null && item.Components.Count > 0 ? item.Components[0].Name : item.Name);

    private static string Label(Notice item, Texts texts) => item.IncidentId is null && item.Components.Count > 0
        ? IncidentEmail.Word(texts, item.Components[0].Status)
        : IncidentEmail.StatusLabel(texts, item.Status);

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
