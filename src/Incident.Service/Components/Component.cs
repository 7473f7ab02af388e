using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Components;

/// <summary>How a component (or group) is configured; the whole of it travels in the define/reconfigure events.</summary>
public sealed record ComponentSettings(
    string Name,
    string? Description,
    string? GroupId,
    int Position,
    bool IsGroup,
    bool Automation,
    string? Owner,
    bool Showcase,
    bool OnlyShowIfDegraded);

public sealed record ComponentDefined(string ComponentId, ComponentSettings Settings, DateTimeOffset DefinedAt);
public sealed record ComponentReconfigured(string ComponentId, ComponentSettings Settings, DateTimeOffset ReconfiguredAt);
public sealed record ComponentRemoved(string ComponentId, DateTimeOffset RemovedAt);
public sealed record ComponentStatusChanged(string ComponentId, string Name, string OldStatus, string NewStatus, string Cause, DateTimeOffset ChangedAt);
public sealed record AutomaticIncidentAttached(string ComponentId, string IncidentId, DateTimeOffset AttachedAt);
public sealed record AutomaticIncidentDetached(string ComponentId, string IncidentId, DateTimeOffset DetachedAt);

/// <summary>A component as its decisions need it: its settings, displayed status and the automatic incident it has open.</summary>
public sealed record Component(string Id, ComponentSettings Settings, string Status, string? AutomaticIncidentId, bool Removed)
{
    public static string StreamId(string componentId) => $"component-{componentId}";

    public static Component Create(ComponentDefined e) => new(e.ComponentId, e.Settings, ComponentStatus.Operational, null, false);

    public Component Apply(ComponentReconfigured e) => this with { Settings = e.Settings, Removed = false };

    public Component Apply(ComponentRemoved e) => this with { Removed = true };

    public Component Apply(ComponentStatusChanged e) => this with { Status = e.NewStatus };

    public Component Apply(AutomaticIncidentAttached e) => this with { AutomaticIncidentId = e.IncidentId };

    public Component Apply(AutomaticIncidentDetached e) => this with { AutomaticIncidentId = null };

    /// <summary>Configuration as code: the events that bring the stream to <paramref name="desired"/>; none when it is already there.</summary>
    public static IReadOnlyList<object> Decide(Component? state, string componentId, ComponentSettings desired, DateTimeOffset now) => state switch
    {
        null => [new ComponentDefined(componentId, desired, now)],
        { Removed: true } => [new ComponentReconfigured(componentId, desired, now)],
        _ when state.Settings != desired => [new ComponentReconfigured(componentId, desired, now)],
        _ => [],
    };
}
