using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi;
using StatusPlatform.StatusApi.AdminApi.Subscribers;
using StatusPlatform.StatusApi.Console.Components;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>
/// Subscribers, asked of Notify.Service (which owns them) over the bus with the admin API's requests: a search by address,
/// channel and state (quarantine included), one subscriber with its recent deliveries and why it is quarantined, and
/// (admin) lifting a quarantine or ending a subscription. StatusApi keeps nothing of them.
/// </summary>
public static class SubscriberPages
{
    public const int PerPage = 50;

    public static async Task<IResult> ListAsync(
        HttpContext context, ConsoleSite site, IBus bus, AdminApiOptions options, string? q = null, string? channel = null, string? state = null, int page = 1,
        string? done = null)
    {
        var frame = await site.FrameAsync(context, "Subscribers", done);
        var search = new SubscriberSearch(q?.Trim() ?? "", channel?.Trim() ?? "", state?.Trim() ?? "", Math.Max(page, 1));
        var request = new ListSubscribers(search.Query.Length == 0 ? null : search.Query, search.Channel.Length == 0 ? null : search.Channel,
            search.State.Length == 0 ? null : search.State, search.Page, PerPage);
        return await NotifyAdminClient.AskAsync<ListSubscribers, SubscriberList>(bus, options, request, context.RequestAborted) switch
        {
            SubscriberList list => await site.PageAsync<SubscribersPage>(new SubscribersModel(frame, search, list, Empty)),
            CommandRejected rejected => await site.PageAsync<SubscribersPage>(new SubscribersModel(frame, search, null, rejected.Errors), StatusCodes.Status400BadRequest),
            _ => throw new InvalidOperationException("Unexpected answer to ListSubscribers."),
        };
    }

    public static async Task<IResult> GetAsync(HttpContext context, ConsoleSite site, IBus bus, AdminApiOptions options, string id, string? done = null)
    {
        var frame = await site.FrameAsync(context, "Subscriber", done);
        return await NotifyAdminClient.AskAsync<GetSubscriber, SubscriberDetails>(bus, options, new GetSubscriber(id, 50), context.RequestAborted) switch
        {
            SubscriberDetails details => await site.PageAsync<SubscriberPage>(new SubscriberModel(frame with { Title = details.Subscriber.Address }, details)),
            CommandRejected { NotFound: true } => await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such subscriber", $"There is no subscriber '{id}'."),
            CommandRejected rejected => await site.NoticeAsync(context, StatusCodes.Status400BadRequest, "Not shown", rejected.Title),
            _ => throw new InvalidOperationException("Unexpected answer to GetSubscriber."),
        };
    }

    public static Task<IResult> PostReactivateAsync(HttpContext context, ConsoleSite site, IBus bus, AdminApiOptions options, string id) =>
        ChangeAsync<ReactivateSubscriber>(context, site, bus, options, new ReactivateSubscriber(id), id, "reactivated");

    public static Task<IResult> PostRemoveAsync(HttpContext context, ConsoleSite site, IBus bus, AdminApiOptions options, string id) =>
        ChangeAsync<RemoveSubscriber>(context, site, bus, options, new RemoveSubscriber(id), id, "removed");

    private static async Task<IResult> ChangeAsync<T>(HttpContext context, ConsoleSite site, IBus bus, AdminApiOptions options, T request, string id, string done)
        where T : class =>
        await NotifyAdminClient.AskAsync<T, SubscriberDetails>(bus, options, request, context.RequestAborted) switch
        {
            SubscriberDetails => ConsoleSite.SeeOther($"{ConsoleRoutes.Root}/subscribers/{Uri.EscapeDataString(id)}", done),
            CommandRejected { NotFound: true } => await site.NoticeAsync(context, StatusCodes.Status404NotFound, "No such subscriber", $"There is no subscriber '{id}'."),
            CommandRejected rejected => await site.NoticeAsync(context, StatusCodes.Status422UnprocessableEntity, "Not changed",
                string.Join(" ", rejected.Errors.SelectMany(e => e.Value).DefaultIfEmpty(rejected.Title))),
            _ => throw new InvalidOperationException($"Unexpected answer to {typeof(T).Name}."),
        };

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();
}

public sealed record SubscriberSearch(string Query, string Channel, string State, int Page)
{
    public string Link(int page) =>
        $"/console/subscribers?q={Uri.EscapeDataString(Query)}&channel={Uri.EscapeDataString(Channel)}&state={Uri.EscapeDataString(State)}&page={page}";
}

public sealed record SubscribersModel(ConsoleFrame Frame, SubscriberSearch Search, SubscriberList? List, IReadOnlyDictionary<string, string[]> Errors);

public sealed record SubscriberModel(ConsoleFrame Frame, SubscriberDetails Details);
