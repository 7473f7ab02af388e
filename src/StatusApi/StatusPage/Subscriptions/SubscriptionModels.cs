using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.StatusPage.Content;

namespace StatusPlatform.StatusApi.StatusPage.Subscriptions;

/// <summary>A component a subscriber can choose; <see cref="Label"/> carries its group's name ("Backend › API").</summary>
public sealed record ComponentChoice(string Id, string Label);

/// <summary>The subscribe form, empty or with what was entered and what Notify.Service found wrong with it.</summary>
public sealed record SubscribeModel(
    PageFrame Frame, IReadOnlyList<ComponentChoice> Components, string Channel, string Address, bool ChooseComponents,
    IReadOnlyCollection<string> Selected, string? IncidentId, IReadOnlyDictionary<string, string[]> Errors)
{
    public IReadOnlyList<string> Channels => SubscriptionChannel.All;
}

public sealed record ManageModel(
    PageFrame Frame, SubscriptionDetails Subscription, IReadOnlyList<ComponentChoice> Components, IReadOnlyDictionary<string, string[]> Errors,
    bool Saved);

/// <summary>A page with one button that POSTs a token: links in mails are fetched by scanners, so a GET changes nothing.</summary>
public sealed record TokenActionModel(PageFrame Frame, string Title, string Button, string Action, string Token);

/// <summary>The answer to a subscription: what to do next, and for non-email channels the manage link (and webhook secret) once.</summary>
public sealed record SubscribedModel(PageFrame Frame, string Message, string? ManageUrl, string? WebhookSecret);
