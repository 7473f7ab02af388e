using System.Text.Json.Serialization;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Pages;

namespace StatusPlatform.StatusApi.AdminApi.Subscribers;

/// <summary>
/// Manage API Subscriber (statuspage-api.md 2.8) with the fields Notify.Service holds, in Statuspage's order: <c>mode</c> is
/// the channel (email, sms, webhook, slack, teams, discord, mattermost, googlechat), the address is in <c>email</c>,
/// <c>phone_number</c> (E.164) or <c>endpoint</c> (webhook and chat URLs), <c>components</c> the chosen component ids.
/// Ours after those: <c>scope</c> (page: every component; components; incident: one incident), <c>incident_id</c>,
/// <c>locale</c>, <c>state</c> (pending, confirmed, quarantined, unsubscribed), when it confirmed and left, and the run of
/// failed deliveries that quarantines it. Timestamps in the page's time zone, as everywhere in the admin API.
/// </summary>
public record AdminSubscriber(
    string Id, string Mode, string? Email, string? Endpoint, string? PhoneNumber, string? QuarantinedAt, IReadOnlyList<string> Components,
    string CreatedAt, string Scope, string? IncidentId, string Locale, string State, string? ConfirmedAt, string? UnsubscribedAt, int ConsecutiveFailures);

/// <summary>One subscriber with why it is quarantined and its most recent deliveries (Notify's delivery log), newest first.</summary>
public sealed record AdminSubscriberDetail : AdminSubscriber
{
    public AdminSubscriberDetail(AdminSubscriber subscriber, string? quarantineReason, IReadOnlyList<AdminDelivery> deliveries)
        : base(subscriber)
    {
        QuarantineReason = quarantineReason;
        Deliveries = deliveries;
    }

    [JsonPropertyOrder(1)]
    public string? QuarantineReason { get; }

    [JsonPropertyOrder(2)]
    public IReadOnlyList<AdminDelivery> Deliveries { get; }
}

/// <summary>The answer to a create: whether a confirmation mail went out, and a webhook's signing secret, shown this once.</summary>
public sealed record AdminSubscriberCreated : AdminSubscriber
{
    public AdminSubscriberCreated(AdminSubscriber subscriber, bool confirmationSent, string? webhookSecret)
        : base(subscriber)
    {
        ConfirmationSent = confirmationSent;
        WebhookSecret = webhookSecret;
    }

    [JsonPropertyOrder(1)]
    public bool ConfirmationSent { get; }

    [JsonPropertyOrder(2)]
    public string? WebhookSecret { get; }
}

/// <summary>
/// One row of the delivery log: the event (<c>kind</c>: incident_opened, incident_updated, incident_resolved, digest, confirmation, ping, …), its channel, status
/// (pending, sent, failed, suppressed, skipped), attempts, the last error, the receiver's answer (<c>outcome</c>), and when
/// the next attempt is due while it is pending.
/// </summary>
public sealed record AdminDelivery(
    string Id, string EventId, string Kind, string? IncidentId, string Channel, string Status, int Attempts, string? LastError, string? Outcome,
    string CreatedAt, string? SentAt, string? NextAttemptAt);

/// <summary>The answer to a CSV import.</summary>
public sealed record AdminSubscribersImported(int Created, int Updated);

public static class SubscriberWire
{
    public static AdminSubscriber Subscriber(SubscriberRecord s, AdminPage page) => new(
        s.SubscriberId, s.Channel,
        s.Channel == SubscriptionChannel.Email ? s.Address : null,
        s.Channel is SubscriptionChannel.Email or SubscriptionChannel.Sms ? null : s.Address,
        s.Channel == SubscriptionChannel.Sms ? s.Address : null,
        AdminWire.At(s.QuarantinedAt, page), s.ComponentIds, AdminWire.At(s.CreatedAt, page), s.Scope, s.IncidentId, s.Locale, s.State,
        AdminWire.At(s.ConfirmedAt, page), AdminWire.At(s.UnsubscribedAt, page), s.ConsecutiveFailures);

    public static AdminSubscriberDetail Detail(SubscriberDetails d, AdminPage page) => new(
        Subscriber(d.Subscriber, page), d.QuarantineReason,
        [.. d.Deliveries.Select(x => new AdminDelivery(x.DeliveryId, x.EventId, x.Kind, x.IncidentId, x.Channel, x.Status, x.Attempts, x.LastError, x.Outcome,
            AdminWire.At(x.CreatedAt, page), AdminWire.At(x.SentAt, page), x.Status == "pending" ? AdminWire.At(x.NextAttemptAt, page) : null))]);
}
