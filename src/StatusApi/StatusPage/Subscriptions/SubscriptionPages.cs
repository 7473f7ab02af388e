using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.StatusPage.Components;
using StatusPlatform.StatusApi.StatusPage.Content;
using StatusPlatform.StatusApi.StatusPage.Live;
using StatusPlatform.StatusApi.StatusPage.Rendering;

namespace StatusPlatform.StatusApi.StatusPage.Subscriptions;

/// <summary>
/// The subscription pages, passed through to Notify.Service (which owns subscribers): subscribe, confirm, manage,
/// unsubscribe. The confirm, manage and unsubscribe paths are the ones Notify.Service's mails link to
/// (Notify:PublicBaseUrl + /subscriptions/…?token=). No antiforgery token: every form that changes a subscription
/// carries its signed token, which a forging site cannot know, and subscribing someone else only sends them a
/// confirmation mail (double opt-in). These pages are never cached and send no referrer (tokens are in their URLs).
/// </summary>
public static class SubscriptionPages
{
    public const string ConfirmPath = "/subscriptions/confirm";
    public const string ManagePath = "/subscriptions/manage";
    public const string UnsubscribePath = "/subscriptions/unsubscribe";

    public static IEndpointRouteBuilder MapSubscriptionPages(this IEndpointRouteBuilder app)
    {
        // Limited: every route that asks Notify.Service (the GETs of the confirm and unsubscribe pages only show a button).
        app.MapGet("/subscribe", GetSubscribeAsync).ExcludeFromDescription();
        app.MapPost("/subscribe", PostSubscribeAsync).ExcludeFromDescription().RequireRateLimiting(SubscriptionRateLimit.Policy);
        app.MapGet(ConfirmPath, GetConfirmAsync).ExcludeFromDescription();
        app.MapPost(ConfirmPath, PostConfirmAsync).ExcludeFromDescription().RequireRateLimiting(SubscriptionRateLimit.Policy);
        app.MapGet(ManagePath, GetManageAsync).ExcludeFromDescription().RequireRateLimiting(SubscriptionRateLimit.Policy);
        app.MapPost(ManagePath, PostManageAsync).ExcludeFromDescription().RequireRateLimiting(SubscriptionRateLimit.Policy);
        app.MapGet(UnsubscribePath, GetUnsubscribeAsync).ExcludeFromDescription();
        app.MapPost(UnsubscribePath, PostUnsubscribeAsync).ExcludeFromDescription().RequireRateLimiting(SubscriptionRateLimit.Policy);
        return app;
    }

    public static Task<IResult> GetSubscribeAsync(HttpContext context, SiteServices site, string? incident = null) =>
        site.ServeAsync(context, "/subscribe", async (state, frame) => Private(site, frame,
            await site.Pages.RenderAsync<SubscribePage>(new SubscribeModel(frame, Choices(state), SubscriptionChannel.Email, "", false, [], incident, Empty))));

    public static Task<IResult> PostSubscribeAsync(HttpContext context, SiteServices site, SubscriptionClient client) =>
        site.ServeAsync(context, "/subscribe", async (state, frame) =>
        {
            if (await FormAsync(context) is not { } form)
                return await site.NoticeAsync(frame, StatusCodes.Status400BadRequest, frame.T.SubscribeTitle, "Send the form as application/x-www-form-urlencoded.", PageCaching.Private);
            var channel = form["channel"].ToString();
            var address = form["address"].ToString().Trim();
            var incident = NullIfEmpty(form["incident"].ToString());
            var choose = form["scope"] == "components";
            string[] selected = [.. form["component"].OfType<string>()];
            var model = new SubscribeModel(frame, Choices(state), channel, address, choose, selected, incident, Empty);
            if (choose && selected.Length == 0)
                return await FormAgainAsync(site, frame, model with { Errors = new Dictionary<string, string[]> { ["componentIds"] = [frame.T.ChooseComponents] } });
            return await CallAsync(site, frame, () => client.SubscribeAsync(
                new Subscribe(channel, address, choose ? selected : null, incident, frame.T.Lang), context.RequestAborted), async answer => answer switch
                {
                    SubscriptionCreated created => Private(site, frame, await site.Pages.RenderAsync<SubscribedPage>(new SubscribedModel(frame,
                        created.ManageToken is null ? frame.T.CheckYourMail : frame.T.Subscribed,
                        created.ManageToken is null ? null : Absolute(context, frame.Link($"{ManagePath}?token={Uri.EscapeDataString(created.ManageToken)}")),
                        created.WebhookSecret))),
                    CommandRejected { RetryAfterSeconds: > 0 } throttled => SubscriptionRateLimit.TooMany(TimeSpan.FromSeconds(throttled.RetryAfterSeconds.Value), throttled.Title),
                    CommandRejected rejected => await FormAgainAsync(site, frame, model with { Errors = rejected.Errors }),
                    _ => throw new InvalidOperationException("Unexpected answer."),
                });
        });

