using System.Text;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.AdminApi.Keys;
using static StatusPlatform.StatusApi.AdminApi.AdminHttp;

namespace StatusPlatform.StatusApi.AdminApi.Subscribers;

/// <summary>
/// Subscribers under /api/v1/pages/{page_id}/subscribers (statuspage-api.md 2.8), passed through to Notify.Service, which
/// owns them. Viewers and responders may read (list, search, one subscriber with its delivery history, the CSV export);
/// only admins write (create, change, unsubscribe, reactivate, import). Differences from Statuspage: <c>page</c> is 1-based
/// as on every other list here (Statuspage's /subscribers counts from 0), <c>state</c> filters on our four states, and
/// DELETE keeps the subscriber, unsubscribed, with its history. 503 when Notify.Service does not answer in time.
/// </summary>
public static class SubscribersApi
{
    private const int DefaultHistory = 20;

    public static RouteGroupBuilder MapSubscribersApi(this RouteGroupBuilder page)
    {
        var subscribers = page.MapGroup("/subscribers").AddEndpointFilter(NotifyAdminClient.AnswerUnavailable);
        subscribers.MapGet("", ListAsync).RequireAuthorization(AdminPolicies.Read)
            .WithSummary("Search subscribers (?q= part of the address, ?type= channel, ?state=, page/per_page); any key");
        subscribers.MapPost("", CreateAsync).RequireAuthorization(AdminPolicies.ManageEverything)
            .WithSummary("Add a subscriber (double opt-in mail unless skip_confirmation_notification); admin keys");
        subscribers.MapGet("/export", ExportAsync).RequireAuthorization(AdminPolicies.Read).WithSummary("Every subscriber who has not left, as CSV; any key");
        subscribers.MapPost("/import", ImportAsync).RequireAuthorization(AdminPolicies.ManageEverything)
            .WithSummary("Import text/csv in the export's columns, all or nothing; admin keys");
        subscribers.MapGet("/{subscriber_id}", GetAsync).RequireAuthorization(AdminPolicies.Read)
            .WithSummary("One subscriber with its quarantine reason and recent deliveries (?history=1..100); any key");
        subscribers.MapPatch("/{subscriber_id}", ChangeAsync).RequireAuthorization(AdminPolicies.ManageEverything)
            .WithSummary("Change the components followed or the locale; admin keys");
        subscribers.MapDelete("/{subscriber_id}", RemoveAsync).RequireAuthorization(AdminPolicies.ManageEverything)
            .WithSummary("Unsubscribe (kept with its history); admin keys");
        subscribers.MapPost("/{subscriber_id}/reactivate", ReactivateAsync).RequireAuthorization(AdminPolicies.ManageEverything)
            .WithSummary("Lift a quarantine; admin keys");
        return page;
    }

    /// <summary><c>?q=</c> (part of the address), <c>?type=</c> (channel), <c>?state=</c> (or all; default: all but unsubscribed), page/per_page.</summary>
    public static async Task<Results<Ok<List<AdminSubscriber>>, ProblemHttpResult>> ListAsync(HttpContext context, IBus bus, AdminApiOptions options, CancellationToken ct)
    {
        if (!TryReadPaging(context.Request, out var pageNumber, out var perPage, out var pagingError))
            return pagingError!;
        var query = context.Request.Query;
        var request = new ListSubscribers(Optional(query["q"]), Optional(query["type"]), Optional(query["state"]), pageNumber, perPage);
        switch (await NotifyAdminClient.AskAsync<ListSubscribers, SubscriberList>(bus, options, request, ct))
        {
            case SubscriberList list:
                WritePagingHeaders(context, pageNumber, perPage, list.Total);
                var page = PageOf(context);
                return TypedResults.Ok(list.Subscribers.Select(s => SubscriberWire.Subscriber(s, page)).ToList());
            case var refused:
                return Refused(refused, new() { ["query"] = "q", ["channel"] = "type", ["perPage"] = "per_page" });
        }
    }

