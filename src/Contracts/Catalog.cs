namespace StatusPlatform.Contracts;

/// <summary>A probe asks Incident.Service for the monitors to run (request/response over the bus).</summary>
public sealed record GetMonitorCatalog(string ProbeInstance, string Region);

/// <summary>The monitors a probe should run; <see cref="Version"/> grows with every change of the catalog.</summary>
public sealed record MonitorCatalog(long Version, IReadOnlyList<MonitorDefinition> Monitors);

/// <summary>
/// One monitor as a probe needs it; timing values are in seconds. Kind is http, tcp, tls, dns or icmp, and
/// <see cref="Target"/> is an http(s) URL (http), host:port (tcp, tls) or a host name or address (dns, icmp).
/// <see cref="Check"/> came later and is optional, so that probes and Incident.Service of different versions
/// understand each other: null means every setting at its default.
/// </summary>
public sealed record MonitorDefinition(
    string MonitorId,
    string ComponentId,
    string Kind,
    string Target,
    string Method,
    int IntervalSeconds,
    int TimeoutSeconds,
    IReadOnlyList<int> ExpectedStatusCodes,
    CheckSettings? Check = null);

/// <summary>One request header an HTTP monitor sends.</summary>
public sealed record HttpHeader(string Name, string Value);

/// <summary>
/// How a check looks at its target beyond kind, target and timeout. Every member defaults to what a monitor without
/// the setting does; null lists mean empty. Conditions use the condition language (<c>[STATUS] == 200</c>).
/// </summary>
public sealed record CheckSettings(
    IReadOnlyList<HttpHeader>? Headers = null,
    string? Body = null,
    bool FollowRedirects = true,
    int MaxRedirects = CheckSettings.DefaultMaxRedirects,
    string? KeywordPresent = null,
    string? KeywordAbsent = null,
    IReadOnlyList<string>? Conditions = null,
    int? DegradedAfterMs = null,
    bool VerifyTls = true,
    int CertificateMinDaysLeft = CheckSettings.DefaultCertificateMinDaysLeft,
    IReadOnlyList<string>? ExpectedAddresses = null)
{
    public const int DefaultMaxRedirects = 10;
    public const int DefaultCertificateMinDaysLeft = 14;

    public static CheckSettings Default { get; } = new();

    // Records compare lists by reference, and every message or event brings new lists; compare their content.
    public bool Equals(CheckSettings? other) =>
        other is not null
        && (Body, FollowRedirects, MaxRedirects, KeywordPresent, KeywordAbsent, DegradedAfterMs, VerifyTls, CertificateMinDaysLeft)
            == (other.Body, other.FollowRedirects, other.MaxRedirects, other.KeywordPresent, other.KeywordAbsent, other.DegradedAfterMs, other.VerifyTls, other.CertificateMinDaysLeft)
        && (Headers ?? []).SequenceEqual(other.Headers ?? [])
        && (Conditions ?? []).SequenceEqual(other.Conditions ?? [], StringComparer.Ordinal)
        && (ExpectedAddresses ?? []).SequenceEqual(other.ExpectedAddresses ?? [], StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Body, FollowRedirects, KeywordPresent, DegradedAfterMs, VerifyTls);
}

/// <summary>The catalog changed; probes ask for it again.</summary>
public sealed record MonitorCatalogChanged(long Version, DateTimeOffset ChangedAt);
