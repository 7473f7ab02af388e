using System.Globalization;
using System.Net;
using System.Text;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;

namespace StatusPlatform.Notify.Incidents;

/// <summary>
/// Renders the email for an incident event. Every value from the event is untrusted text: it is HTML-encoded in
/// the HTML part and stripped of line breaks in the subject (a CR/LF there would be a header injection).
/// </summary>
public static class IncidentEmail
{
    private const int NamedComponentsInSubject = 3;

    public static EmailContent Opened(IncidentOpened e) => Render(
        e.Status, e.Name, e.Body, e.Components, ("Opened", e.OpenedAt), $"Impact: {Words(e.Impact)}");

    public static EmailContent Resolved(IncidentResolved e) => Render(
        IncidentStatus.Resolved, e.Name, e.Body, e.Components, ("Resolved", e.ResolvedAt), null);

    private static EmailContent Render(
        string? status, string? name, string? body, IReadOnlyList<AffectedComponent>? components, (string Label, DateTimeOffset At) time, string? impact)
    {
        var (statusLabel, title) = (Label(status), OneLine(name));
        var affected = (components ?? []).Where(c => c is not null).DistinctBy(c => c.ComponentId).ToList();
        var names = affected.Select(c => OneLine(string.IsNullOrWhiteSpace(c.Name) ? c.ComponentId : c.Name)).ToList();
        var at = time.At.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var lines = (body ?? "").ReplaceLineEndings("\n").Trim();

        var subjectNames = names.Count <= NamedComponentsInSubject
            ? string.Join(", ", names)
            : $"{string.Join(", ", names.Take(NamedComponentsInSubject))} and {names.Count - NamedComponentsInSubject} more";
        var subject = names.Count == 0 ? $"[{statusLabel}] {title}" : $"[{statusLabel}] {subjectNames}: {title}";

        var text = new StringBuilder()
            .AppendLine(title).AppendLine()
            .AppendLine(impact is null ? $"Status: {statusLabel}" : $"Status: {statusLabel} ({impact})")
            .AppendLine(CultureInfo.InvariantCulture, $"{time.Label}: {at}")
            .AppendLine("Affected components:");
        foreach (var (c, n) in affected.Zip(names))
            text.AppendLine(CultureInfo.InvariantCulture, $"  - {n}: {Words(c.Status)}");
        text.AppendLine().AppendLine(lines).AppendLine().AppendLine("-- ")
            .AppendLine("You receive this because you subscribed to updates about these components.");

        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(Encode(subject)).Append("</title></head>")
            .Append("<body style=\"font-family:sans-serif;line-height:1.4\">")
            .Append("<h2>").Append(Encode(title)).Append("</h2>")
            .Append("<p><strong>Status:</strong> ").Append(Encode(statusLabel))
            .Append(impact is null ? "" : $" ({Encode(impact)})").Append("<br>")
            .Append("<strong>").Append(Encode(time.Label)).Append(":</strong> ").Append(Encode(at)).Append("</p>")
            .Append("<p><strong>Affected components:</strong></p><ul>");
        foreach (var (c, n) in affected.Zip(names))
            html.Append("<li>").Append(Encode(n)).Append(": ").Append(Encode(Words(c.Status))).Append("</li>");
        html.Append("</ul>")
            .Append("<p style=\"white-space:pre-wrap\">").Append(Encode(lines)).Append("</p>")
            .Append("<hr><p style=\"color:#666;font-size:small\">You receive this because you subscribed to updates about these components.</p>")
            .Append("</body></html>");

        return new EmailContent(subject, text.ToString(), html.ToString());
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);

    /// <summary>"investigating" -> "Investigating", "major_outage" -> "Major outage".</summary>
    private static string Label(string? value)
    {
        var words = Words(value);
        return words.Length == 0 ? "Update" : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static string Words(string? value) => OneLine(value).Replace('_', ' ');

    private static string OneLine(string? value)
    {
        var words = (value ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return new string([.. string.Join(' ', words).Where(ch => !char.IsControl(ch))]);
    }
}
