using System.Net;
using System.Text.RegularExpressions;
using StatusPlatform.Probe.Checks.Conditions;

namespace StatusPlatform.Incident.Monitors;

/// <summary>
/// What a valid monitor is, whether it comes from the configuration file (CatalogFile.Monitors.cs, which adds the line
/// and column) or from a command (MonitorDecisions, which adds the field name): one set of rules, so the two cannot
/// drift. Each check returns the problem in words, or null when there is none. Pure.
/// </summary>
public static partial class MonitorRules
{
    /// <summary>What each kind of monitor reads besides the common settings, by the configuration file's key names.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> KindKeys = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["http"] = ["url", "method", "headers", "body", "follow_redirects", "max_redirects", "expected_status", "keyword", "keyword_absent",
            "json", "conditions", "degraded_after", "verify_tls"],
        ["tcp"] = ["target", "degraded_after"],
        ["tls"] = ["target", "verify_tls", "certificate_min_days"],
        ["dns"] = ["target", "expected_addresses", "degraded_after"],
        ["icmp"] = ["target", "degraded_after"],
        ["heartbeat"] = ["token", "token_env", "grace"],
        ["external"] = ["token", "token_env", "source"],
    };

    /// <summary>The alerting tools whose webhooks StatusApi understands (src/StatusApi/Receivers/ExternalAlerts.cs).</summary>
    public static readonly string[] ExternalSources = ["pingdom", "uptimerobot", "alertmanager", "grafana"];

    /// <summary>The settings pushed monitors do not have: the deadline or the sending tool is their flap guard.</summary>
    public static readonly string[] NotForPushed = ["timeout", "failure_threshold", "success_threshold"];

    public const int MaxSeconds = 86_400;
    public const int MaxThreshold = 100;
    public const int MaxRedirects = 50;
    public const int MaxCertificateMinDays = 3650;
    public const int DefaultFailureThreshold = 2;
    public const int DefaultSuccessThreshold = 1;
    public const int DefaultGraceSeconds = 60;

    // A heartbeat URL is a bearer secret: long enough not to be guessed, and only characters that survive a URL path.
    [GeneratedRegex("^[A-Za-z0-9_-]{24,128}$")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    // RFC 9110 token characters (header names and methods).
    [GeneratedRegex(@"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HttpTokenPattern();

    /// <summary>Heartbeat and external monitors are pushed to (StatusApi receives them); the others are probed.</summary>
    public static bool IsPushed(string kind) => kind is "heartbeat" or "external";

    /// <summary>The interval a monitor has when none is given: a minute for probes, five for pushed monitors.</summary>
    public static int DefaultInterval(string kind) => IsPushed(kind) ? 300 : 60;

    public static int DefaultTimeout(int interval) => Math.Min(10, interval);

    public static string? Kind(string kind) =>
        KindKeys.ContainsKey(kind) ? null : $"'{kind}' is not a supported monitor kind (supported: {string.Join(", ", KindKeys.Keys)})";

    /// <summary>Why a setting of another kind does not apply to <paramref name="kind"/> (<paramref name="key"/> by its file key name).</summary>
    public static string ForeignSetting(string key, string kind)
    {
        var kinds = KindKeys.Where(k => k.Value.Contains(key)).Select(k => k.Key).ToList();
        return kinds.Count > 0 ? $"applies to {string.Join(" and ", kinds)} monitors, not to kind {kind}" : "is not a monitor setting";
    }

    /// <summary>Whether <paramref name="key"/> (a file key name) is a setting of <paramref name="kind"/>.</summary>
    public static bool Applies(string key, string kind) => KindKeys.TryGetValue(kind, out var keys) && keys.Contains(key);

    public static string NotForPushedKind(string kind) => $"does not apply to {kind} monitors: " + (kind == "heartbeat"
        ? "the deadline (interval + grace) is their flap guard"
        : "the sending tool has already decided, each alert counts");

    public static string? Url(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? null : $"'{url}' is not an absolute http(s) URL";

    /// <summary>The target of a tcp, tls, dns or icmp monitor.</summary>
    public static string? Target(string kind, string target)
    {
        var valid = kind switch
        {
            // host:port, [::1]:443 for IPv6; a tls target without a port means 443.
            "tcp" or "tls" => Uri.TryCreate("tcp://" + target, UriKind.Absolute, out var uri) && uri.PathAndQuery == "/" && uri.UserInfo.Length == 0
                && !target.EndsWith('/') && uri.Fragment.Length == 0 && (uri.Port > 0 || kind == "tls") && Uri.CheckHostName(uri.IdnHost) != UriHostNameType.Unknown,
            "dns" => Uri.CheckHostName(target) == UriHostNameType.Dns,
            _ => Uri.CheckHostName(target) != UriHostNameType.Unknown,
        };
        return valid ? null : kind switch
        {
            "tcp" => $"'{target}' is not host:port, such as db.internal:5432 or [::1]:5432",
            "tls" => $"'{target}' is not host or host:port, such as example.org:443",
            "dns" => $"'{target}' is not a host name to resolve",
            _ => $"'{target}' is not a host name or IP address",
        };
    }

    /// <summary>An HTTP method, upper case (the caller upper-cases it first).</summary>
    public static string? Method(string method) => HttpTokenPattern().IsMatch(method) ? null : $"'{method}' is not an HTTP method";

    public static string? WholeNumber(int value, int min, int max) => value >= min && value <= max ? null : $"'{value}' is not a whole number from {min} to {max}";

    public static string? Seconds(int seconds) => seconds is >= 1 and <= MaxSeconds ? null : $"'{seconds}' s must be between 1 s and 24 h";

    public static string? Timeout(int timeout, int interval) =>
        timeout > interval ? $"the timeout ({timeout} s) must not exceed the interval ({interval} s)" : null;

    public static string? DegradedAfter(int milliseconds, int timeoutSeconds) =>
        milliseconds < 1 ? $"'{milliseconds}' ms is not a duration such as 500ms or 2s"
        : milliseconds >= timeoutSeconds * 1000L ? $"the degraded threshold ({milliseconds} ms) must be shorter than the timeout ({timeoutSeconds} s)"
        : null;

    public static string? HeaderName(string name) => HttpTokenPattern().IsMatch(name) ? null : $"'{name}' is not a valid header name";

    public static string? HeaderValue(string? value) => value is null || value.Contains('\r') || value.Contains('\n') ? "expected a single-line value" : null;

    public static string? StatusCode(int code) => code is >= 100 and <= 599 ? null : $"'{code}' is not an HTTP status code";

    /// <summary>An IP address, written the canonical way (2001:db8::10), or the problem.</summary>
    public static string? Address(string? text, out string canonical)
    {
        canonical = IPAddress.TryParse(text, out var address) ? address.ToString() : "";
        return canonical.Length > 0 ? null : $"'{text}' is not an IP address";
    }

    /// <summary>A condition of an http monitor: null when it parses, else the column (from 1) and the problem.</summary>
    public static (int Column, string Problem)? Condition(string text, string url)
    {
        try
        {
            if (Probe.Checks.Conditions.Condition.Parse(text).Subject == ConditionSubject.CertificateExpiration
                && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "https"))
                return (1, "[CERTIFICATE_EXPIRATION] needs an https url");
            return null;
        }
        catch (ConditionSyntaxException e)
        {
            return (e.Column, e.Problem);
        }
    }

    public static string? ExternalSource(string source) =>
        ExternalSources.Contains(source) ? null : $"'{source}' is not a supported alert source (supported: {string.Join(", ", ExternalSources)})";

    /// <summary>The secret of a pushed monitor, as the configuration file holds it.</summary>
    public static string? Token(string token) => TokenPattern().IsMatch(token)
        ? null
        : "the token must be 24 to 128 characters from A-Z, a-z, 0-9, '-' and '_' (e.g. `openssl rand -hex 20`)";

    /// <summary>The secret's SHA-256 as a command carries it (the secret itself never travels the bus).</summary>
    public static string? TokenSha256(string? hash) => hash is not null && Sha256Pattern().IsMatch(hash)
        ? null
        : "the SHA-256 of the secret, 64 lowercase hex characters (the secret itself is never sent)";

    public static string TokenTaken => "another monitor already uses this token";
}
