using System.Globalization;
using System.Text.Json;
using StatusPlatform.Contracts;
using StatusPlatform.StatusApi.Console.Reading;

namespace StatusPlatform.StatusApi.Console.Pages;

/// <summary>
/// The monitor form as typed. Every input is named like the MonitorSpec member it fills (snake_case, check.* for the check
/// settings), which are also the names Incident.Service's refusals use, so each error lands next to its input. An empty
/// input is "not given" (the kind's default); what does not apply to the kind is refused by Incident.Service, by name.
/// </summary>
public sealed record MonitorForm(
    string Id, string ComponentId, string Kind, string Target, string Method, string IntervalSeconds, string TimeoutSeconds, string FailureThreshold,
    string SuccessThreshold, string ExpectedStatusCodes, string Headers, string Body, bool NoRedirects, string MaxRedirects, string KeywordPresent,
    string KeywordAbsent, string Conditions, string DegradedAfterMs, bool NoTlsVerify, string CertificateMinDaysLeft, string ExpectedAddresses,
    string GraceSeconds, string ExternalSource, bool RotateToken, long Version)
{
    public static readonly string[] Kinds = ["http", "tcp", "tls", "dns", "icmp", "heartbeat", "external"];

    public static readonly string[] ExternalSources = ["pingdom", "uptimerobot", "alertmanager", "grafana"];

    public static MonitorForm New(string componentId) =>
        new("", componentId, "http", "", "", "", "", "", "", "", "", "", false, "", "", "", "", "", false, "", "", "", "", false, 0);

    public static MonitorForm From(IFormCollection form) => new(
        form["monitor_id"].ToString().Trim(), form["component_id"].ToString().Trim(), form["kind"].ToString().Trim(), form["target"].ToString().Trim(),
        form["method"].ToString().Trim(), form["interval_seconds"].ToString().Trim(), form["timeout_seconds"].ToString().Trim(),
        form["failure_threshold"].ToString().Trim(), form["success_threshold"].ToString().Trim(), form["expected_status_codes"].ToString().Trim(),
        form["check.headers"].ToString(), form["check.body"].ToString(), form["check.no_redirects"] == "true", form["check.max_redirects"].ToString().Trim(),
        form["check.keyword_present"].ToString(), form["check.keyword_absent"].ToString(), form["check.conditions"].ToString(),
        form["check.degraded_after_ms"].ToString().Trim(), form["check.no_tls_verify"] == "true", form["check.certificate_min_days_left"].ToString().Trim(),
        form["check.expected_addresses"].ToString().Trim(), form["grace_seconds"].ToString().Trim(), form["external_source"].ToString().Trim(),
        form["rotate_token"] == "true", long.TryParse(form["version"], CultureInfo.InvariantCulture, out var version) ? version : 0);

    /// <summary>The form of an existing monitor, from the settings the read model holds (the admin API's snake_case shape).</summary>
    public static MonitorForm Of(CatalogMonitor monitor)
    {
        var s = monitor.Settings;
        var check = s.TryGetProperty("check", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        string Text(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind switch { JsonValueKind.String => v.GetString()!, JsonValueKind.Number => v.GetRawText(), _ => "" }
            : "";
        bool Flag(JsonElement e, string name, bool otherwise) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.True || (v.ValueKind != JsonValueKind.False && otherwise)
            : otherwise;
        IEnumerable<JsonElement> List(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];
        var maxRedirects = Text(check, "max_redirects");
        var minDays = Text(check, "certificate_min_days_left");
        return new MonitorForm(monitor.Id, monitor.ComponentId, monitor.Kind, Text(s, "target"), Text(s, "method"), Text(s, "interval_seconds"),
            Text(s, "timeout_seconds"), Text(s, "failure_threshold"), Text(s, "success_threshold"),
            string.Join(", ", List(s, "expected_status_codes").Select(v => v.GetRawText())),
            string.Join("\n", List(check, "headers").Select(h => $"{Text(h, "name")}: {Text(h, "value")}")), Text(check, "body"),
            !Flag(check, "follow_redirects", true), maxRedirects == CheckSettings.DefaultMaxRedirects.ToString(CultureInfo.InvariantCulture) ? "" : maxRedirects,
            Text(check, "keyword_present"), Text(check, "keyword_absent"),
            string.Join("\n", List(check, "conditions").Select(v => v.GetString())), Text(check, "degraded_after_ms"), !Flag(check, "verify_tls", true),
            minDays == CheckSettings.DefaultCertificateMinDaysLeft.ToString(CultureInfo.InvariantCulture) ? "" : minDays,
            string.Join(", ", List(check, "expected_addresses").Select(v => v.GetString())), Text(s, "grace_seconds"), Text(s, "external_source"), false,
            monitor.Version);
    }

    public bool IsPushed => Kind is "heartbeat" or "external";

    /// <summary>The MonitorSpec the form asks for, or field errors for what is not even a number or a list.</summary>
    public MonitorSpec? ToSpec(string? pushTokenSha256, Dictionary<string, string[]> errors)
    {
        int? Number(string raw, string field)
        {
            if (raw.Length == 0)
                return null;
            if (int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                return n;
            errors[field] = [$"'{raw}' is not a whole number"];
            return null;
        }
        if (ComponentId.Length == 0)
            errors["component_id"] = ["is required: the component whose status this monitor decides"];
        var codes = new List<int>();
        foreach (var part in ExpectedStatusCodes.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
                codes.Add(code);
            else
                errors["expected_status_codes"] = [$"'{part}' is not a status code; list them like 200, 204"];
        }
        var headers = new List<HttpHeader>();
        foreach (var (line, i) in Lines(Headers).Select((l, i) => (l, i)))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                errors[$"check.headers[{i}]"] = [$"'{line}' is not a header: write one per line as Name: value"];
            else
                headers.Add(new HttpHeader(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        var check = new CheckSettings(headers.Count == 0 ? null : headers, Body.Length == 0 ? null : Body, !NoRedirects,
            Number(MaxRedirects, "check.max_redirects") ?? CheckSettings.DefaultMaxRedirects, Empty(KeywordPresent), Empty(KeywordAbsent),
            Lines(Conditions) is { Count: > 0 } conditions ? conditions : null, Number(DegradedAfterMs, "check.degraded_after_ms"), !NoTlsVerify,
            Number(CertificateMinDaysLeft, "check.certificate_min_days_left") ?? CheckSettings.DefaultCertificateMinDaysLeft,
            ExpectedAddresses.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } addresses ? addresses : null);
        var spec = new MonitorSpec(ComponentId, Kind, Target, Empty(Method), Number(IntervalSeconds, "interval_seconds"), Number(TimeoutSeconds, "timeout_seconds"),
            Number(FailureThreshold, "failure_threshold"), Number(SuccessThreshold, "success_threshold"), codes.Count == 0 ? null : codes,
            // Settings all at their defaults are no settings: a kind they do not apply to would refuse them.
            check.Equals(CheckSettings.Default) ? null : check, pushTokenSha256, Number(GraceSeconds, "grace_seconds"), Empty(ExternalSource));
        return errors.Count == 0 ? spec : null;
    }

    private static string? Empty(string value) => value.Trim().Length == 0 ? null : value.Trim();

    private static List<string> Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
