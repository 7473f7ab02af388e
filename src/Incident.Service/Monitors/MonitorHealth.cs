namespace StatusPlatform.Incident.Monitors;

/// <summary>What the fold concluded about a monitor as a whole, across its regions.</summary>
public enum MonitorHealth
{
    Up,
    Degraded,
    Down,
}

/// <summary>A quorum of regions saw the monitor fail; the evidence is what the page and the responders will want to see.</summary>
public sealed record MonitorWentDown(string MonitorId, string ComponentId, IReadOnlyList<string> Regions, string? Reason, int? StatusCode, DateTimeOffset WentDownAt);

/// <summary>A quorum of regions saw the monitor answer, but slower than its threshold (or another degraded result).</summary>
public sealed record MonitorDegraded(string MonitorId, string ComponentId, IReadOnlyList<string> Regions, string? Reason, DateTimeOffset DegradedAt);

public sealed record MonitorRecovered(string MonitorId, string ComponentId, IReadOnlyList<string> Regions, DateTimeOffset RecoveredAt);

public sealed partial record Monitor
{
    public bool IsDegraded { get; init; }

    public MonitorHealth Health => IsDown ? MonitorHealth.Down : IsDegraded ? MonitorHealth.Degraded : MonitorHealth.Up;

    public Monitor Apply(MonitorWentDown e) => this with { IsDown = true, IsDegraded = false };

    public Monitor Apply(MonitorDegraded e) => this with { IsDown = false, IsDegraded = true };

    public Monitor Apply(MonitorRecovered e) => this with { IsDown = false, IsDegraded = false };

    /// <summary>The event that records a change of health, or null when there is none.</summary>
    public object? Transition(MonitorHealth health, IReadOnlyList<string> regions, string? reason, int? statusCode, DateTimeOffset now) =>
        health == Health ? null : health switch
        {
            MonitorHealth.Down => new MonitorWentDown(Id, Settings.ComponentId, regions, reason, statusCode, now),
            MonitorHealth.Degraded => new MonitorDegraded(Id, Settings.ComponentId, regions, reason, now),
            _ => new MonitorRecovered(Id, Settings.ComponentId, regions, now),
        };
}
