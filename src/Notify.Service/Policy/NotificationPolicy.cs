using StatusPlatform.Contracts;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Policy;

/// <summary>
/// One line of the policy table: does an event of this kind, impact and origin go to subscribers on this channel?
/// "*" matches anything; the first matching rule wins. Origin is automatic (monitors wrote it), human, or *.
/// </summary>
public sealed class PolicyRule
{
    public string Event { get; set; } = "*";
    public string Impact { get; set; } = "*";
    public string Channel { get; set; } = "*";
    public string Origin { get; set; } = "*";
    public bool Notify { get; set; }

    public static PolicyRule Of(string @event, string impact, string channel, string origin, bool notify) =>
        new() { Event = @event, Impact = impact, Channel = channel, Origin = origin, Notify = notify };

    public bool Matches(string kind, string impact, string channel, bool automatic) =>
        Is(Event, kind) && Is(Impact, impact) && (Is(Channel, channel) || (Channel == "chat" && SubscriptionChannel.Chat.Contains(channel)))
        && (Origin == "*" || Origin == (automatic ? "automatic" : "human"));

    private static bool Is(string pattern, string value) => pattern == "*" || string.Equals(pattern, value, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"{Event} x {Impact} x {Channel} x {Origin} -> {(Notify ? "notify" : "hold")}";
}

/// <summary>Who hears of a notice: the channels the table allows, whether only those told before, and whether the quiet rule applies.</summary>
public sealed record Audience(IReadOnlyList<string> Channels, bool OnlyThoseTold, bool Quiet, bool OpsRoom)
{
    public bool ReachesSubscribers => Channels.Count > 0;
}

/// <summary>
/// The notification policy (ARCHITECTURE.md section 6), pure: an automatic incident's first message goes to the ops
/// room only; people hear human updates, outages that last (the persisting notice), and the resolution of what they
/// were told about; SMS only on open and resolve; deliver_notifications=false reaches nobody but the ops room.
/// The digest (<see cref="DigestPolicy"/>) comes after this table: it only bundles what the table already sends to people.
/// </summary>
public static class NotificationPolicy
{
    public static IReadOnlyList<PolicyRule> Defaults { get; } =
    [
        PolicyRule.Of(NoticeKind.Opened, "*", "*", "automatic", false),
        PolicyRule.Of(NoticeKind.Updated, "*", "*", "automatic", false),
        PolicyRule.Of(NoticeKind.Updated, "*", SubscriptionChannel.Sms, "*", false),
        PolicyRule.Of(NoticeKind.Postmortem, "*", SubscriptionChannel.Sms, "*", false),
        // Maintenance: announcements, start and end go everywhere but SMS; a text message is for the reminder only.
        PolicyRule.Of(NoticeKind.Maintenance, "*", SubscriptionChannel.Sms, "*", false),
        // Component changes are machine news: webhooks get them as Statuspage sends them, people get the incident.
        PolicyRule.Of(NoticeKind.ComponentStatus, "*", SubscriptionChannel.Webhook, "*", true),
        PolicyRule.Of(NoticeKind.ComponentStatus, "*", "*", "*", false),
        PolicyRule.Of("*", "*", "*", "*", true),
    ];

    /// <summary>What the first rule matching says; nothing matching means no.</summary>
    public static bool Allows(IReadOnlyList<PolicyRule> rules, string kind, string impact, string channel, bool automatic) =>
        rules.FirstOrDefault(r => r.Matches(kind, impact, channel, automatic))?.Notify ?? false;

    public static Audience Decide(Notice notice, IReadOnlyList<PolicyRule> rules)
    {
        var incident = notice.IncidentId is not null;
        var opsRoom = incident && notice.Kind != NoticeKind.Persisting; // the room saw the opening already
        if (!notice.DeliverNotifications)
            return new Audience([], false, false, opsRoom);
        var channels = SubscriptionChannel.All.Where(c => Allows(rules, notice.Kind, notice.Impact, c, notice.Automatic)).ToList();
        var onlyThoseTold = notice.Kind is NoticeKind.Resolved or NoticeKind.Postmortem;
        // The quiet rule is for the minutes of an outage; a maintenance's few planned messages each say something new.
        var quiet = incident && notice.Kind is not (NoticeKind.Resolved or NoticeKind.Maintenance or NoticeKind.MaintenanceReminder);
        return new Audience(channels, onlyThoseTold, Quiet: quiet, opsRoom);
    }
}
