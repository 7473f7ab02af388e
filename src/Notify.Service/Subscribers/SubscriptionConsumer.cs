using MassTransit;
using Microsoft.Extensions.Options;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Schema;
using StatusPlatform.Notify.Security;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>
/// Answers the subscription commands (request/response over the bus; StatusApi passes its public endpoints through).
/// Tokens are checked here: a tampered, foreign or expired token is refused with the same answer as an unknown one.
/// </summary>
public sealed class SubscriptionConsumer(
    NotifyDatabase database,
    SubscriptionStore store,
    SubscriberTokens tokens,
    DeliverySignal signal,
    IOptions<NotifyOptions> options)
    : IConsumer<Subscribe>, IConsumer<ConfirmSubscription>, IConsumer<Unsubscribe>, IConsumer<GetSubscription>, IConsumer<UpdateSubscription>,
      IConsumer<ExportSubscribers>, IConsumer<ImportSubscribers>
{
    public const string Endpoint = "notify-subscriptions";

    private readonly NotifyOptions _options = options.Value;

    public async Task Consume(ConsumeContext<Subscribe> context)
    {
        var (request, errors) = SubscriptionRules.Validate(context.Message);
        if (request is not null && await TargetProblemAsync(request, context.CancellationToken) is { } target)
            errors["address"] = [target];
        if (request is null || errors.Count > 0)
        {
            await context.RespondAsync(new CommandRejected("The subscription request is not valid.", errors));
            return;
        }
        await database.WhenReadyAsync(context.CancellationToken);
        var recorded = await store.SubscribeAsync(request, TimeSpan.FromHours(_options.ConfirmationHours), operatorConfirmed: false, notify: true,
            context.CancellationToken, new SubscriptionMailLimit(_options.SubscriptionMailsPerAddress, _options.SubscriptionMailWindow));
        if (recorded.RetryAfter is { } retryAfter)
        {
            var minutes = (int)Math.Ceiling(retryAfter.TotalMinutes);
            await context.RespondAsync(new CommandRejected("Too many subscription mails to this address.", new Dictionary<string, string[]>
            {
                ["address"] = [$"This address was sent {_options.SubscriptionMailsPerAddress} subscription messages recently; try again in {minutes} minute{(minutes == 1 ? "" : "s")}."],
            }, RetryAfterSeconds: (int)Math.Ceiling(retryAfter.TotalSeconds)));
            return;
        }
        signal.Nudge();
        var isEmail = request.Channel == SubscriptionChannel.Email;
        await context.RespondAsync(new SubscriptionCreated(recorded.SubscriberId.ToString(), request.Channel, recorded.ConfirmationSent,
            // The mailbox is the credential of an email subscriber: its tokens travel only by mail.
            isEmail ? null : tokens.Issue(TokenPurpose.Manage, recorded.SubscriberId), recorded.Secret));
    }

    public async Task Consume(ConsumeContext<ConfirmSubscription> context)
    {
        if (await RefusedAsync(context, context.Message.Token, TokenPurpose.Confirm) is not { } id)
            return;
        if (!await store.ConfirmAsync(id, context.CancellationToken))
        {
            await context.RespondAsync(NotFound("token"));
            return;
        }
        await RespondDetailsAsync(context, id);
    }

    public async Task Consume(ConsumeContext<Unsubscribe> context)
    {
        // The manage page's "unsubscribe" button holds a manage token; the mail's one-click link an unsubscribe token.
        var purpose = tokens.TryRead(context.Message.Token, TokenPurpose.Unsubscribe, out _) == TokenProblem.Invalid
            ? TokenPurpose.Manage
            : TokenPurpose.Unsubscribe;
        if (await RefusedAsync(context, context.Message.Token, purpose) is not { } id)
            return;
        if (!await store.UnsubscribeAsync(id, context.CancellationToken))
        {
            await context.RespondAsync(NotFound("token"));
            return;
        }
        await context.RespondAsync(new CommandAccepted(id.ToString(), 0));
    }

    public async Task Consume(ConsumeContext<GetSubscription> context)
    {
        if (await RefusedAsync(context, context.Message.ManageToken, TokenPurpose.Manage) is { } id)
            await RespondDetailsAsync(context, id);
    }

    public async Task Consume(ConsumeContext<UpdateSubscription> context)
    {
        var (components, locale, errors) = SubscriptionRules.ValidateChange(context.Message.ComponentIds, context.Message.Locale);
        if (errors.Count > 0)
        {
            await context.RespondAsync(new CommandRejected("The subscription change is not valid.", errors));
            return;
        }
        if (await RefusedAsync(context, context.Message.ManageToken, TokenPurpose.Manage) is not { } id)
            return;
        if (!await store.UpdateAsync(id, components, locale, context.CancellationToken))
        {
            await context.RespondAsync(NotFound("manageToken"));
            return;
        }
        await RespondDetailsAsync(context, id);
    }

    public async Task Consume(ConsumeContext<ExportSubscribers> context)
    {
        await database.WhenReadyAsync(context.CancellationToken);
        var all = await store.AllAsync(context.CancellationToken);
        await context.RespondAsync(new SubscribersCsv(SubscriberCsv.Write(all), all.Count));
    }

    public async Task Consume(ConsumeContext<ImportSubscribers> context)
    {
        var (rows, errors) = SubscriberCsv.Read(context.Message.Csv);
        var requests = new List<SubscriptionRequest>();
        foreach (var (line, command) in rows)
        {
            if (SubscriptionRules.Validate(command).Request is not { } request)
                continue;
            if (await TargetProblemAsync(request, context.CancellationToken) is { } target)
                errors[$"line {line}"] = [$"address: {target}"];
            requests.Add(request);
        }
        if (errors.Count > 0)
        {
            await context.RespondAsync(new CommandRejected("The CSV has errors; nothing was imported.", errors));
            return;
        }
        await database.WhenReadyAsync(context.CancellationToken);
        var (created, updated) = (0, 0);
        foreach (var request in requests)
        {
            var recorded = await store.SubscribeAsync(request, TimeSpan.FromHours(_options.ConfirmationHours),
                operatorConfirmed: context.Message.Confirmed, notify: !context.Message.Confirmed && request.Channel == SubscriptionChannel.Email,
                context.CancellationToken);
            (created, updated) = recorded.Created ? (created + 1, updated) : (created, updated + 1);
        }
        signal.Nudge();
        await context.RespondAsync(new SubscribersImported(created, updated));
    }

    private async Task<string?> TargetProblemAsync(SubscriptionRequest request, CancellationToken ct) =>
        request.Channel is SubscriptionChannel.Email or SubscriptionChannel.Sms
            ? null
            : await WebhookTargets.AddressProblemAsync(new Uri(request.Address), _options.AllowPrivateWebhookTargets, ct);

    /// <summary>The subscriber a token names, or null after answering the refusal.</summary>
    private async Task<Guid?> RefusedAsync<T>(ConsumeContext<T> context, string? token, TokenPurpose purpose)
        where T : class
    {
        await database.WhenReadyAsync(context.CancellationToken);
        switch (tokens.TryRead(token, purpose, out var id))
        {
            case TokenProblem.None:
                return id;
            case TokenProblem.Expired:
                await context.RespondAsync(new CommandRejected("The link has expired.",
                    new Dictionary<string, string[]> { ["token"] = ["The link has expired; subscribe again to get a new one."] }));
                return null;
            default:
                await context.RespondAsync(NotFound("token"));
                return null;
        }
    }

    private async Task RespondDetailsAsync<T>(ConsumeContext<T> context, Guid id)
        where T : class
    {
        if (await store.FindAsync(id, context.CancellationToken) is not { } s)
        {
            await context.RespondAsync(NotFound("token"));
            return;
        }
        await context.RespondAsync(new SubscriptionDetails(s.Id.ToString(), s.Channel, s.Address, s.Scope, s.ComponentIds, s.IncidentId, s.Locale,
            s.Confirmed, s.QuarantinedAt, tokens.Issue(TokenPurpose.Manage, s.Id)));
    }

    private static CommandRejected NotFound(string field) => new("No subscription for this link.",
        new Dictionary<string, string[]> { [field] = ["The link is not valid (it may have been changed, or the subscription has ended)."] }, NotFound: true);
}
