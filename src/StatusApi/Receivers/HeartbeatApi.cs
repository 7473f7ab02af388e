using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Receivers;

/// <summary>
/// Heartbeat (push) monitors: a cron job or batch run calls its secret URL when it ran, by GET or POST, optionally with
/// <c>?status=down&amp;msg=...</c> to report its own failure. Each ping becomes a check result in the heartbeat region;
/// Incident.Service folds it and notices silence (interval + grace) itself.
/// </summary>
public static class HeartbeatApi
{
    public const int MaxMessageLength = 500;

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
            return PushedResults.Invalid("Invalid heartbeat", "status", $"'{status}' is not up or down");
        if (msg?.Length > MaxMessageLength)
            return PushedResults.Invalid("Invalid heartbeat", "msg", $"must be at most {MaxMessageLength} characters");
        var (monitorId, problem) = await PushedResults.FindAsync(tokens, token, "heartbeat", ct);
        if (monitorId is null)
            return problem!;

        var at = time.GetUtcNow();
        var reason = outcome == CheckOutcome.Down ? (string.IsNullOrWhiteSpace(msg) ? "the job reported a failure" : msg) : null;
        var result = new CheckCompleted(NewId.NextGuid(), monitorId, HeartbeatPings.Region, Environment.MachineName, at, 0, outcome.Value, null, reason, null);
        return await PushedResults.PublishAsync(publisher, result, ct) is { } unavailable
            ? unavailable
            : TypedResults.Accepted((string?)null, new HeartbeatAccepted(true, monitorId, outcome.Value == CheckOutcome.Up ? "up" : "down", at));
    }
}

/// <summary>What a pinging job or alerting tool gets back.</summary>
public sealed record HeartbeatAccepted(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("monitor_id")] string MonitorId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("received_at")] DateTimeOffset ReceivedAt);
