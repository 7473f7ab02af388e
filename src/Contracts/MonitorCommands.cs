namespace StatusPlatform.Contracts;

// Monitors and page settings written through the admin API (and the console), answered like every command (Commands.cs).
// Monitors the configuration file defines stay the file's, as components do: changing or deleting one here is refused.

/// <summary>
/// What a monitor checks, with the same kinds, meanings, defaults and rules as the configuration file's monitors section
/// (http, tcp, tls, dns, icmp, heartbeat, external). <see cref="Target"/> is the url of an http monitor and the target of
/// the others. Timing values in seconds; null takes the file's default for the kind (interval 60 s, or 300 s for pushed
/// monitors; timeout min(10 s, interval); thresholds 2 and 1; method GET). A setting that does not apply to the kind is
/// refused, as the file refuses a key of another kind: method, expected status codes and the http members of
/// <see cref="Check"/> belong to http; timeout and thresholds not to heartbeat and external monitors. For heartbeat and
/// external monitors the caller generates the secret, shows it once and sends only its SHA-256 (lowercase hex) in
/// <see cref="PushTokenSha256"/>: the secret never travels the bus or reaches the event store. <see cref="GraceSeconds"/>
/// applies to heartbeat, <see cref="ExternalSource"/> (pingdom, uptimerobot, alertmanager, grafana) to external monitors.
/// Field errors name the members in snake_case (interval_seconds, check.degraded_after_ms, check.headers[0], ...).
/// </summary>
public sealed record MonitorSpec(
    string ComponentId,
    string Kind,
    string Target = "",
    string? Method = null,
    int? IntervalSeconds = null,
    int? TimeoutSeconds = null,
    int? FailureThreshold = null,
    int? SuccessThreshold = null,
    IReadOnlyList<int>? ExpectedStatusCodes = null,
    CheckSettings? Check = null,
    string? PushTokenSha256 = null,
    int? GraceSeconds = null,
    string? ExternalSource = null);

/// <summary>Creates a monitor; the id is chosen by the caller or derived from the request.</summary>
public sealed record CreateMonitor(string Actor, MonitorSpec Monitor, string? MonitorId = null);

/// <summary>Replaces an API-managed monitor's settings. A null <see cref="MonitorSpec.PushTokenSha256"/> keeps the current secret.</summary>
public sealed record UpdateMonitor(string Actor, string MonitorId, MonitorSpec Monitor, long? ExpectedVersion = null);

public sealed record DeleteMonitor(string Actor, string MonitorId, long? ExpectedVersion = null);

/// <summary>
/// Changes the page settings and branding (null: unchanged; "" clears an optional one). Once changed here, the page is
/// managed through the admin API and the configuration file's page section no longer applies (start-up logs that).
/// <see cref="TimeZone"/> is an IANA name; colours are CSS hex colours (#rgb or #rrggbb); <see cref="CustomCss"/> must not
/// contain '&lt;'.
/// </summary>
public sealed record UpdatePageSettings(
    string Actor,
    string? Name = null,
    string? Url = null,
    string? TimeZone = null,
    string? LogoUrl = null,
    string? AccentColor = null,
    string? AccentColorDark = null,
    string? CustomCss = null,
    long? ExpectedVersion = null);
