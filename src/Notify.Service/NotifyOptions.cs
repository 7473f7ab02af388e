using StatusPlatform.Notify.Notices;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Policy;

namespace StatusPlatform.Notify;

/// <summary>The service's own settings (configuration section <c>Notify</c>).</summary>
public sealed class NotifyOptions
{
    public const string Section = "Notify";

    /// <summary>Signs the confirm, manage and unsubscribe links (at least 32 characters); unset: generated once, kept in notify.settings.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Lets webhook and chat URLs point at loopback and private addresses (tests, closed networks).</summary>
    public bool AllowPrivateWebhookTargets { get; set; }

    /// <summary>At most one message per subscriber per incident in this many minutes, the resolution excepted.</summary>
    public double QuietMinutes { get; set; } = 5;

    /// <summary>An automatic incident still open this long is told to subscribers.</summary>
    public double PersistentOutageMinutes { get; set; } = 10;

    public TimeSpan PersistentOutageCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The public status page (StatusApi) the links in messages point at.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The page id in webhook payloads.</summary>
    public string PageId { get; set; } = "statusplatform";

    /// <summary>How long the link of a confirmation mail works.</summary>
    public double ConfirmationHours { get; set; } = 48;

    /// <summary>
    /// Subscription mails (confirmation, "already subscribed", webhook ping) one address gets at most per
    /// <see cref="SubscriptionMailWindowMinutes"/>; a subscribe beyond that is refused with a Retry-After. Kept here, in
    /// the delivery log, rather than in StatusApi's memory: it holds across StatusApi replicas and restarts, and every way
    /// of subscribing passes through here. This is what keeps the subscribe form from being a spam cannon.
    /// </summary>
    public int SubscriptionMailsPerAddress { get; set; } = 3;

    public double SubscriptionMailWindowMinutes { get; set; } = 60;

    public TimeSpan SubscriptionMailWindow => TimeSpan.FromMinutes(SubscriptionMailWindowMinutes);

    /// <summary>Consecutive failed deliveries after which a subscriber is quarantined (gets nothing more until it subscribes again).</summary>
    public int QuarantineAfter { get; set; } = 5;

    public OpsRoomOptions OpsRoom { get; set; } = new();

    public SmsOptions Sms { get; set; } = new();

    public PolicyOptions Policy { get; set; } = new();

    /// <summary>Notify:Digest: many incidents or components at once reach a person as one message per channel.</summary>
    public DigestOptions Digest { get; set; } = new();

    public TimeSpan QuietWindow => TimeSpan.FromMinutes(QuietMinutes);

    public string? Problem() =>
        SigningKey is { Length: < 32 } ? "Notify:SigningKey must be at least 32 characters (or unset to generate one)."
        : QuietMinutes < 0 ? "Notify:QuietMinutes must not be negative."
        : PersistentOutageMinutes <= 0 ? "Notify:PersistentOutageMinutes must be positive."
        : PersistentOutageCheckInterval <= TimeSpan.Zero ? "Notify:PersistentOutageCheckInterval must be positive."
        : !Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out _) ? $"Notify:PublicBaseUrl '{PublicBaseUrl}' is not an absolute URL."
        : ConfirmationHours <= 0 ? "Notify:ConfirmationHours must be positive."
        : QuarantineAfter < 1 ? "Notify:QuarantineAfter must be at least 1."
        : SubscriptionMailsPerAddress < 1 ? "Notify:SubscriptionMailsPerAddress must be at least 1."
        : SubscriptionMailWindowMinutes is <= 0 or > 7 * 24 * 60 ? "Notify:SubscriptionMailWindowMinutes must be more than 0 and at most a week."
        : OpsRoom.Problem() ?? Sms.Problem() ?? Policy.Problem() ?? Digest.Problem();
}

/// <summary>The ops chat room that sees every incident event (Notify:OpsRoom:Url and :Platform); no URL, no room.</summary>
public sealed class OpsRoomOptions
{
    public string? Url { get; set; }

    public string Platform { get; set; } = SubscriptionChannel.Slack;

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    public string? Problem() =>
        !Enabled ? null
        : !Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            ? "Notify:OpsRoom:Url must be an http(s) URL."
        : !SubscriptionChannel.Chat.Contains(Platform)
            ? $"Notify:OpsRoom:Platform '{Platform}' must be one of {string.Join(", ", SubscriptionChannel.Chat)}."
        : null;
}

/// <summary>A Twilio-style SMS provider: a form POST of To, From and Body to BaseUrl with basic auth.</summary>
public sealed class SmsOptions
{
    public string? BaseUrl { get; set; }

    public string? AccountSid { get; set; }

    /// <summary>Authenticates our sends, and signs the provider's webhook for incoming texts (STOP); unset: incoming texts are refused.</summary>
    public string? AuthToken { get; set; }

    public string From { get; set; } = "";

    /// <summary>The incoming-message URL as configured at the provider, which it signs; unset: the URL the request arrived at.</summary>
    public string? InboundUrl { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl);

    public string? Problem() =>
        Enabled && !Uri.TryCreate(BaseUrl, UriKind.Absolute, out _) ? "Notify:Sms:BaseUrl must be an absolute URL."
        : !string.IsNullOrWhiteSpace(InboundUrl) && (!Uri.TryCreate(InboundUrl, UriKind.Absolute, out var inbound) || (inbound.Scheme != Uri.UriSchemeHttp && inbound.Scheme != Uri.UriSchemeHttps))
            ? "Notify:Sms:InboundUrl must be an absolute http(s) URL (the one configured at the provider)."
        : null;
}

/// <summary>The policy table (Notify:Policy:Rules:0:Event, ...); empty means the defaults of <see cref="NotificationPolicy"/>.</summary>
public sealed class PolicyOptions
{
    public List<PolicyRule> Rules { get; set; } = [];

    /// <summary>
    /// Notify:Policy:AnnounceAutomaticOutages: with the default table, tell subscribers about an automatic incident as soon
    /// as it opens, and when another component joins it, instead of only once it lasts (Notify:PersistentOutageMinutes). For pages whose monitors are trusted
    /// enough to page people at once; the AppHost's demo and the end-to-end tests use it to show detection-to-inbox time.
    /// </summary>
    public bool AnnounceAutomaticOutages { get; set; }

    public IReadOnlyList<PolicyRule> Effective => Rules.Count > 0 ? Rules
        // Both rules go: the monitors' own updates say that another component joined an open automatic incident, and
        // that component's subscribers have heard nothing yet (the detection benchmark found them left out).
        : AnnounceAutomaticOutages ? [.. NotificationPolicy.Defaults.Where(r => !(r.Event is NoticeKind.Opened or NoticeKind.Updated && r.Origin == "automatic"))]
        : NotificationPolicy.Defaults;

    public string? Problem() =>
        Rules.Select((r, i) => (r, i)).FirstOrDefault(x =>
            x.r.Origin is not ("*" or "automatic" or "human")
            || (x.r.Channel != "*" && x.r.Channel != "chat" && !SubscriptionChannel.All.Contains(x.r.Channel))) is ({ } bad, var index)
            ? $"Notify:Policy:Rules:{index}: channel must be *, chat or one of {string.Join(", ", SubscriptionChannel.All)}, origin *, automatic or human ({bad})."
            : null;
}
