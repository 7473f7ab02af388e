using System.Globalization;
using System.Net;
using System.Text;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Incidents;

/// <summary>
/// Renders the email for an incident notice. Every value from the event is untrusted text: it is HTML-encoded in
/// the HTML part (the body rendered from Markdown without raw HTML) and stripped of line breaks in the subject (a
/// CR/LF there would be a header injection).
/// </summary>
public static class IncidentEmail
{
    private const int NamedComponentsInSubject = 3;

    public static EmailContent Opened(IncidentOpened e) => Render(Notice.From(e), Texts.English, null);

    public static EmailContent Resolved(IncidentResolved e) => Render(Notice.From(e), Texts.English, null);

    public static EmailContent Render(Notice notice, Texts texts, MessageLinks? links)
    {
        if (notice.Kind == NoticeKind.Digest)
            return DigestMessages.Email(notice, texts, links);
        var (statusLabel, title) = (StatusLabel(texts, notice.Status), OneLine(notice.Name));
        var affected = notice.Components.Where(c => c is not null).DistinctBy(c => c.ComponentId).ToList();
        var names = affected.Select(c => OneLine(string.IsNullOrWhiteSpace(c.Name) ? c.ComponentId : c.Name)).ToList();
        var at = notice.At.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var lines = notice.Body.ReplaceLineEndings("\n").Trim();
        var timeLabel = notice.Kind switch
        {
            NoticeKind.Resolved => texts.Resolved,
            NoticeKind.Updated or NoticeKind.ComponentStatus => texts.Updated,
            NoticeKind.Postmortem => texts.Published,
            _ => texts.Opened,
        };
        var impact = notice.Kind is NoticeKind.Opened or NoticeKind.Persisting or NoticeKind.Updated && notice.Impact != IncidentImpact.None
            ? $"{texts.Impact}: {Word(texts, notice.Impact)}"
            : null;

        var subjectNames = names.Count <= NamedComponentsInSubject
            ? string.Join(", ", names)
            : $"{string.Join(", ", names.Take(NamedComponentsInSubject))} and {names.Count - NamedComponentsInSubject} more";
        var subject = names.Count == 0 ? $"[{statusLabel}] {title}" : $"[{statusLabel}] {subjectNames}: {title}";

        var text = new StringBuilder()
            .AppendLine(title).AppendLine()
            .AppendLine(impact is null ? $"{texts.Status}: {statusLabel}" : $"{texts.Status}: {statusLabel} ({impact})")
            .AppendLine(CultureInfo.InvariantCulture, $"{timeLabel}: {at}");
        if (affected.Count > 0)
            text.AppendLine(texts.AffectedComponents);
        foreach (var (c, n) in affected.Zip(names))
            text.AppendLine(CultureInfo.InvariantCulture, $"  - {n}: {Word(texts, c.Status)}");
        text.AppendLine();
        if (notice.Kind == NoticeKind.Persisting)
            text.AppendLine(texts.StillOngoing);
        text.AppendLine(lines).AppendLine();
        if (links?.Incident is { } incidentLink)
            text.AppendLine(CultureInfo.InvariantCulture, $"{texts.ViewIncident}: {incidentLink}").AppendLine();
        text.AppendLine("-- ").AppendLine(texts.Footer);
        if (links is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{texts.Manage}: {links.Manage}")
                .AppendLine(CultureInfo.InvariantCulture, $"{texts.Unsubscribe}: {links.Unsubscribe}");
        }

        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"").Append(texts.Culture).Append("\"><head><meta charset=\"utf-8\"><title>").Append(Encode(subject)).Append("</title></head>")
            .Append("<body style=\"font-family:sans-serif;line-height:1.4\">")
            .Append("<h2>").Append(Encode(title)).Append("</h2>")
            .Append("<p><strong>").Append(Encode(texts.Status)).Append(":</strong> ").Append(Encode(statusLabel))
            .Append(impact is null ? "" : $" ({Encode(impact)})").Append("<br>")
            .Append("<strong>").Append(Encode(timeLabel)).Append(":</strong> ").Append(Encode(at)).Append("</p>");
        if (affected.Count > 0)
        {
            html.Append("<p><strong>").Append(Encode(texts.AffectedComponents)).Append("</strong></p><ul>");
            foreach (var (c, n) in affected.Zip(names))
                html.Append("<li>").Append(Encode(n)).Append(": ").Append(Encode(Word(texts, c.Status))).Append("</li>");
            html.Append("</ul>");
        }
        if (notice.Kind == NoticeKind.Persisting)
            html.Append("<p><strong>").Append(Encode(texts.StillOngoing)).Append("</strong></p>");
        html.Append("<div>").Append(Markdown.ToHtml(lines)).Append("</div>");
        if (links?.Incident is { } link)
            html.Append("<p><a href=\"").Append(Encode(link)).Append("\">").Append(Encode(texts.ViewIncident)).Append("</a></p>");
        html.Append("<hr><p style=\"color:#666;font-size:small\">").Append(Encode(texts.Footer));
        if (links is not null)
        {
            html.Append("<br><a href=\"").Append(Encode(links.Manage)).Append("\">").Append(Encode(texts.Manage)).Append("</a> · ")
                .Append("<a href=\"").Append(Encode(links.Unsubscribe)).Append("\">").Append(Encode(texts.Unsubscribe)).Append("</a>");
        }
        html.Append("</p></body></html>");

