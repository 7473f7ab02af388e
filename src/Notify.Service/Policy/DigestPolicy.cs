using StatusPlatform.Contracts;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Policy;

/// <summary>
/// Notify:Digest. A message to a person about an incident or a component waits <see cref="Wait"/> for company; when it
/// is due, the messages gathered for that subscriber on that channel go out as one digest if they concern at least
/// <see cref="Threshold"/> different incidents or components, else one by one. A subscriber gets at most one digest
/// per channel per <see cref="Window"/>: what comes in meanwhile waits for the window's end and joins the next one.
/// </summary>
public sealed class DigestOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>How long a message waits for others to join it; what every incident message to a person is delayed by.</summary>
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Different incidents or components gathered that make a digest.</summary>
    public int Threshold { get; set; } = 3;

    /// <summary>At most one digest per subscriber and channel in this time.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);

    public string? Problem() =>
        Wait < TimeSpan.Zero || Wait > TimeSpan.FromMinutes(10) ? "Notify:Digest:Wait must be between 0 and 10 minutes."
        : Threshold < 2 ? "Notify:Digest:Threshold must be at least 2."
        : Window < TimeSpan.Zero || Window > TimeSpan.FromHours(1) ? "Notify:Digest:Window must be between 0 and 1 hour."
        : null;
}

/// <summary>A delivery held for the digest, as the decision sees it: what it is about (<see cref="DigestPolicy.KeyOf"/>) and until when it waits.</summary>
public sealed record HeldDelivery(Guid Id, Guid EventId, string Key, DateTimeOffset HeldUntil);

public enum DigestAction
{
    /// <summary>Nothing is due yet, or a digest went out within the window: keep gathering until <see cref="DigestDecision.Until"/>.</summary>
    Wait,

    /// <summary>Few enough to send one by one.</summary>
    Release,

    /// <summary>One digest for all of them.</summary>
    Fold,
}

public sealed record DigestDecision(DigestAction Action, DateTimeOffset? Until = null);

/// <summary>
/// The digest rules, pure. Which deliveries are gathered: people's channels (email, SMS, chat) only; webhooks keep
/// Statuspage's one-payload-per-incident shape, which their receivers parse, and the ops room sees every event as it
/// comes. Which kinds: incident openings, updates, persisting notices, resolutions and component changes, the messages
/// that come in storms; maintenance and postmortems are planned and few. The policy table decides first: a notice it
/// does not send to a person (an automatic incident's opening, by default) is in no digest either.
/// </summary>
public static class DigestPolicy
{
    public static IReadOnlyList<string> Kinds { get; } =
        [NoticeKind.Opened, NoticeKind.Updated, NoticeKind.Persisting, NoticeKind.Resolved, NoticeKind.ComponentStatus];

    public static IReadOnlyList<string> Channels { get; } = [.. SubscriptionChannel.All.Where(c => c != SubscriptionChannel.Webhook)];

    private static readonly string[] ImpactOrder = [IncidentImpact.None, IncidentImpact.Minor, IncidentImpact.Major, IncidentImpact.Critical];

    /// <summary>Whether deliveries of this notice to people wait for a digest.</summary>
    public static bool Gathers(Notice notice, DigestOptions options) =>
        options.Enabled && options.Wait > TimeSpan.Zero && Kinds.Contains(notice.Kind) && notice.Items is null;

    /// <summary>What a notice is about: its incident, or the component whose status changed. The threshold counts these.</summary>
    public static string KeyOf(Notice notice) =>
        notice.IncidentId ?? $"component:{notice.Component?.ComponentId ?? (notice.Components.Count > 0 ? notice.Components[0].ComponentId : notice.Name)}";

    /// <summary>What to do with one subscriber's held deliveries on one channel (never empty).</summary>
    public static DigestDecision Decide(IReadOnlyCollection<HeldDelivery> held, DateTimeOffset? lastDigestAt, DateTimeOffset now, DigestOptions options)
    {
        if (held.Count == 0)
            throw new ArgumentException("A digest decision needs at least one held delivery.", nameof(held));
        var due = held.Min(h => h.HeldUntil);
        if (due > now)
            return new DigestDecision(DigestAction.Wait, due);
        if (lastDigestAt is { } last && last + options.Window > now)
            return new DigestDecision(DigestAction.Wait, last + options.Window);
        return held.Select(h => h.Key).Distinct(StringComparer.Ordinal).Count() >= options.Threshold
            ? new DigestDecision(DigestAction.Fold)
            : new DigestDecision(DigestAction.Release);
    }

    /// <summary>
    /// The digest of some notices: per incident or component the latest notice, oldest first. Its id is derived from
    /// the events it folds, so every subscriber who gathered the same events shares one stored notice.
    /// </summary>
    public static (Guid Id, Notice Digest) Compose(IReadOnlyList<(Guid EventId, Notice Notice)> folded)
    {
        if (folded.Count == 0)
            throw new ArgumentException("A digest needs at least one notice.", nameof(folded));
        var items = folded.Select(f => f.Notice)
            .GroupBy(KeyOf, StringComparer.Ordinal)
            .Select(g => g.OrderBy(n => n.At).Last())
            .OrderBy(n => n.At).ThenBy(KeyOf, StringComparer.Ordinal)
            .ToList();
        var components = items.SelectMany(i => i.Components).Where(c => c is not null)
            .GroupBy(c => c.ComponentId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var impact = items.Select(i => i.Impact).MaxBy(i => Array.IndexOf(ImpactOrder, i)) ?? IncidentImpact.None;
        var open = items.Any(i => i.Kind is not (NoticeKind.Resolved or NoticeKind.Postmortem));
        var digest = new Notice(NoticeKind.Digest, null, $"{items.Count}", open ? IncidentStatus.Investigating : IncidentStatus.Resolved, impact, "",
            components, items[^1].At, Automatic: items.All(i => i.Automatic), Items: items);
        var id = Notice.DerivedId("digest:" + string.Join(",", folded.Select(f => f.EventId).Distinct().Order()));
        return (id, digest);
    }
}
