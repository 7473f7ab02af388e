using System.Globalization;
using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.PublicApi.History;

/// <summary>
/// Time travel, public like the rest of the page: <c>/api/v2/history/at.json?at=T</c> is the page as it stood at T and
/// <c>/api/v2/history/changes.json?from=A&amp;to=B</c> what changed between two moments. Incident.Service computes both
/// from its events (GetPageAt, GetChanges over the bus); this endpoint only asks and passes the answer on, so it is not
/// served from memory and answers 503 when Incident.Service is away. Times are ISO 8601 (UTC when no offset is given).
/// </summary>
public static class TimeTravelApi
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static WebApplication MapTimeTravelApi(this WebApplication app)
    {
        var history = app.MapGroup("/api/v2/history").RequireCors(StatusPageApi.CorsPolicy);
        history.MapGet("/at.json", GetPageAtAsync);
        history.MapGet("/changes.json", GetChangesAsync);
        return app;
    }

    public static async Task<Results<Ok<PageAtResponse>, ProblemHttpResult>> GetPageAtAsync(string? at, IBus bus, CancellationToken ct)
    {
        if (!TryParse(at, out var moment))
            return Invalid("at", "is required: an ISO 8601 time, e.g. 2026-11-21T08:00:00Z");
        return await AskAsync<GetPageAt, PageAt>(bus, new GetPageAt(moment), ct) switch
        {
            PageAt page => TypedResults.Ok(new PageAtResponse(page.At, new PageStatus(page.Indicator, page.Description),
                [.. page.Components.Select(c => new ComponentAtWire(c.ComponentId, c.Name, c.Status, c.GroupId, c.IsGroup, c.Position))],
                [.. page.UnresolvedIncidents.Select(i => new IncidentAtWire(i.IncidentId, i.Name, i.Status, i.Impact, i.OpenedAt,
                    [.. i.Components.Select(c => new AffectedAtWire(c.ComponentId, c.Name, c.Status))]))])),
            HistoryRequestRejected rejected => Invalid("at", rejected.Reason),
            _ => Unavailable(),
        };
    }

    public static async Task<Results<Ok<ChangesResponse>, ProblemHttpResult>> GetChangesAsync(string? from, string? to, IBus bus, CancellationToken ct)
    {
        if (!TryParse(from, out var start))
            return Invalid("from", "is required: an ISO 8601 time");
        if (!TryParse(to, out var end))
            return Invalid("to", "is required: an ISO 8601 time");
        return await AskAsync<GetChanges, Changes>(bus, new GetChanges(start, end), ct) switch
        {
            Changes changes => TypedResults.Ok(new ChangesResponse(changes.From, changes.To, changes.Truncated,
                [.. changes.Items.Select(c => new ChangeWire(c.At, c.Kind, c.SubjectId, c.Name, c.OldStatus, c.NewStatus, c.Body))])),
            HistoryRequestRejected rejected => Invalid("to", rejected.Reason),
            _ => Unavailable(),
        };
    }

    private static async Task<object?> AskAsync<TRequest, TAnswer>(IBus bus, TRequest request, CancellationToken ct)
        where TRequest : class where TAnswer : class
    {
        try
        {
            var response = await bus.CreateRequestClient<TRequest>(RequestTimeout.After(ms: (int)Timeout.TotalMilliseconds))
                .GetResponse<TAnswer, HistoryRequestRejected>(request, ct);
            return response.Is(out Response<TAnswer>? answer) ? answer.Message
                : response.Is(out Response<HistoryRequestRejected>? rejected) ? rejected.Message : null;
        }
        catch (Exception e) when (e is RequestTimeoutException or MassTransitException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static bool TryParse(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);

    private static ProblemHttpResult Invalid(string field, string problem) => TypedResults.Problem(new HttpValidationProblemDetails(
        new Dictionary<string, string[]> { [field] = [problem] }) { Title = "Invalid history request", Status = StatusCodes.Status400BadRequest });

    private static ProblemHttpResult Unavailable() => TypedResults.Problem("The history could not be computed: Incident.Service did not answer; retry shortly.",
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "History unavailable");
}

public sealed record PageAtResponse(
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("status")] PageStatus Status,
    [property: JsonPropertyName("components")] IReadOnlyList<ComponentAtWire> Components,
    [property: JsonPropertyName("incidents")] IReadOnlyList<IncidentAtWire> Incidents);

public sealed record ComponentAtWire(
    [property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("group_id")] string? GroupId, [property: JsonPropertyName("group")] bool Group, [property: JsonPropertyName("position")] int Position);

public sealed record IncidentAtWire(
    [property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("impact")] string Impact, [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("components")] IReadOnlyList<AffectedAtWire> Components);

public sealed record AffectedAtWire([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status);

public sealed record ChangesResponse(
    [property: JsonPropertyName("from")] DateTimeOffset From, [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("truncated")] bool Truncated, [property: JsonPropertyName("changes")] IReadOnlyList<ChangeWire> Changes);

public sealed record ChangeWire(
    [property: JsonPropertyName("at")] DateTimeOffset At, [property: JsonPropertyName("kind")] string Kind, [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("old_status")] string? OldStatus,
    [property: JsonPropertyName("new_status")] string? NewStatus, [property: JsonPropertyName("body")] string? Body);