        return new EmailContent(subject, text.ToString(), html.ToString());
    }

    /// <summary>The confirmation mail of the double opt-in.</summary>
    public static EmailContent Confirmation(Texts texts, string confirmLink) => Plain(texts, texts.ConfirmSubject,
        [texts.ConfirmBody], (texts.ConfirmButton, confirmLink), texts.ConfirmIgnore);

    /// <summary>Sent instead of a second confirmation when a confirmed address subscribes again: the owner gets the manage link, nobody else learns anything.</summary>
    public static EmailContent AlreadySubscribed(Texts texts, MessageLinks links) => Plain(texts, texts.AlreadySubject,
        [texts.AlreadyBody], (texts.Manage, links.Manage), $"{texts.Unsubscribe}: {links.Unsubscribe}");

    private static EmailContent Plain(Texts texts, string subject, IReadOnlyList<string> paragraphs, (string Label, string Url) action, string footer)
    {
        var text = new StringBuilder();
        foreach (var p in paragraphs)
            text.AppendLine(p).AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{action.Label}: {action.Url}").AppendLine().AppendLine("-- ").AppendLine(footer);
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"").Append(texts.Culture).Append("\"><head><meta charset=\"utf-8\"><title>").Append(Encode(subject)).Append("</title></head>")
            .Append("<body style=\"font-family:sans-serif;line-height:1.4\">");
        foreach (var p in paragraphs)
            html.Append("<p>").Append(Encode(p)).Append("</p>");
        html.Append("<p><a href=\"").Append(Encode(action.Url)).Append("\">").Append(Encode(action.Label)).Append("</a></p>")
            .Append("<hr><p style=\"color:#666;font-size:small\">").Append(Encode(footer)).Append("</p></body></html>");
        return new EmailContent(subject, text.ToString(), html.ToString());
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);

    /// <summary>The locale's word for a status, else "investigating" -> "Investigating".</summary>
    public static string StatusLabel(Texts texts, string? status)
    {
        if (status is not null && texts.Statuses.TryGetValue(status, out var word) && char.IsUpper(word[0]))
            return word;
        var words = Words(status);
        return words.Length == 0 ? "Update" : char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>The locale's word for a component status or impact, else "major_outage" -> "major outage".</summary>
    public static string Word(Texts texts, string? value) =>
        value is not null && texts.Statuses.TryGetValue(value, out var word) ? word : Words(value);

    private static string Words(string? value) => OneLine(value).Replace('_', ' ');

    public static string OneLine(string? value)
    {
        var words = (value ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return new string([.. string.Join(' ', words).Where(ch => !char.IsControl(ch))]);
    }
}
