using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Schema;
using StatusPlatform.Notify.Security;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>
/// Answers the admin subscriber commands of src/Contracts/SubscriberAdmin.cs (StatusApi's /api/v1/pages/{page_id}/subscribers).
/// Validation is the public subscription's (<see cref="SubscriptionRules"/>, <see cref="WebhookTargets"/>) and so are the
/// writes (<see cref="SubscriptionStore"/>): an admin key skips the confirmation mail only when it says so, and never the
/// check that a webhook or chat URL points outside the network.
/// </summary>
public sealed class AdminSubscriberConsumer(
    NotifyDatabase database,
    NpgsqlDataSource dataSource,
    SubscriptionStore store,
    DeliverySignal signal,
    IOptions<NotifyOptions> options)
    : IConsumer<ListSubscribers>, IConsumer<GetSubscriber>, IConsumer<CreateSubscriber>, IConsumer<ChangeSubscriber>, IConsumer<RemoveSubscriber>,
      IConsumer<ReactivateSubscriber>
{
    public const string Endpoint = "notify-subscriber-admin";
    public const int MaxPerPage = 100;
    public const int MaxHistory = 100;
    public const int DefaultHistory = 20;
    public const int MaxQueryLength = 200;

    private readonly AdminSubscriberStore _admin = new(dataSource);
    private readonly NotifyOptions _options = options.Value;

    public async Task Consume(ConsumeContext<ListSubscribers> context)
    {
        var m = context.Message;
        var errors = new Dictionary<string, string[]>();
        var query = string.IsNullOrWhiteSpace(m.Query) ? null : m.Query.Trim();
        if (query?.Length > MaxQueryLength)
            errors["query"] = [$"At most {MaxQueryLength} characters."];
        var channel = string.IsNullOrWhiteSpace(m.Channel) ? null : m.Channel.Trim().ToLowerInvariant();
        if (channel is not null && !SubscriptionChannel.All.Contains(channel))
            errors["channel"] = [$"Must be one of {string.Join(", ", SubscriptionChannel.All)}."];
        var state = string.IsNullOrWhiteSpace(m.State) ? null : m.State.Trim().ToLowerInvariant();
        if (state is not null && state != SubscriberState.All && !SubscriberState.States.Contains(state))
            errors["state"] = [$"Must be one of {string.Join(", ", SubscriberState.States)} or {SubscriberState.All}."];
        if (m.Page < 1)
            errors["page"] = ["Must be 1 or more."];
        if (m.PerPage is < 1 or > MaxPerPage)
            errors["perPage"] = [$"Must be from 1 to {MaxPerPage}."];
        if (errors.Count > 0)
        {
            await context.RespondAsync(new CommandRejected("The subscriber search is not valid.", errors));
            return;
        }
        await database.WhenReadyAsync(context.CancellationToken);
        var (page, total) = await _admin.ListAsync(query, channel, state, m.Page, m.PerPage, context.CancellationToken);
        await context.RespondAsync(new SubscriberList(page, total, m.Page, m.PerPage));
    }

    public async Task Consume(ConsumeContext<GetSubscriber> context)
    {
        if (context.Message.History is < 1 or > MaxHistory)
        {
            await context.RespondAsync(Rejected("The request is not valid.", "history", $"Must be from 1 to {MaxHistory}."));
            return;
        }
        if (await FindAsync(context, context.Message.SubscriberId) is { } found)
            await context.RespondAsync(await DetailsAsync(found, context.Message.History, context.CancellationToken));
    }

    public async Task Consume(ConsumeContext<CreateSubscriber> context)
    {
        var m = context.Message;
        var (request, errors) = SubscriptionRules.Validate(new Subscribe(m.Channel, m.Address, m.ComponentIds, m.IncidentId, m.Locale));
        if (request is not null && request.Channel is not (SubscriptionChannel.Email or SubscriptionChannel.Sms)
            && await WebhookTargets.AddressProblemAsync(new Uri(request.Address), _options.AllowPrivateWebhookTargets, context.CancellationToken) is { } target)
        {
            errors["address"] = [target];
        }
        if (request is null || errors.Count > 0)
        {
            await context.RespondAsync(new CommandRejected("The subscriber is not valid; nothing was changed.", errors));
            return;
        }
        await database.WhenReadyAsync(context.CancellationToken);
        // An admin creating an address that is already served means a mistake or a stale console: say who has it rather
        // than change that subscriber's choice behind its back. Pending and unsubscribed addresses may be subscribed again.
        if (await _admin.FindByAddressAsync(request.Channel, request.Address, context.CancellationToken) is { } existing
            && (existing.OpsRoom || existing.State is SubscriberState.Confirmed or SubscriberState.Quarantined))
        {
            await context.RespondAsync(Rejected("The address is already subscribed; nothing was changed.", "address", existing.OpsRoom
                ? "This is the ops room's address (configured in Notify:OpsRoom)."
                : $"Already subscribed as {existing.Id} ({existing.State}); change or reactivate that subscriber instead."));
            return;
        }
        var isEmail = request.Channel == SubscriptionChannel.Email;
        var skip = isEmail && m.SkipConfirmation;
        var recorded = await store.SubscribeAsync(request, TimeSpan.FromHours(_options.ConfirmationHours), operatorConfirmed: skip,
            // A vouched-for email address gets nothing now; webhooks and chat get their test ping, as from the public endpoint.
            notify: !skip, context.CancellationToken);
        signal.Nudge();
        var record = await _admin.FindAsync(recorded.SubscriberId, context.CancellationToken)
            ?? throw new InvalidOperationException($"Subscriber {recorded.SubscriberId} was recorded but cannot be read back.");
        await context.RespondAsync(new SubscriberCreated(record, recorded.ConfirmationSent, recorded.Secret));
    }

    public async Task Consume(ConsumeContext<ChangeSubscriber> context)
    {
        var (components, locale, errors) = SubscriptionRules.ValidateChange(context.Message.ComponentIds, context.Message.Locale);
        if (errors.Count > 0)
        {
            await context.RespondAsync(new CommandRejected("The change is not valid; nothing was changed.", errors));
            return;
        }
        if (await FindAsync(context, context.Message.SubscriberId) is not { } found)
            return;
        if (context.Message.ComponentIds is null)
        {
            // Left out: the choice stays. An incident subscriber's would not (the store writes page or components), so it must say.
            if (found.Scope == SubscriptionScope.Incident && locale is not null)
            {
                await context.RespondAsync(Rejected("The change is not valid; nothing was changed.", "componentIds",
                    "This subscriber follows one incident; send component ids (or [] for the whole page) with the locale."));
                return;
            }
            components = [.. found.ComponentIds];
        }
        if (found.State == SubscriberState.Unsubscribed
            || ((context.Message.ComponentIds is not null || locale is not null)
                && !await store.UpdateAsync(Guid.Parse(found.SubscriberId), components, locale, context.CancellationToken)))
        {
            await context.RespondAsync(Rejected("The subscriber has unsubscribed; nothing was changed.", "state",
                "An unsubscribed subscriber cannot be changed; create it again (it will have to confirm again unless skip_confirmation is set)."));
            return;
        }
        await context.RespondAsync(await DetailsAsync(Guid.Parse(found.SubscriberId), context.CancellationToken));
    }

    public async Task Consume(ConsumeContext<RemoveSubscriber> context)
    {
        if (await FindAsync(context, context.Message.SubscriberId) is not { } found)
            return;
        var id = Guid.Parse(found.SubscriberId);
        await store.UnsubscribeAsync(id, context.CancellationToken);
        await context.RespondAsync(await DetailsAsync(id, context.CancellationToken));
    }

    public async Task Consume(ConsumeContext<ReactivateSubscriber> context)
    {
        if (await FindAsync(context, context.Message.SubscriberId) is not { } found)
            return;
        if (found.State == SubscriberState.Unsubscribed)
        {
            // Their own decision: only a new subscription (with its confirmation) brings them back.
            await context.RespondAsync(Rejected("The subscriber has unsubscribed; nothing was changed.", "state",
                "Only a quarantined subscriber can be reactivated; this one unsubscribed."));
            return;
        }
        var id = Guid.Parse(found.SubscriberId);
        await _admin.ReactivateAsync(id, context.CancellationToken);
        await context.RespondAsync(await DetailsAsync(id, context.CancellationToken));
    }

    /// <summary>The subscriber the id names, or null after answering NotFound (an id that is not even a uuid names no one).</summary>
    private async Task<SubscriberRecord?> FindAsync<T>(ConsumeContext<T> context, string? subscriberId)
        where T : class
    {
        await database.WhenReadyAsync(context.CancellationToken);
        if (Guid.TryParse(subscriberId, out var id) && await _admin.FindAsync(id, context.CancellationToken) is { } found)
            return found;
        await context.RespondAsync(new CommandRejected($"There is no subscriber '{subscriberId}'.",
            new Dictionary<string, string[]> { ["subscriberId"] = ["No subscriber has this id."] }, NotFound: true));
        return null;
    }

    private async Task<SubscriberDetails> DetailsAsync(Guid id, CancellationToken ct) =>
        await DetailsAsync(await _admin.FindAsync(id, ct) ?? throw new InvalidOperationException($"Subscriber {id} vanished."), DefaultHistory, ct);

    private async Task<SubscriberDetails> DetailsAsync(SubscriberRecord subscriber, int history, CancellationToken ct)
    {
        var id = Guid.Parse(subscriber.SubscriberId);
        var reason = subscriber.State == SubscriberState.Quarantined ? await _admin.QuarantineReasonAsync(id, ct) : null;
        return new SubscriberDetails(subscriber, reason, await _admin.DeliveriesAsync(id, history, ct));
    }

    private static CommandRejected Rejected(string title, string field, string problem) =>
        new(title, new Dictionary<string, string[]> { [field] = [problem] });
}
