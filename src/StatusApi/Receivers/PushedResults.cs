using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Receivers;

/// <summary>
/// What the heartbeat and alert-webhook receivers share: the token is the only credential, so an unknown, malformed or
/// other-kind token gets the same 404 and never reaches a log or a message; the result goes out as a check result, and a
/// broker or database that is away is a 503 the caller can retry, never a hang.
/// </summary>
public static class PushedResults
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    public static async Task<(string? MonitorId, ProblemHttpResult? Problem)> FindAsync(HeartbeatTokens tokens, string token, string kind, CancellationToken ct)
    {
        if (token.Length > 128)
            return (null, Unknown());
        try
        {
            return await tokens.FindMonitorAsync(token, kind, ct) is { } monitorId ? (monitorId, null) : (null, Unknown());
        }
        catch (NpgsqlException)
        {
            return (null, Unavailable("the database"));
        }
    }

    /// <summary>Publishes the result; null when the broker confirmed it, else the 503 to answer.</summary>
    public static async Task<ProblemHttpResult?> PublishAsync(IPublishEndpoint publisher, CheckCompleted result, CancellationToken ct)
    {
        // Without a broker MassTransit waits for one; the caller's HTTP client should hear "retry" rather than hang.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PublishTimeout);
        // The reason is the caller's text (a job's msg, an alert's description); a NUL in it is refused by PostgreSQL
        // (text and jsonb), so the fold would fail on it every time and park the result in the error queue.
        if (result.FailureReason is { } reason && reason.Any(IsUnstorable))
            result = result with { FailureReason = new string([.. reason.Where(c => !IsUnstorable(c))]) };
        try
        {
            await publisher.Publish(result, timeout.Token);
            return null;
        }
        catch (Exception e) when (e is MassTransitException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return Unavailable("the message broker");
        }
    }

    private static bool IsUnstorable(char c) => char.IsControl(c) && c is not '\n' and not '\t' and not '\r';

    public static ProblemHttpResult Invalid(string title, string field, string problem) => TypedResults.Problem(new HttpValidationProblemDetails(
        new Dictionary<string, string[]> { [field] = [problem] }) { Title = title, Status = StatusCodes.Status400BadRequest });

    private static ProblemHttpResult Unknown() =>
        TypedResults.Problem("No monitor has this URL.", statusCode: StatusCodes.Status404NotFound, title: "Unknown monitor URL");

    private static ProblemHttpResult Unavailable(string what) =>
        TypedResults.Problem($"The result could not be recorded because {what} is unavailable; retry shortly.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not recorded");
}