    public static Task<IResult> GetConfirmAsync(HttpContext context, SiteServices site, string? token = null) =>
        TokenPageAsync(context, site, ConfirmPath, token, frame => (frame.T.ConfirmTitle, frame.T.ConfirmButton));

    public static Task<IResult> PostConfirmAsync(HttpContext context, SiteServices site, SubscriptionClient client) =>
        site.ServeAsync(context, ConfirmPath, async (state, frame) =>
        {
            if (await TokenAsync(context) is not { } token)
                return await InvalidLinkAsync(site, frame);
            return await CallAsync(site, frame, () => client.ConfirmAsync(token, context.RequestAborted), async answer => answer is SubscriptionDetails details
                ? await site.NoticeAsync(frame, StatusCodes.Status200OK, frame.T.ConfirmTitle, frame.T.Confirmed, PageCaching.Private,
                    frame.T.ManageTitle, frame.Link($"{ManagePath}?token={Uri.EscapeDataString(details.ManageToken)}"))
                : await RejectedAsync(site, frame, (CommandRejected)answer));
        });

    public static Task<IResult> GetManageAsync(HttpContext context, SiteServices site, SubscriptionClient client, string? token = null) =>
        site.ServeAsync(context, ManagePath, async (state, frame) =>
        {
            if (string.IsNullOrWhiteSpace(token))
                return await InvalidLinkAsync(site, frame);
            return await CallAsync(site, frame, () => client.GetAsync(token, context.RequestAborted), async answer => answer is SubscriptionDetails details
                ? Private(site, frame, await site.Pages.RenderAsync<ManagePage>(new ManageModel(frame, details, Choices(state), Empty, Saved: false)))
                : await RejectedAsync(site, frame, (CommandRejected)answer));
        });

    public static Task<IResult> PostManageAsync(HttpContext context, SiteServices site, SubscriptionClient client) =>
        site.ServeAsync(context, ManagePath, async (state, frame) =>
        {
            if (await FormAsync(context) is not { } form || NullIfEmpty(form["token"].ToString()) is not { } token)
                return await InvalidLinkAsync(site, frame);
            string[] components = form["scope"] == "components" ? [.. form["component"].OfType<string>()] : [];
            var locale = NullIfEmpty(form["locale"].ToString());
            return await CallAsync(site, frame, () => client.UpdateAsync(new UpdateSubscription(token, components, locale), context.RequestAborted), async answer => answer switch
            {
                SubscriptionDetails details => Private(site, frame, await site.Pages.RenderAsync<ManagePage>(new ManageModel(frame, details, Choices(state), Empty, Saved: true))),
                CommandRejected { NotFound: false } rejected when await CurrentAsync(client, token, context.RequestAborted) is { } current =>
                    Private(site, frame, await site.Pages.RenderAsync<ManagePage>(new ManageModel(frame, current, Choices(state), rejected.Errors, Saved: false)), StatusCodes.Status422UnprocessableEntity),
                CommandRejected rejected => await RejectedAsync(site, frame, rejected),
                _ => throw new InvalidOperationException("Unexpected answer."),
            });
        });

    public static Task<IResult> GetUnsubscribeAsync(HttpContext context, SiteServices site, string? token = null) =>
        TokenPageAsync(context, site, UnsubscribePath, token, frame => (frame.T.UnsubscribeTitle, frame.T.UnsubscribeButton));

