using StatusPlatform.Notify.Security;

namespace StatusPlatform.Notify.Messages;

/// <summary>The links one subscriber's message carries; <see cref="Page"/> (the status page) is what a digest links to.</summary>
public sealed record MessageLinks(string? Incident, string Manage, string Unsubscribe, string? Page = null)
{
    /// <summary>Builds the page link of an incident a digest lists (null without a page link).</summary>
    public string? IncidentOnPage(string incidentId) => Page is null ? null : $"{Page.TrimEnd('/')}/incidents/{Uri.EscapeDataString(incidentId)}";
}

/// <summary>Builds links to the public page (Notify:PublicBaseUrl, served by StatusApi) with signed tokens.</summary>
public sealed class LinkBuilder(NotifyOptions options, SubscriberTokens tokens)
{
    private readonly string _base = options.PublicBaseUrl.TrimEnd('/');

    public string Incident(string incidentId) => $"{_base}/incidents/{Uri.EscapeDataString(incidentId)}";

    public string Page => _base + "/";

    public string Manage(Guid subscriberId) => $"{_base}/subscriptions/manage?token={tokens.Issue(TokenPurpose.Manage, subscriberId)}";

    public string Unsubscribe(Guid subscriberId) => $"{_base}/subscriptions/unsubscribe?token={tokens.Issue(TokenPurpose.Unsubscribe, subscriberId)}";

    public string Confirm(Guid subscriberId, DateTimeOffset expiresAt) =>
        $"{_base}/subscriptions/confirm?token={tokens.Issue(TokenPurpose.Confirm, subscriberId, expiresAt)}";

    public MessageLinks For(Guid subscriberId, string? incidentId) =>
        new(incidentId is null ? null : Incident(incidentId), Manage(subscriberId), Unsubscribe(subscriberId), Page);
}
