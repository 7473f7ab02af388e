using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using StatusPlatform.Contracts;

namespace StatusPlatform.StatusApi.AdminApi.Monitors;

/// <summary><c>{"monitor": {...}}</c>.</summary>
public sealed class MonitorEnvelope
{
    public MonitorFields? Monitor { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>
/// A monitor as the admin API reads and writes it: MonitorSpec's members in snake_case, with the kinds, defaults and rules of
/// the configuration file's monitors section. <c>target</c> is the url of an http monitor. Null: not given.
/// </summary>
public sealed class MonitorFields
{
    public string? Id { get; init; }
    public string? ComponentId { get; init; }
    public string? Kind { get; init; }
    public string? Target { get; init; }
    public string? Method { get; init; }
    public int? IntervalSeconds { get; init; }
    public int? TimeoutSeconds { get; init; }
    public int? FailureThreshold { get; init; }
    public int? SuccessThreshold { get; init; }
    public List<int>? ExpectedStatusCodes { get; init; }
    public CheckFields? Check { get; init; }
    public int? GraceSeconds { get; init; }
    public string? ExternalSource { get; init; }

    /// <summary>Heartbeat and external monitors: a new secret replaces the old one (shown once, in this answer).</summary>
    public bool? RotateToken { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

/// <summary>CheckSettings in snake_case; null members take the defaults.</summary>
public sealed class CheckFields
{
    public List<HeaderFields>? Headers { get; init; }
    public string? Body { get; init; }
    public bool? FollowRedirects { get; init; }
    public int? MaxRedirects { get; init; }
    public string? KeywordPresent { get; init; }
    public string? KeywordAbsent { get; init; }
    public List<string>? Conditions { get; init; }
    public int? DegradedAfterMs { get; init; }
    public bool? VerifyTls { get; init; }
    public int? CertificateMinDaysLeft { get; init; }
    public List<string>? ExpectedAddresses { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record HeaderFields(string? Name, string? Value);

/// <summary>Turns monitor bodies into MonitorSpecs and makes the secrets of pushed monitors.</summary>
public static class MonitorRequests
{
    /// <summary>How Incident.Service's field names read in a monitor body.</summary>
    public static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>
    {
        ["monitor_id"] = "id",
        ["push_token_sha256"] = "rotate_token",
    };

    /// <summary>For an existing monitor, a refusal naming it (defined in the configuration file) is about the monitor as a whole.</summary>
    public static readonly IReadOnlyDictionary<string, string> UpdateFields = new Dictionary<string, string>
    {
        ["monitor_id"] = "",
        ["push_token_sha256"] = "rotate_token",
    };

    /// <summary>Heartbeat and external monitors are pushed to: their URL carries a secret.</summary>
    public static bool IsPushed(string? kind) => kind?.Trim() is "heartbeat" or "external";

    /// <summary>
    /// 32 random bytes, base64url: 43 characters from [A-Za-z0-9_-], the alphabet and length range (24-128) the
    /// configuration file's tokens have, so both kinds of secret look alike in URLs.
    /// </summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>What the monitor stores and the receivers look up: SHA-256 of the token's UTF-8, lowercase hex.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The URL a job (heartbeat) or an alerting tool (external) sends to.</summary>
    public static string PushUrl(HttpRequest request, string kind, string? source, string token) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}" + (kind == "heartbeat"
            ? $"/api/heartbeat/{token}"
            : $"/api/webhooks/{Uri.EscapeDataString(source ?? "")}/{token}");

    /// <summary>Field errors for what the body holds that a monitor does not have.</summary>
    public static Dictionary<string, string[]> Shape(MonitorEnvelope envelope, bool creating)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (envelope.Monitor is not { } m)
        {
            errors["monitor"] = ["is required: send {\"monitor\": {\"component_id\": \"...\", \"kind\": \"http\", \"target\": \"https://...\"}}"];
            return errors;
        }
        foreach (var key in envelope.Other?.Keys ?? Enumerable.Empty<string>())
            errors[key] = ["is not understood here; the fields go inside \"monitor\""];
        foreach (var key in m.Other?.Keys ?? Enumerable.Empty<string>())
        {
            errors[$"monitor.{key}"] = [key switch
            {
                "url" => "is called target here (the url of an http monitor)",
                "token" or "push_token_sha256" => "is generated by StatusPlatform and shown once; send rotate_token: true for a new one",
                _ => "is not a field of a monitor",
            }];
        }
        foreach (var key in m.Check?.Other?.Keys ?? Enumerable.Empty<string>())
            errors[$"monitor.check.{key}"] = ["is not a setting of a check"];
        if (creating && m.RotateToken is not null)
            errors["monitor.rotate_token"] = ["is for changes: a new heartbeat or external monitor always gets a new secret"];
        return errors;
    }

    public static MonitorSpec ToSpec(MonitorFields m, string? tokenSha256) => new(
        m.ComponentId?.Trim() ?? "", m.Kind?.Trim() ?? "", m.Target ?? "", m.Method, m.IntervalSeconds, m.TimeoutSeconds, m.FailureThreshold,
        m.SuccessThreshold, m.ExpectedStatusCodes, ToCheck(m.Check), tokenSha256, m.GraceSeconds, m.ExternalSource);

    /// <summary>
    /// PATCH: the body's fields over the monitor's current ones. A body that changes the kind replaces the kind's settings
    /// rather than mixing two kinds (only the component carries over), as PUT does.
    /// </summary>
    public static MonitorFields Merge(MonitorFields body, MonitorFields current)
    {
        if (body.Kind is { } kind && kind.Trim() != current.Kind)
            return Copy(body, componentId: body.ComponentId ?? current.ComponentId);
        return new MonitorFields
        {
            ComponentId = body.ComponentId ?? current.ComponentId,
            Kind = body.Kind ?? current.Kind,
            Target = body.Target ?? current.Target,
            Method = body.Method ?? current.Method,
            IntervalSeconds = body.IntervalSeconds ?? current.IntervalSeconds,
            TimeoutSeconds = body.TimeoutSeconds ?? current.TimeoutSeconds,
            FailureThreshold = body.FailureThreshold ?? current.FailureThreshold,
            SuccessThreshold = body.SuccessThreshold ?? current.SuccessThreshold,
            ExpectedStatusCodes = body.ExpectedStatusCodes ?? current.ExpectedStatusCodes,
            Check = body.Check ?? current.Check,
            GraceSeconds = body.GraceSeconds ?? current.GraceSeconds,
            ExternalSource = body.ExternalSource ?? current.ExternalSource,
            RotateToken = body.RotateToken,
        };
    }

    private static MonitorFields Copy(MonitorFields m, string? componentId) => new()
    {
        ComponentId = componentId,
        Kind = m.Kind,
        Target = m.Target,
        Method = m.Method,
        IntervalSeconds = m.IntervalSeconds,
        TimeoutSeconds = m.TimeoutSeconds,
        FailureThreshold = m.FailureThreshold,
        SuccessThreshold = m.SuccessThreshold,
        ExpectedStatusCodes = m.ExpectedStatusCodes,
        Check = m.Check,
        GraceSeconds = m.GraceSeconds,
        ExternalSource = m.ExternalSource,
        RotateToken = m.RotateToken,
    };

    private static CheckSettings? ToCheck(CheckFields? c) => c is null ? null : new CheckSettings(
        c.Headers?.Select(h => new HttpHeader(h.Name ?? "", h.Value ?? "")).ToList(), c.Body, c.FollowRedirects ?? true,
        c.MaxRedirects ?? CheckSettings.DefaultMaxRedirects, c.KeywordPresent, c.KeywordAbsent, c.Conditions, c.DegradedAfterMs, c.VerifyTls ?? true,
        c.CertificateMinDaysLeft ?? CheckSettings.DefaultCertificateMinDaysLeft, c.ExpectedAddresses);
}
