using StatusPlatform.Notify.Incidents;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Messages;

/// <summary>One SMS: status, components and incident name, and the link; kept within two segments.</summary>
public static class SmsText
{
    private const int MaxLength = 300;

    public static string Render(Notice notice, Texts texts, MessageLinks? links)
    {
        if (notice.Kind == NoticeKind.Digest)
            (notice, links) = DigestMessages.ForSms(notice, texts, links);
        var names = string.Join(", ", notice.Components.Select(c => IncidentEmail.OneLine(c.Name)).Take(3));
        var head = $"[{IncidentEmail.StatusLabel(texts, notice.Status)}] {(names.Length > 0 ? names + ": " : "")}{IncidentEmail.OneLine(notice.Name)}";
        var tail = links?.Incident is { } link ? $" {link}" : "";
        var stop = links is null ? "" : $" {texts.Unsubscribe}: {links.Unsubscribe}";
        var text = head + tail;
        if (text.Length + stop.Length <= MaxLength)
            text += stop;
        return text.Length <= MaxLength ? text : text[..(MaxLength - 1)] + "…";
    }
}
