using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace StatusPlatform.StatusApi.AdminApi;

/// <summary>The admin API's ProblemDetails, each with a stable type, and its ETags.</summary>
public static class AdminProblems
{
    private const string RetryAfterSeconds = "5";

    public static string Type(string name) => $"urn:statusplatform:problem:{name}";

    /// <summary>400 with the field errors (HttpValidationProblemDetails), keyed by the path of the field in the body.</summary>
    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors, string title = "The request has invalid fields; nothing was changed") =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Title = title, Type = Type("validation"), Status = StatusCodes.Status400BadRequest });

    public static ProblemHttpResult Invalid(string field, string problem) => Invalid(new Dictionary<string, string[]> { [field] = [problem] });

    public static ProblemHttpResult NotFound(string what, string id) =>
        TypedResults.Problem($"There is no {what} '{id}'.", statusCode: StatusCodes.Status404NotFound, title: $"Unknown {what}", type: Type("not-found"));

    public static IResult DatabaseUnavailable() => new WithRetryAfter(TypedResults.Problem(
        "PostgreSQL cannot be reached, so the admin API can neither read nor change anything; nothing was changed. The public "
        + "status page keeps serving its last known state. Retry shortly.",
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "The database is unavailable", type: Type("database-unavailable")));

    public static IResult IncidentServiceUnavailable(TimeSpan waited) => new WithRetryAfter(TypedResults.Problem(
        $"Incident.Service did not answer within {waited.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (the message broker or the "
        + "service is down or overloaded). The command was sent with that time to live, so it will not be applied later unless it was "
        + "already being applied; check the incident before retrying.",
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Incident.Service is unavailable", type: Type("command-unavailable")));

    /// <summary>The stream moved on since the version the client named: 412 with the current ETag, nothing changed.</summary>
    public static ProblemHttpResult Conflict(HttpContext context, long expected, long current)
    {
        context.Response.Headers.ETag = ETag(current);
        return TypedResults.Problem(
            $"If-Match named version {expected}, but it is at version {current} now; nothing was changed. Read it again and decide again.",
            statusCode: StatusCodes.Status412PreconditionFailed, title: "The resource has changed", type: Type("version-conflict"));
    }

    /// <summary>
    /// A strong ETag from the event stream's version, <c>"v3"</c>: If-Match compares strongly (RFC 9110), and one version is
    /// one state of the incident or component.
    /// </summary>
    public static string ETag(long version) => $"\"v{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// The version an If-Match names: null without the header or with <c>*</c> (any version), else the one ETag this API
    /// issued (a W/ prefix is tolerated: clients that weaken tags still mean the version). Anything else is a field error.
    /// </summary>
    public static bool TryReadIfMatch(HttpRequest request, out long? version, out string? error)
    {
        version = null;
        error = null;
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
            return true;
        var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        if (tag.Length >= 4 && tag[0] == '"' && tag[^1] == '"' && tag[1] == 'v'
            && long.TryParse(tag[2..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }
        error = $"'{header}' is not an ETag this API issued; send one ETag as received, like \"v3\", or * for any version";
        return false;
    }

    private sealed class WithRetryAfter(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
