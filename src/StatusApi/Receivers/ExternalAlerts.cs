using System.Text.Json;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.Receivers;

/// <summary>What one alert webhook says: the monitor is down (with why) or up; null Outcome when the call says neither.</summary>
public sealed record ExternalAlert(CheckOutcome? Outcome, string? Reason);

/// <summary>
/// Reads the alert webhooks of the tools an external monitor can name, from their documented payloads:
/// <list type="bullet">
/// <item>pingdom: JSON with <c>current_state</c> UP or DOWN and <c>description</c>/<c>long_description</c>;</item>
/// <item>uptimerobot: fields (query string, form or JSON) <c>alertType</c> 1 = down, 2 = up, and <c>alertDetails</c>;</item>
/// <item>alertmanager: JSON (webhook version 4) with <c>status</c> firing or resolved and <c>alerts[]</c> carrying labels and
/// annotations; down while any alert in it fires;</item>
/// <item>grafana: the unified alerting webhook (the Alertmanager shape plus title and message), or the legacy one with
/// <c>state</c> alerting or ok.</item>
/// </list>
/// Pure: the endpoint hands in the parsed JSON body (or null) and the form/query fields.
/// </summary>
public static class ExternalAlerts
{
    public const int MaxReasonLength = 500;

    public static ExternalAlert Read(string source, JsonElement? json, IReadOnlyDictionary<string, string> fields) => source switch
    {
        "pingdom" => Pingdom(json),
        "uptimerobot" => UptimeRobot(json, fields),
        "alertmanager" => Alertmanager(json),
        "grafana" => json is { } body && body.ValueKind == JsonValueKind.Object && body.TryGetProperty("alerts", out _) ? Alertmanager(json) : GrafanaLegacy(json),
        _ => new ExternalAlert(null, null),
    };

    private static ExternalAlert Pingdom(JsonElement? json)
    {
        var state = Text(json, "current_state")?.ToUpperInvariant();
        var reason = Text(json, "long_description") ?? Text(json, "description") ?? Text(json, "check_name");
        return state switch
        {
            "DOWN" => new(CheckOutcome.Down, Clip($"Pingdom: {reason ?? "down"}")),
            "UP" => new(CheckOutcome.Up, null),
            _ => new(null, null),
        };
    }

    private static ExternalAlert UptimeRobot(JsonElement? json, IReadOnlyDictionary<string, string> fields)
    {
        string? Field(string name) => fields.TryGetValue(name, out var value) ? value : Text(json, name);
        return Field("alertType") switch
        {
            "1" => new(CheckOutcome.Down, Clip($"UptimeRobot: {Field("alertDetails") ?? Field("alertTypeFriendlyName") ?? "down"}")),
            "2" => new(CheckOutcome.Up, null),
            _ => new(null, null),
        };
    }

    private static ExternalAlert Alertmanager(JsonElement? json)
    {
        if (json is not { ValueKind: JsonValueKind.Object } body || !body.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
            return new(null, null);
        var firing = alerts.EnumerateArray().FirstOrDefault(a => a.ValueKind == JsonValueKind.Object && Text(a, "status") == "firing");
        if (firing.ValueKind == JsonValueKind.Undefined)
            return Text(body, "status") == "resolved" || alerts.GetArrayLength() > 0 ? new(CheckOutcome.Up, null) : new(null, null);
        var annotations = firing.TryGetProperty("annotations", out var a) ? a : default;
        var labels = firing.TryGetProperty("labels", out var l) ? l : default;
        var reason = Text(annotations, "summary") ?? Text(annotations, "description") ?? Text(labels, "alertname") ?? Text(body, "title");
        return new(CheckOutcome.Down, Clip($"Alert firing: {reason ?? "unnamed alert"}"));
    }

    private static ExternalAlert GrafanaLegacy(JsonElement? json) => Text(json, "state") switch
    {
        "alerting" => new(CheckOutcome.Down, Clip($"Grafana: {Text(json, "ruleName") ?? Text(json, "title") ?? "alerting"}")),
        "ok" => new(CheckOutcome.Up, null),
        _ => new(null, null),
    };

    private static string? Text(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static string Clip(string text) => text.Length <= MaxReasonLength ? text : text[..MaxReasonLength];
}
