using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Incident.History.Results;
using StatusPlatform.Incident.History.Uptime;
using StatusPlatform.StatusApi.StatusPage.Subscriptions;

namespace StatusPlatform.StatusApi.PublicApi.Beyond;

/// <summary>
/// What Statuspage's v2 API does not have, public and in its style: daily uptime per component
/// (<c>/api/v2/components/{id}/uptime.json?days=90</c>, fractions from 0 to 1, the rule in docs/history.md), hourly response times per monitor from
/// the rollups (<c>/api/v2/monitors/{id}/response-times.json?hours=24</c>), and the subscription endpoints
/// (<c>/api/v2/subscriptions</c>) that pass the work to Notify.Service, which owns subscribers. These read the database or
/// the bus per request (they are not the page everyone loads at once), so they answer 503 while those are away.
/// </summary>
public static class BeyondStatuspageApi
{
    public const int MaxDays = 400;
    public const int MaxHours = 24 * 90;

    public static WebApplication MapBeyondStatuspageApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v2").RequireCors(StatusPageApi.CorsPolicy);
        api.MapGet("/components/{componentId}/uptime.json", GetUptimeAsync);
        api.MapGet("/monitors/{monitorId}/response-times.json", GetResponseTimesAsync);
        // Writes from other origins are fine here: subscribing only ever sends a confirmation to the address given.
        // Each is limited per client (StatusPage:SubscriptionRequestsPerMinute); Notify.Service limits the mails per address.
        var subscriptions = app.MapGroup("/api/v2/subscriptions").RequireRateLimiting(SubscriptionRateLimit.Policy);
        subscriptions.MapPost("", SubscribeAsync);
        subscriptions.MapPost("/confirm", ConfirmAsync);
        subscriptions.MapGet("/{manageToken}", GetSubscriptionAsync);
        subscriptions.MapMethods("/{manageToken}", [HttpMethods.Patch, HttpMethods.Put], UpdateSubscriptionAsync);
        subscriptions.MapDelete("/{manageToken}", UnsubscribeAsync);
        return app;
    }

    public static async Task<Results<Ok<UptimeResponse>, ProblemHttpResult>> GetUptimeAsync(string componentId, int? days, UptimeQuery uptime,
        NpgsqlDataSource dataSource, TimeProvider time, CancellationToken ct)
    {
        var count = days ?? 90;
        if (count is < 1 or > MaxDays)
            return Invalid("days", $"must be from 1 to {MaxDays}");
        return await GuardAsync<UptimeResponse>(async () =>
        {
            if (!await ComponentExistsAsync(dataSource, componentId, ct))
                return NotFound("component", componentId);
            var zone = await uptime.GetPageTimeZoneAsync(ct);
            var now = time.GetUtcNow();
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
            var report = await uptime.GetDailyUptimeAsync(componentId, today.AddDays(1 - count), today, now, ct);
            return TypedResults.Ok(new UptimeResponse(componentId, report.Uptime, [.. report.Days.Select(d => new DayWire(d.Day, d.Uptime))]));
        });
    }

    public static async Task<Results<Ok<ResponseTimesResponse>, ProblemHttpResult>> GetResponseTimesAsync(string monitorId, int? hours, ResponseTimeQuery series,
        TimeProvider time, CancellationToken ct)
    {
        var count = hours ?? 24;
        if (count is < 1 or > MaxHours)
            return Invalid("hours", $"must be from 1 to {MaxHours}");
        return await GuardAsync<ResponseTimesResponse>(async () =>
        {
            var to = time.GetUtcNow();
            var points = await series.GetSeriesAsync(monitorId, to.AddHours(-count), to, ct);
            return TypedResults.Ok(new ResponseTimesResponse(monitorId, [.. points.Select(p => new PointWire(p.Region, p.Hour, p.Count, p.Failures, p.P50Ms, p.P95Ms, p.MaxMs))]));
        });
    }

    public sealed record SubscribeRequest(string? Channel, string? Address, List<string>? ComponentIds, string? IncidentId, string? Locale);

    public sealed record TokenRequest(string? Token);

    public sealed record UpdateRequest(List<string>? ComponentIds, string? Locale);

    public static async Task<IResult> SubscribeAsync(SubscribeRequest request, SubscriptionClient notify, CancellationToken ct) =>
        await AskAsync(() => notify.SubscribeAsync(new Subscribe(request.Channel ?? "", request.Address ?? "", request.ComponentIds, request.IncidentId,
            request.Locale ?? "en"), ct), created => TypedResults.Json(created, statusCode: StatusCodes.Status201Created));

    public static async Task<IResult> ConfirmAsync(TokenRequest request, SubscriptionClient notify, CancellationToken ct) =>
        await AskAsync(() => notify.ConfirmAsync(request.Token ?? "", ct), TypedResults.Ok);

    public static async Task<IResult> GetSubscriptionAsync(string manageToken, SubscriptionClient notify, CancellationToken ct) =>
        await AskAsync(() => notify.GetAsync(manageToken, ct), TypedResults.Ok);

    public static async Task<IResult> UpdateSubscriptionAsync(string manageToken, UpdateRequest request, SubscriptionClient notify, CancellationToken ct) =>
        await AskAsync(() => notify.UpdateAsync(new UpdateSubscription(manageToken, request.ComponentIds, request.Locale), ct), TypedResults.Ok);

    public static async Task<IResult> UnsubscribeAsync(string manageToken, SubscriptionClient notify, CancellationToken ct) =>
        await AskAsync(() => notify.UnsubscribeAsync(manageToken, ct), _ => TypedResults.NoContent());

    /// <summary>Notify's answer as HTTP: its message, 400 with the field errors, 404 for a token it does not know, 503 when it is away.</summary>
    private static async Task<IResult> AskAsync(Func<Task<object>> ask, Func<object, IResult> ok)
    {
        try
        {
            return await ask() switch
            {
                CommandRejected { RetryAfterSeconds: > 0 } throttled => SubscriptionRateLimit.TooMany(TimeSpan.FromSeconds(throttled.RetryAfterSeconds.Value),
                    string.Join(" ", throttled.Errors.SelectMany(e => e.Value))),
                CommandRejected { NotFound: true } => TypedResults.Problem("The link is unknown, expired or was changed.", statusCode: StatusCodes.Status404NotFound,
                    title: "Unknown subscription"),
                CommandRejected rejected => TypedResults.Problem(new HttpValidationProblemDetails(rejected.Errors.ToDictionary(e => e.Key, e => e.Value))
                {
                    Title = rejected.Title,
                    Status = StatusCodes.Status400BadRequest,
                }),
                var answer => ok(answer),
            };
        }
        catch (NotifyUnavailableException)
        {
            return TypedResults.Problem("Subscriptions are unavailable right now; nothing was changed. Retry shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Subscriptions unavailable");
        }
    }

    private static async Task<Results<Ok<T>, ProblemHttpResult>> GuardAsync<T>(Func<Task<Results<Ok<T>, ProblemHttpResult>>> read)
    {
        try
        {
            return await read();
        }
        catch (NpgsqlException)
        {
            return TypedResults.Problem("The history is unavailable while the database is; the status itself is still served.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "History unavailable");
        }
    }

    private static async Task<bool> ComponentExistsAsync(NpgsqlDataSource dataSource, string componentId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select 1 from status.components where id = $1 and not is_group");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = componentId });
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private static ProblemHttpResult Invalid(string field, string problem) => TypedResults.Problem(new HttpValidationProblemDetails(
        new Dictionary<string, string[]> { [field] = [problem] }) { Title = "Invalid request", Status = StatusCodes.Status400BadRequest });

    private static ProblemHttpResult NotFound(string what, string id) =>
        TypedResults.Problem($"No {what} '{id}'.", statusCode: StatusCodes.Status404NotFound, title: $"Unknown {what}");
}

public sealed record UptimeResponse(
    [property: JsonPropertyName("component_id")] string ComponentId,
    [property: JsonPropertyName("uptime")] double? Uptime,
    [property: JsonPropertyName("days")] IReadOnlyList<DayWire> Days);

public sealed record DayWire([property: JsonPropertyName("date")] DateOnly Date, [property: JsonPropertyName("uptime")] double? Uptime);

public sealed record ResponseTimesResponse(
    [property: JsonPropertyName("monitor_id")] string MonitorId,
    [property: JsonPropertyName("hours")] IReadOnlyList<PointWire> Hours);

public sealed record PointWire(
    [property: JsonPropertyName("region")] string Region, [property: JsonPropertyName("hour")] DateTimeOffset Hour,
    [property: JsonPropertyName("count")] int Count, [property: JsonPropertyName("failures")] int Failures,
    [property: JsonPropertyName("p50_ms")] double? P50Ms, [property: JsonPropertyName("p95_ms")] double? P95Ms,
    [property: JsonPropertyName("max_ms")] double? MaxMs);
