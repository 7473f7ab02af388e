using System.Security.Cryptography;
using System.Text;
using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Monitors;

/// <summary>
/// How a monitor is configured. Durations in seconds; thresholds count consecutive results per region. <see cref="Check"/>
/// holds what the kind of check looks at (the probe's own contract record, stored as is); null when every setting is at
/// its default, which is also what events written before it existed read back as.
/// </summary>
public sealed record MonitorSettings(
    string ComponentId,
    string Kind,
    string Target,
    string Method,
    int IntervalSeconds,
    int TimeoutSeconds,
    int FailureThreshold,
    int SuccessThreshold,
    IReadOnlyList<int> ExpectedStatusCodes,
    CheckSettings? Check = null,
    HeartbeatSettings? Heartbeat = null,
    ExternalSettings? External = null)
{
    /// <summary>The hash of the secret a heartbeat or external monitor is pushed to with; null for probed monitors.</summary>
    public string? PushTokenSha256 => Heartbeat?.TokenSha256 ?? External?.TokenSha256;

    // Records compare lists by reference; configuration comparison must compare their content. A null Check and one
    // with every default are the same configuration, so an upgrade alone never reconfigures a monitor.
    public bool Equals(MonitorSettings? other) =>
        other is not null && (ComponentId, Kind, Target, Method, IntervalSeconds, TimeoutSeconds, FailureThreshold, SuccessThreshold)
            == (other.ComponentId, other.Kind, other.Target, other.Method, other.IntervalSeconds, other.TimeoutSeconds, other.FailureThreshold, other.SuccessThreshold)
        && ExpectedStatusCodes.SequenceEqual(other.ExpectedStatusCodes)
        && (Check ?? CheckSettings.Default).Equals(other.Check ?? CheckSettings.Default)
        && Heartbeat == other.Heartbeat && External == other.External;

    public override int GetHashCode() => HashCode.Combine(ComponentId, Target, IntervalSeconds);
}

/// <summary>
/// A push monitor's secret, as its SHA-256 in lowercase hex (StatusApi hashes what a job sends and looks the hash up),
/// and how long after the interval a ping may be late before the monitor counts as down.
/// </summary>
public sealed record HeartbeatSettings(string TokenSha256, int GraceSeconds)
{
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>An external monitor: which tool's alert webhooks feed it (pingdom, uptimerobot, alertmanager, grafana), and its secret's SHA-256.</summary>
public sealed record ExternalSettings(string Source, string TokenSha256);

/// <summary><see cref="ManagedBy"/>: "file" (the configuration file, the default of events written before it existed) or "api".</summary>
public sealed record MonitorDefined(string MonitorId, MonitorSettings Settings, DateTimeOffset DefinedAt, string ManagedBy = Monitor.File);
/// <summary>A null <see cref="ManagedBy"/> leaves the owner as it was.</summary>
public sealed record MonitorReconfigured(string MonitorId, MonitorSettings Settings, DateTimeOffset ReconfiguredAt, string? ManagedBy = null);
public sealed record MonitorRemoved(string MonitorId, DateTimeOffset RemovedAt);

/// <summary>A monitor's configuration and, in MonitorHealth.cs, what the fold last concluded about it.</summary>
public sealed partial record Monitor(string Id, MonitorSettings Settings, bool IsDown, bool Removed)
{
    /// <summary>Since when the monitor has existed (again): a heartbeat monitor that never got a ping is late from here on.</summary>
    public DateTimeOffset Since { get; init; }

    public const string File = "file";
    public const string Api = "api";

    /// <summary>Who owns the definition: the configuration file (applied at start, removes what it no longer lists) or the admin API.</summary>
    public string ManagedBy { get; init; } = File;

    public static string StreamId(string monitorId) => $"monitor-{monitorId}";

    public static Monitor Create(MonitorDefined e) => new(e.MonitorId, e.Settings, false, false) { Since = e.DefinedAt, ManagedBy = e.ManagedBy };

    public Monitor Apply(MonitorReconfigured e) => this with
    {
        Settings = e.Settings,
        Removed = false,
        Since = Removed ? e.ReconfiguredAt : Since,
        ManagedBy = e.ManagedBy ?? ManagedBy,
    };

    public Monitor Apply(MonitorRemoved e) => this with { Removed = true, IsDown = false, IsDegraded = false };

    /// <summary>Configuration as code: the events that bring the stream to <paramref name="desired"/>; none when it is already there.</summary>
    public static IReadOnlyList<object> Decide(Monitor? state, string monitorId, MonitorSettings desired, DateTimeOffset now) => state switch
    {
        null => [new MonitorDefined(monitorId, desired, now)],
        { Removed: true } => [new MonitorReconfigured(monitorId, desired, now, File)],
        // A monitor the file names becomes the file's, even if the admin API created it (as components do).
        _ when !state.Settings.Equals(desired) || state.ManagedBy != File => [new MonitorReconfigured(monitorId, desired, now, File)],
        _ => [],
    };
}
