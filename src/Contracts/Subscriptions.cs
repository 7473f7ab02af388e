namespace StatusPlatform.Contracts;

// Subscriptions are owned by Notify.Service; StatusApi passes its public subscription endpoints through as these
// request/response commands. A bad request is answered with CommandRejected (field errors; NotFound for an unknown or
// refused token), never with an exception.

/// <summary>The channels a subscriber can choose; the chat ones are incoming-webhook URLs of each platform.</summary>
public static class SubscriptionChannel
{
    public const string Email = "email";
    public const string Sms = "sms";
    public const string Webhook = "webhook";
    public const string Slack = "slack";
    public const string Teams = "teams";
    public const string Discord = "discord";
    public const string Mattermost = "mattermost";
    public const string GoogleChat = "googlechat";

    public static IReadOnlyList<string> All { get; } = [Email, Sms, Webhook, Slack, Teams, Discord, Mattermost, GoogleChat];

    public static IReadOnlyList<string> Chat { get; } = [Slack, Teams, Discord, Mattermost, GoogleChat];
}

/// <summary>What a subscriber follows: the whole page, chosen components, or one incident.</summary>
public static class SubscriptionScope
{
    public const string Page = "page";
    public const string Components = "components";
    public const string Incident = "incident";
}

/// <summary>
/// Subscribes <see cref="Address"/> (an email address, an E.164 phone number, or a webhook/chat URL) on
/// <see cref="Channel"/>. Component ids choose components, an incident id one incident, neither the whole page.
/// Locale is en or de. Answered with <see cref="SubscriptionCreated"/> or <see cref="CommandRejected"/>.
/// </summary>
public sealed record Subscribe(
    string Channel,
    string Address,
    IReadOnlyList<string>? ComponentIds = null,
    string? IncidentId = null,
    string Locale = "en");

/// <summary>
/// The subscription was recorded. An email subscriber gets a confirmation mail and no token here (the mailbox proves
/// ownership); an address that is already confirmed gets its manage link by mail instead, with the same answer here
/// (<see cref="ConfirmationSent"/> true), so the answer reveals nothing about others. Webhook, chat and SMS subscribers
/// get their manage token, and webhooks the secret that signs their requests.
/// </summary>
public sealed record SubscriptionCreated(
    string SubscriberId,
    string Channel,
    bool ConfirmationSent,
    string? ManageToken = null,
    string? WebhookSecret = null);

/// <summary>The link of the confirmation mail was followed; answered with <see cref="SubscriptionDetails"/>.</summary>
public sealed record ConfirmSubscription(string Token);

/// <summary>One-click unsubscribe (the List-Unsubscribe link); answered with <see cref="CommandAccepted"/> (version 0).</summary>
public sealed record Unsubscribe(string Token);

/// <summary>The manage link was opened; answered with <see cref="SubscriptionDetails"/>.</summary>
public sealed record GetSubscription(string ManageToken);

/// <summary>
/// Changes what a subscriber follows: component ids, or none for the whole page; a locale when given. Answered with
/// <see cref="SubscriptionDetails"/>.
/// </summary>
public sealed record UpdateSubscription(string ManageToken, IReadOnlyList<string>? ComponentIds, string? Locale = null);

/// <summary>A subscription as its owner sees it on the manage page.</summary>
public sealed record SubscriptionDetails(
    string SubscriberId,
    string Channel,
    string Address,
    string Scope,
    IReadOnlyList<string> ComponentIds,
    string? IncidentId,
    string Locale,
    bool Confirmed,
    DateTimeOffset? QuarantinedAt,
    string ManageToken);

/// <summary>Admin: every active subscriber as CSV (channel,address,scope,components,incident,locale,confirmed,quarantined_at).</summary>
public sealed record ExportSubscribers;

/// <summary>The answer to <see cref="ExportSubscribers"/>.</summary>
public sealed record SubscribersCsv(string Csv, int Count);

/// <summary>
/// Admin: adds or updates subscribers from CSV in the export's columns (a header line first). The operator vouches for
/// imported email addresses only when <see cref="Confirmed"/> is set; otherwise each gets a confirmation mail. All or
/// nothing: one bad line rejects the whole import, with errors keyed "line N".
/// </summary>
public sealed record ImportSubscribers(string Csv, bool Confirmed = false);

/// <summary>The answer to <see cref="ImportSubscribers"/>.</summary>
public sealed record SubscribersImported(int Created, int Updated);
