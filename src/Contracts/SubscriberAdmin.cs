namespace StatusPlatform.Contracts;

// The admin side of subscriptions: StatusApi's /api/v1/pages/{page_id}/subscribers passes these to Notify.Service (which
// owns subscribers) with request/response over the bus. Unlike the public commands they name a subscriber by its id, not
// by a token: the caller is an operator with an admin key. A bad request is answered with CommandRejected (field errors
// keyed by the names below; NotFound for an unknown subscriber id), never with an exception. The ops room is not a
// subscriber here: it is configuration (Notify:OpsRoom).

/// <summary>
/// Where a subscriber stands, worked out in this order: unsubscribed (left, by link or admin), quarantined (deliveries kept
/// failing; gets nothing until reactivated), confirmed (gets what it chose), pending (an email address that has not followed
/// its confirmation link yet; gets nothing but that mail).
/// </summary>
public static class SubscriberState
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Quarantined = "quarantined";
    public const string Unsubscribed = "unsubscribed";

    /// <summary>A filter value only: every state.</summary>
    public const string All = "all";

    public static IReadOnlyList<string> States { get; } = [Pending, Confirmed, Quarantined, Unsubscribed];
}

/// <summary>
/// One page of subscribers, ordered by address. <see cref="Query"/> matches part of the address (case-insensitive),
/// <see cref="Channel"/> one of <see cref="SubscriptionChannel.All"/>, <see cref="State"/> one of
/// <see cref="SubscriberState.States"/> or "all"; without a state, everyone who has not left (pending, confirmed and
/// quarantined). <see cref="Page"/> is 1-based, <see cref="PerPage"/> 1 to 100. Answered with <see cref="SubscriberList"/>.
/// </summary>
public sealed record ListSubscribers(string? Query = null, string? Channel = null, string? State = null, int Page = 1, int PerPage = 100);

/// <summary>A subscriber as the admin sees it (no tokens, no webhook secret).</summary>
public sealed record SubscriberRecord(
    string SubscriberId,
    string Channel,
    string Address,
    string Scope,
    IReadOnlyList<string> ComponentIds,
    string? IncidentId,
    string Locale,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? QuarantinedAt,
    DateTimeOffset? UnsubscribedAt,
    int ConsecutiveFailures);

/// <summary>The answer to <see cref="ListSubscribers"/>: the page asked for and how many match in all.</summary>
public sealed record SubscriberList(IReadOnlyList<SubscriberRecord> Subscribers, int Total, int Page, int PerPage);

/// <summary>One subscriber with its most recent deliveries (1 to 100, newest first). Answered with <see cref="SubscriberDetails"/>.</summary>
public sealed record GetSubscriber(string SubscriberId, int History = 20);

/// <summary>
/// One row of Notify's delivery log: which event (<see cref="Kind"/>: incident_opened, incident_updated, incident_resolved, digest, maintenance, confirmation, ping, …),
/// on which channel, its status (pending, sent, failed, suppressed, skipped), attempts, the last error and the receiver's
/// answer (<see cref="Outcome"/>: SMTP reply, HTTP status).
/// </summary>
public sealed record SubscriberDelivery(
    string DeliveryId,
    string EventId,
    string Kind,
    string? IncidentId,
    string Channel,
    string Status,
    int Attempts,
    string? LastError,
    string? Outcome,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    DateTimeOffset NextAttemptAt);

/// <summary>
/// A subscriber, why it is quarantined (the last error of its most recent failed delivery, when quarantined) and its
/// recent deliveries, newest first.
/// </summary>
public sealed record SubscriberDetails(SubscriberRecord Subscriber, string? QuarantineReason, IReadOnlyList<SubscriberDelivery> Deliveries);

/// <summary>
/// Admin: subscribes <see cref="Address"/> on <see cref="Channel"/>, validated as <see cref="Subscribe"/> is (webhook
/// and chat URLs must not point inside the network). An email address gets the double opt-in mail unless
/// <see cref="SkipConfirmation"/> (Statuspage's skip_confirmation_notification: the operator vouches for it); webhook and
/// chat get their test ping. An address that is already subscribed and confirmed (or quarantined) is refused with its id;
/// a pending or unsubscribed one is subscribed again. Answered with <see cref="SubscriberCreated"/>.
/// </summary>
public sealed record CreateSubscriber(
    string Channel,
    string Address,
    IReadOnlyList<string>? ComponentIds = null,
    string? IncidentId = null,
    string Locale = "en",
    bool SkipConfirmation = false);

/// <summary>The subscriber as recorded, whether a confirmation mail went out, and a webhook's signing secret (shown this once).</summary>
public sealed record SubscriberCreated(SubscriberRecord Subscriber, bool ConfirmationSent, string? WebhookSecret);

/// <summary>
/// Admin: what a subscriber follows (component ids, or an empty list for the whole page; null leaves it as it is) and, when
/// given, its locale. An unsubscribed subscriber cannot be changed. Answered with <see cref="SubscriberDetails"/>.
/// </summary>
public sealed record ChangeSubscriber(string SubscriberId, IReadOnlyList<string>? ComponentIds, string? Locale = null);

/// <summary>Admin: ends a subscription (kept, with its history, as unsubscribed; pending deliveries are skipped). Idempotent. Answered with <see cref="SubscriberDetails"/>.</summary>
public sealed record RemoveSubscriber(string SubscriberId);

/// <summary>
/// Admin: lifts a quarantine, so the subscriber gets messages again (its failure count starts over; what failed before is
/// not resent). A subscriber that is not quarantined is answered as it is; one that unsubscribed is refused (only a new
/// subscription brings it back). Answered with <see cref="SubscriberDetails"/>.
/// </summary>
public sealed record ReactivateSubscriber(string SubscriberId);
