using System.Collections.Immutable;

namespace StatusPlatform.Incident.Incidents;

public sealed record AutomaticIncidentRegistered(string IncidentId, string ComponentId, DateTimeOffset OpenedAt);
public sealed record AutomaticIncidentJoined(string IncidentId, string ComponentId, DateTimeOffset JoinedAt);
public sealed record AutomaticIncidentClosed(string IncidentId, DateTimeOffset ClosedAt);

/// <summary>
/// The automatic incidents that are open, in one stream. Every automatic opening, joining and closing appends
/// here with an expected version, so two components failing at the same moment (folded by two consumers or two
/// instances) cannot both open an incident: the second conflicts, is retried, and joins the first.
/// </summary>
public sealed record AutomationLedger(ImmutableDictionary<string, DateTimeOffset> Open)
{
    public const string StreamId = "automation";

    public static AutomationLedger Create(AutomaticIncidentRegistered e) => new(ImmutableDictionary<string, DateTimeOffset>.Empty.Add(e.IncidentId, e.OpenedAt));

    public AutomationLedger Apply(AutomaticIncidentRegistered e) => this with { Open = Open.SetItem(e.IncidentId, e.OpenedAt) };

    public AutomationLedger Apply(AutomaticIncidentJoined e) => this;

    public AutomationLedger Apply(AutomaticIncidentClosed e) => this with { Open = Open.Remove(e.IncidentId) };

    /// <summary>The newest open automatic incident opened within <paramref name="window"/>: a new outage joins it.</summary>
    public string? Joinable(DateTimeOffset now, TimeSpan window) =>
        Open.Where(o => now - o.Value <= window).OrderByDescending(o => o.Value).Select(o => o.Key).FirstOrDefault();
}