    /// <summary><c>?history=</c>: how many of the most recent deliveries to show (1 to 100, default 20).</summary>
    public static async Task<Results<Ok<AdminSubscriberDetail>, ProblemHttpResult>> GetAsync(
        string subscriber_id, HttpContext context, IBus bus, AdminApiOptions options, CancellationToken ct)
    {
        var history = DefaultHistory;
        if (Optional(context.Request.Query["history"]) is { } raw && !int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out history))
            return AdminProblems.Invalid("history", $"'{raw}' is not a whole number from 1 to 100");
        return Detail(context, await NotifyAdminClient.AskAsync<GetSubscriber, SubscriberDetails>(bus, options, new GetSubscriber(Id(subscriber_id), history), ct));
    }

    /// <summary>
    /// <c>{"subscriber": {"email" | "phone_number" | "endpoint", "mode", "component_ids", "incident_id", "locale",
    /// "skip_confirmation_notification"}}</c>. Without <c>mode</c> it follows from the address field (an endpoint is a
    /// webhook); chat endpoints name theirs (slack, teams, discord, mattermost, googlechat). 201 with the subscriber.
    /// </summary>
    public static async Task<Results<Created<AdminSubscriberCreated>, ProblemHttpResult>> CreateAsync(
        HttpContext context, IBus bus, AdminApiOptions options, CancellationToken ct)
    {
        var (body, error) = await ReadBodyAsync<SubscriberBody>(context.Request, "subscriber", ct);
        if (error is not null)
            return error;
        if (body!.Subscriber is not { } s)
            return AdminProblems.Invalid("subscriber", "is required: send {\"subscriber\": {...}}");
        var (mode, addressField, address, problems) = ReadAddress(s);
        if (problems.Count > 0)
            return AdminProblems.Invalid(problems);
        var command = new CreateSubscriber(mode, address, s.ComponentIds, s.IncidentId, s.Locale ?? "en", s.SkipConfirmationNotification ?? false);
        switch (await NotifyAdminClient.AskAsync<CreateSubscriber, SubscriberCreated>(bus, options, command, ct))
        {
            case SubscriberCreated created:
                var wire = new AdminSubscriberCreated(SubscriberWire.Subscriber(created.Subscriber, PageOf(context)), created.ConfirmationSent, created.WebhookSecret);
                return TypedResults.Created($"{context.Request.PathBase}{context.Request.Path}/{wire.Id}", wire);
            case var refused:
                return Refused(refused, new()
                {
                    ["channel"] = "subscriber.mode", ["address"] = $"subscriber.{addressField}", ["componentIds"] = "subscriber.component_ids",
                    ["incidentId"] = "subscriber.incident_id", ["locale"] = "subscriber.locale",
                });
        }
    }

    /// <summary><c>{"subscriber": {"component_ids": [...], "locale": "de"}}</c>: [] follows the whole page; a field left out stays as it is.</summary>
    public static async Task<Results<Ok<AdminSubscriberDetail>, ProblemHttpResult>> ChangeAsync(
        string subscriber_id, HttpContext context, IBus bus, AdminApiOptions options, CancellationToken ct)
    {
        var (body, error) = await ReadBodyAsync<SubscriberBody>(context.Request, "subscriber", ct);
        if (error is not null)
            return error;
        if (body!.Subscriber is not { } s)
            return AdminProblems.Invalid("subscriber", "is required: send {\"subscriber\": {...}}");
        return Detail(context, await NotifyAdminClient.AskAsync<ChangeSubscriber, SubscriberDetails>(bus, options,
            new ChangeSubscriber(Id(subscriber_id), s.ComponentIds, s.Locale), ct));
    }

    /// <summary>Unsubscribes: 200 with the subscriber, now unsubscribed (kept with its history). Idempotent.</summary>
    public static async Task<Results<Ok<AdminSubscriberDetail>, ProblemHttpResult>> RemoveAsync(
        string subscriber_id, HttpContext context, IBus bus, AdminApiOptions options, CancellationToken ct) =>
        Detail(context, await NotifyAdminClient.AskAsync<RemoveSubscriber, SubscriberDetails>(bus, options, new RemoveSubscriber(Id(subscriber_id)), ct));

    /// <summary>Lifts a quarantine; a subscriber that is not quarantined is answered as it is, an unsubscribed one refused.</summary>
    public static async Task<Results<Ok<AdminSubscriberDetail>, ProblemHttpResult>> ReactivateAsync(
        string subscriber_id, HttpContext context, IBus bus, AdminApiOptions options, CancellationToken ct) =>
        Detail(context, await NotifyAdminClient.AskAsync<ReactivateSubscriber, SubscriberDetails>(bus, options, new ReactivateSubscriber(Id(subscriber_id)), ct));

    /// <summary>Every subscriber who has not left, as CSV (channel,address,scope,components,incident,locale,confirmed,quarantined_at).</summary>
    public static async Task<IResult> ExportAsync(IBus bus, AdminApiOptions options, CancellationToken ct) =>
        await NotifyAdminClient.AskAsync<ExportSubscribers, SubscribersCsv>(bus, options, new ExportSubscribers(), ct) switch
        {
            SubscribersCsv csv => TypedResults.File(Encoding.UTF8.GetBytes(csv.Csv), "text/csv; charset=utf-8", "subscribers.csv"),
            var refused => Refused(refused, new()),
        };

    /// <summary>
    /// A text/csv body in the export's columns (a header line first). All or nothing: one bad line imports nothing and the
    /// errors name the lines. <c>?skip_confirmation_notification=true</c> vouches for the email addresses (no confirmation mail).
    /// </summary>
    public static async Task<Results<Ok<AdminSubscribersImported>, ProblemHttpResult>> ImportAsync(
        HttpContext context, IBus bus, AdminApiOptions options, CancellationToken ct)
    {
        var request = context.Request;
        if (request.ContentType is not { } type || !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem("Send the subscribers as CSV with Content-Type: text/csv.", statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported body", type: AdminProblems.Type("unsupported-media-type"));
        }
        var skip = Optional(request.Query["skip_confirmation_notification"]);
        if (skip is not (null or "true" or "false"))
            return AdminProblems.Invalid("skip_confirmation_notification", $"'{skip}' is not true or false");
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var csv = await reader.ReadToEndAsync(ct);
        return await NotifyAdminClient.AskAsync<ImportSubscribers, SubscribersImported>(bus, options, new ImportSubscribers(csv, skip == "true"), ct) switch
        {
            SubscribersImported imported => TypedResults.Ok(new AdminSubscribersImported(imported.Created, imported.Updated)),
            var refused => Refused(refused, new()),
        };
    }

    public sealed record SubscriberRequest(
        string? Mode, string? Email, string? Endpoint, string? PhoneNumber, List<string>? ComponentIds, string? IncidentId, string? Locale,
        bool? SkipConfirmationNotification);

    // Wrapped as in Statuspage's API: {"subscriber": {...}}.
    public sealed record SubscriberBody(SubscriberRequest? Subscriber);

    /// <summary>The channel and the one address field it takes, or the field errors; the address itself is Notify's to judge.</summary>
    private static (string Mode, string Field, string Address, Dictionary<string, string[]> Problems) ReadAddress(SubscriberRequest s)
    {
        var problems = new Dictionary<string, string[]>();
        var given = new[] { ("email", s.Email), ("phone_number", s.PhoneNumber), ("endpoint", s.Endpoint) }.Where(f => f.Item2 is not null).ToList();
        var mode = s.Mode?.Trim().ToLowerInvariant();
        var field = mode switch
        {
            null => given.Count == 1 ? given[0].Item1 : null,
            SubscriptionChannel.Email => "email",
            SubscriptionChannel.Sms => "phone_number",
            _ => "endpoint",
        };
        if (given.Count == 0 || (mode is null && given.Count > 1))
        {
            problems["subscriber"] = ["send one of email, phone_number (E.164) or endpoint (a webhook, or a chat URL with mode slack, teams, discord, mattermost or googlechat)"];
        }
        else
        {
            if (field is not null && given.All(f => f.Item1 != field))
                problems[$"subscriber.{field}"] = [$"is required for mode {mode}"];
            foreach (var (other, _) in given.Where(f => f.Item1 != field))
                problems[$"subscriber.{other}"] = [$"does not go with mode {mode}; send {field} only"];
        }
        mode ??= field switch { "email" => SubscriptionChannel.Email, "phone_number" => SubscriptionChannel.Sms, _ => SubscriptionChannel.Webhook };
        return (mode, field ?? "", given.FirstOrDefault(f => f.Item1 == field).Item2 ?? "", problems);
    }

    private static Results<Ok<AdminSubscriberDetail>, ProblemHttpResult> Detail(HttpContext context, object answer) => answer switch
    {
        SubscriberDetails details => TypedResults.Ok(SubscriberWire.Detail(details, PageOf(context))),
        var refused => Refused(refused, new() { ["componentIds"] = "subscriber.component_ids", ["locale"] = "subscriber.locale" }),
    };

    /// <summary>Notify's refusal as HTTP: 404 for an unknown subscriber, else 400 with its field errors under this API's names.</summary>
    private static ProblemHttpResult Refused(object answer, Dictionary<string, string> fields) => answer switch
    {
        CommandRejected { NotFound: true } rejected => TypedResults.Problem(rejected.Title, statusCode: StatusCodes.Status404NotFound, title: "Unknown subscriber",
            type: AdminProblems.Type("not-found")),
        CommandRejected rejected => AdminProblems.Invalid(rejected.Errors.ToDictionary(e => fields.GetValueOrDefault(e.Key, e.Key), e => e.Value), rejected.Title),
        _ => throw new InvalidOperationException($"Notify.Service answered with {answer.GetType().Name}."),
    };

    private static string? Optional(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 0 || string.IsNullOrWhiteSpace(value.ToString()) ? null : value.ToString();
}