    /// <summary>The page's button (token in the form) and RFC 8058 one-click from a mail client (token in the URL).</summary>
    public static Task<IResult> PostUnsubscribeAsync(HttpContext context, SiteServices site, SubscriptionClient client) =>
        site.ServeAsync(context, UnsubscribePath, async (state, frame) =>
        {
            if (await TokenAsync(context) is not { } token)
                return await InvalidLinkAsync(site, frame);
            return await CallAsync(site, frame, () => client.UnsubscribeAsync(token, context.RequestAborted), async answer => answer is CommandAccepted
                ? await site.NoticeAsync(frame, StatusCodes.Status200OK, frame.T.UnsubscribeTitle, frame.T.Unsubscribed, PageCaching.Private)
                : await RejectedAsync(site, frame, (CommandRejected)answer));
        });

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();

    private static Task<IResult> TokenPageAsync(HttpContext context, SiteServices site, string path, string? token, Func<PageFrame, (string Title, string Button)> texts) =>
        site.ServeAsync(context, path, async (state, frame) =>
        {
            if (string.IsNullOrWhiteSpace(token))
                return await InvalidLinkAsync(site, frame);
            var (title, button) = texts(frame);
            return Private(site, frame, await site.Pages.RenderAsync<TokenActionPage>(new TokenActionModel(frame, title, button, path, token)));
        });

    private static async Task<IResult> CallAsync(SiteServices site, PageFrame frame, Func<Task<object>> call, Func<object, Task<IResult>> answer)
    {
        object result;
        try
        {
            result = await call();
        }
        catch (NotifyUnavailableException)
        {
            return await site.NoticeAsync(frame, StatusCodes.Status503ServiceUnavailable, frame.T.SubscribeTitle, frame.T.Unavailable, PageCaching.Private);
        }
        return await answer(result);
    }

    private static async Task<SubscriptionDetails?> CurrentAsync(SubscriptionClient client, string token, CancellationToken ct) =>
        await client.GetAsync(token, ct) as SubscriptionDetails;

    private static async Task<IResult> FormAgainAsync(SiteServices site, PageFrame frame, SubscribeModel model) =>
        Private(site, frame, await site.Pages.RenderAsync<SubscribePage>(model), StatusCodes.Status422UnprocessableEntity);

    private static Task<IResult> RejectedAsync(SiteServices site, PageFrame frame, CommandRejected rejected) =>
        rejected.NotFound
            ? InvalidLinkAsync(site, frame)
            : site.NoticeAsync(frame, StatusCodes.Status400BadRequest, frame.T.SubscribeTitle,
                string.Join(" ", rejected.Errors.SelectMany(e => e.Value)) is { Length: > 0 } text ? text : rejected.Title, PageCaching.Private);

    private static Task<IResult> InvalidLinkAsync(SiteServices site, PageFrame frame) =>
        site.NoticeAsync(frame, StatusCodes.Status404NotFound, frame.T.SubscribeTitle, frame.T.LinkInvalid, PageCaching.Private);

    private static IResult Private(SiteServices site, PageFrame frame, RenderedHtml html, int status = StatusCodes.Status200OK) =>
        site.Page(html, status, PageCaching.Private, frame);

    private static async Task<IFormCollection?> FormAsync(HttpContext context) =>
        context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;

    private static async Task<string?> TokenAsync(HttpContext context)
    {
        var form = await FormAsync(context);
        return NullIfEmpty(form?["token"].ToString()) ?? NullIfEmpty(context.Request.Query["token"].ToString());
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Absolute(HttpContext context, string path) => $"{context.Request.Scheme}://{context.Request.Host}{path}";

    private static List<ComponentChoice> Choices(LiveState state)
    {
        var components = state.Page!.State.Snapshot.Components;
        var groups = components.Where(c => c.IsGroup).ToDictionary(c => c.Id, c => c.Name, StringComparer.Ordinal);
        return [.. components.Where(c => !c.IsGroup).Select(c => new ComponentChoice(c.Id,
            c.GroupId is not null && groups.TryGetValue(c.GroupId, out var group) ? $"{group} › {c.Name}" : c.Name))];
    }
}
