using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Receivers;

/// <summary>
/// Heartbeat (push) monitors: a cron job or batch run calls its secret URL when it ran, by GET or POST, optionally with
/// <c>?status=down&amp;msg=...</c> to report its own failure. Each ping becomes a check result in the heartbeat region;
/// Incident.Service folds it and notices silence (interval + grace) itself. The token is the only credential, so an
/// unknown or malformed token gets the same 404, and the token never reaches a log or a message.
/// </summary>
public static class HeartbeatApi
{
    public const int MaxMessageLength = 500;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    public static WebApplication MapHeartbeatApi(this WebApplication app)
    {
        app.MapMethods("/api/heartbeat/{token}", [HttpMethods.Get, HttpMethods.Post], PingAsync);
        return app;
    }

    public static async Task<Results<Accepted<HeartbeatAccepted>, ProblemHttpResult>> PingAsync(
        string token, string? status, string? msg, HeartbeatTokens tokens, IPublishEndpoint publisher, TimeProvider time, CancellationToken ct)
    {
        var outcome = status?.ToLowerInvariant() switch
        {
            null or "" or "up" => CheckOutcome.Up,
            "down" => CheckOutcome.Down,
            _ => (CheckOutcome?)null,
        };
        if (outcome is null)
            return Invalid("status", $"'{status}' is not up or down");
        if (msg?.Length > MaxMessageLength)
            return Invalid("msg", $"must be at most {MaxMessageLength} characters");
        if (token.Length > 128)
            return UnknownToken();

        string? monitorId;
        try
        {
            monitorId = await tokens.FindMonitorAsync(token, ct);
        }
        catch (NpgsqlException)
        {
            return TypedResults.Problem("The heartbeat could not be checked because the database is unavailable; retry shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Heartbeat not recorded");
        }
        if (monitorId is null)
            return UnknownToken();

        var at = time.GetUtcNow();
        var reason = outcome == CheckOutcome.Down ? (string.IsNullOrWhiteSpace(msg) ? "the job reported a failure" : msg) : null;
        // Without a broker MassTransit waits for one; the job's HTTP client should hear "retry" rather than hang.
        using var publishTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        publishTimeout.CancelAfter(PublishTimeout);
        try
        {
            await publisher.Publish(new CheckCompleted(NewId.NextGuid(), monitorId, HeartbeatPings.Region, Environment.MachineName, at, 0,
                outcome.Value, null, reason, null), publishTimeout.Token);
        }
        catch (Exception e) when (e is MassTransitException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return TypedResults.Problem("The heartbeat could not be recorded because the message broker is unavailable; retry shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Heartbeat not recorded");
        }
        return TypedResults.Accepted((string?)null, new HeartbeatAccepted(true, monitorId, outcome.Value == CheckOutcome.Up ? "up" : "down", at));
    }

    private static ProblemHttpResult UnknownToken() =>
        TypedResults.Problem("No heartbeat monitor has this URL.", statusCode: StatusCodes.Status404NotFound, title: "Unknown heartbeat");

    private static ProblemHttpResult Invalid(string field, string problem) => TypedResults.Problem(new HttpValidationProblemDetails(
        new Dictionary<string, string[]> { [field] = [problem] }) { Title = "Invalid heartbeat", Status = StatusCodes.Status400BadRequest });
}

/// <summary>What a pinging job gets back.</summary>
public sealed record HeartbeatAccepted(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("monitor_id")] string MonitorId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("received_at")] DateTimeOffset ReceivedAt);
