using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.StatusApi.AdminApi.Pages;

namespace StatusPlatform.StatusApi.AdminApi;

/// <summary>Reading requests: JSON bodies with field errors a person can act on, page/per_page, the page in the path.</summary>
public static class AdminHttp
{
    public const int DefaultPerPage = 100;
    public const int MaxPerPage = 100;

    /// <summary>Snake_case as on Statuspage's wire; numbers must be numbers, not strings that look like them.</summary>
    public static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>
    /// The body as <typeparamref name="T"/>, or the answer to send instead: 415 for a body that is not JSON (Statuspage's
    /// form-encoded bodies are not supported), 400 naming the field and position for malformed JSON or a wrong type.
    /// </summary>
    public static async Task<(T? Body, ProblemHttpResult? Error)> ReadBodyAsync<T>(HttpRequest request, string wrapper, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            return (default, TypedResults.Problem("Send the body as JSON with Content-Type: application/json (form-encoded bodies are not supported).",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported body", type: AdminProblems.Type("unsupported-media-type")));
        }
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, RequestJson, ct);
            return body is null ? (default, AdminProblems.Invalid(wrapper, $"is required: send {{\"{wrapper}\": {{...}}}}")) : (body, null);
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "body" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
            var reason = e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0];
            var position = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
            return (default, AdminProblems.Invalid(new Dictionary<string, string[]> { [field] = [$"could not be read{position}: {reason}"] },
                "The request body is not valid JSON of the expected shape; nothing was changed"));
        }
    }

    /// <summary>
    /// Statuspage's <c>page</c> (1-based, default 1) and <c>per_page</c> (default and maximum 100); <c>limit</c> is the
    /// name /incidents used before per_page and means the same.
    /// </summary>
    public static bool TryReadPaging(HttpRequest request, out int page, out int perPage, out ProblemHttpResult? error)
    {
        var errors = new Dictionary<string, string[]>();
        page = Read("page", 1, int.MaxValue / MaxPerPage, 1);
        perPage = Read("per_page", 1, MaxPerPage, DefaultPerPage);
        if (request.Query.ContainsKey("limit"))
        {
            var limit = Read("limit", 1, MaxPerPage, DefaultPerPage);
            if (request.Query.ContainsKey("per_page") && limit != perPage)
                errors["limit"] = ["means per_page; send one of them"];
            perPage = limit;
        }
        error = errors.Count == 0 ? null : AdminProblems.Invalid(errors, "The paging parameters are invalid");
        return error is null;

        int Read(string name, int min, int max, int fallback)
        {
            var raw = request.Query[name].ToString();
            if (raw.Length == 0)
                return fallback;
            if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
                return value;
            errors[name] = [$"'{raw}' is not a whole number from {min} to {max}"];
            return fallback;
        }
    }

    /// <summary>
    /// Paging headers. Statuspage documents none (statuspage-api.md 2.2), so these are additions its clients ignore:
    /// <c>X-Total-Count</c>, and a <c>Link</c> header (RFC 8288) with first, prev, next and last.
    /// </summary>
    public static void WritePagingHeaders(HttpContext context, int page, int perPage, int total)
    {
        context.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        var last = Math.Max(1, (total + perPage - 1) / perPage);
        var links = new List<string> { Link(1, "first") };
        if (page > 1)
            links.Add(Link(Math.Min(page - 1, last), "prev"));
        if (page < last)
            links.Add(Link(page + 1, "next"));
        links.Add(Link(last, "last"));
        context.Response.Headers.Link = string.Join(", ", links);

        string Link(int target, string rel)
        {
            var query = context.Request.Query.Where(q => q.Key is not ("page" or "per_page" or "limit"))
                .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append(FormattableString.Invariant($"page={target}")).Append(FormattableString.Invariant($"per_page={perPage}"));
            return $"<{context.Request.PathBase}{context.Request.Path}?{string.Join('&', query)}>; rel=\"{rel}\"";
        }
    }

    /// <summary>The page the path names, put there by <see cref="RequirePage"/>.</summary>
    public static AdminPage PageOf(HttpContext context) =>
        context.Items[typeof(AdminPage)] as AdminPage ?? throw new InvalidOperationException("The page filter did not run for this endpoint.");

    /// <summary>Every /pages/{page_id} route: 404 for a page id that is not status.page's, else the page for the handler.</summary>
    public static async ValueTask<object?> RequirePage(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var pageId = context.Request.RouteValues["page_id"] as string ?? "";
        var page = await context.RequestServices.GetRequiredService<AdminReadModel>().PageAsync(pageId, context.RequestAborted);
        if (page is null)
            return AdminProblems.NotFound("page", pageId);
        context.Items[typeof(AdminPage)] = page;
        return await next(invocation);
    }

    /// <summary>Who acts: the key's name, recorded on every event a command appends.</summary>
    public static string Actor(HttpContext context) =>
        context.User.FindFirstValue(ClaimTypes.Name) ?? throw new InvalidOperationException("An admin endpoint ran without an authenticated key.");

    /// <summary>Statuspage accepts element paths with and without ".json" (statuspage-api.md 2.1).</summary>
    public static string Id(string raw) => raw.EndsWith(".json", StringComparison.Ordinal) ? raw[..^5] : raw;

    /// <summary>Polls until the read model shows a write (or the wait is over); false when it did not in time.</summary>
    public static async Task<bool> WaitUntilShownAsync(Func<CancellationToken, Task<bool>> shown, TimeSpan wait, TimeProvider time, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            if (await shown(ct))
                return true;
            if (time.GetUtcNow() >= deadline)
                return false;
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
        }
    }
}
