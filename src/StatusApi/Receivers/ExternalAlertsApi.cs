using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Receivers;

/// <summary>
/// Alert webhooks from other monitoring tools: POST (UptimeRobot also GET) to <c>/api/webhooks/{source}/{token}</c>, with
/// source pingdom, uptimerobot, alertmanager or grafana and the external monitor's secret token. Each alert that says
/// down or up becomes a check result in the region <c>external:{source}</c>, folded like a probe's; a call that says
/// neither (a test notification, an SSL-expiry notice) is acknowledged and changes nothing.
/// </summary>
public static class ExternalAlertsApi
{
    private const int MaxBodyBytes = 256 * 1024;

    public static WebApplication MapExternalAlertsApi(this WebApplication app)
    {
        app.MapMethods("/api/webhooks/{source}/{token}", [HttpMethods.Get, HttpMethods.Post], ReceiveAsync);
        return app;
    }

    public static async Task<Results<Accepted<HeartbeatAccepted>, Ok<HeartbeatAccepted>, ProblemHttpResult>> ReceiveAsync(
        string source, string token, HttpRequest request, HeartbeatTokens tokens, IPublishEndpoint publisher, TimeProvider time, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
            return TypedResults.Problem($"An alert body is at most {MaxBodyBytes / 1024} KB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Alert too large");
        // The token decides first, so the response does not tell a stranger which sources exist.
        var (monitorId, problem) = await PushedResults.FindAsync(tokens, token, source, ct);
        if (monitorId is null)
            return problem!;

        JsonElement? json = null;
        var fields = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await request.ReadFormAsync(ct))
                fields[key] = value.ToString();
        }
        else if (request.ContentLength is not 0 && HttpMethods.IsPost(request.Method))
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 32 }, ct);
                json = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                return PushedResults.Invalid("Invalid alert", "body", $"is not JSON: {e.Message}");
            }
        }

        var alert = ExternalAlerts.Read(source, json, fields);
        var at = time.GetUtcNow();
        if (alert.Outcome is not { } outcome)
            return TypedResults.Ok(new HeartbeatAccepted(true, monitorId, "ignored", at));
        var result = new CheckCompleted(NewId.NextGuid(), monitorId, $"external:{source}", source, at, 0, outcome, null, alert.Reason, null);
        return await PushedResults.PublishAsync(publisher, result, ct) is { } unavailable
            ? unavailable
            : TypedResults.Accepted((string?)null, new HeartbeatAccepted(true, monitorId, outcome == CheckOutcome.Up ? "up" : "down", at));
    }
}
