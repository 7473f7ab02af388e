using System.Collections.Immutable;
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

/// <summary><see cref="ManagedBy"/>: "file" (the configuration file, the default of events written before it existed) or "api".</summary>
public sealed record ComponentDefined(string ComponentId, ComponentSettings Settings, DateTimeOffset DefinedAt, string ManagedBy = Component.File);
public sealed record ComponentReconfigured(string ComponentId, ComponentSettings Settings, DateTimeOffset ReconfiguredAt, string? ManagedBy = null);
public sealed record ComponentRemoved(string ComponentId, DateTimeOffset RemovedAt);
public sealed record ComponentStatusChanged(string ComponentId, string Name, string OldStatus, string NewStatus, string Cause, DateTimeOffset ChangedAt);
/// <summary>What the component's monitors say now (the fold's view, before incidents, maintenance and overrides blend in).</summary>
public sealed record ComponentMonitorStatusChanged(string ComponentId, string Status, DateTimeOffset ChangedAt);

/// <summary>A person's incident update set the component's status (null: the incident no longer sets one, e.g. resolved).</summary>
public sealed record ComponentIncidentStatusSet(string ComponentId, string IncidentId, string? Status, DateTimeOffset SetAt);

/// <summary>A person pinned the component's status by hand (null: the override is lifted).</summary>
public sealed record ComponentOverrideSet(string ComponentId, string? Status, string Actor, DateTimeOffset SetAt);

/// <summary>A maintenance window that covers the component started (Active) or ended.</summary>
public sealed record ComponentMaintenanceChanged(string ComponentId, string MaintenanceId, bool Active, DateTimeOffset ChangedAt);

public sealed record AutomaticIncidentAttached(string ComponentId, string IncidentId, DateTimeOffset AttachedAt);
public sealed record AutomaticIncidentDetached(string ComponentId, string IncidentId, DateTimeOffset DetachedAt);

/// <summary>
/// A component as its decisions need it: its settings, the displayed status, the automatic incident it has open, and the
/// sources the displayed status is blended from (<see cref="ComponentStatusRules.Displayed"/>).
/// </summary>
public sealed record Component(string Id, ComponentSettings Settings, string Status, string? AutomaticIncidentId, bool Removed)
{
    public const string File = "file";
    public const string Api = "api";

    /// <summary>Who owns the definition: the configuration file (applied at start, removes what it no longer lists) or the admin API.</summary>
    public string ManagedBy { get; init; } = File;

    public string MonitorStatus { get; init; } = ComponentStatus.Operational;

    /// <summary>Open incidents that set a status for this component, by incident id.</summary>
    public ImmutableDictionary<string, string> IncidentStatuses { get; init; } = ImmutableDictionary<string, string>.Empty;

    public string? Override { get; init; }

    public ImmutableHashSet<string> ActiveMaintenances { get; init; } = [];

    public bool InMaintenance => !ActiveMaintenances.IsEmpty;

    // Streams written before monitor status had its own event said it through ComponentStatusChanged("monitors").
    private bool MonitorStatusTracked { get; init; }

    public static string StreamId(string componentId) => $"component-{componentId}";

    public static Component Create(ComponentDefined e) => new(e.ComponentId, e.Settings, ComponentStatus.Operational, null, false) { ManagedBy = e.ManagedBy };

    public Component Apply(ComponentReconfigured e) => this with { Settings = e.Settings, Removed = false, ManagedBy = e.ManagedBy ?? ManagedBy };

    public Component Apply(ComponentRemoved e) => this with { Removed = true };

    public Component Apply(ComponentStatusChanged e) => this with
    {
        Status = e.NewStatus,
        MonitorStatus = e.Cause == "monitors" && !MonitorStatusTracked ? e.NewStatus : MonitorStatus,
    };

    public Component Apply(ComponentMonitorStatusChanged e) => this with { MonitorStatus = e.Status, MonitorStatusTracked = true };

    public Component Apply(ComponentIncidentStatusSet e) => this with
    {
        IncidentStatuses = e.Status is null ? IncidentStatuses.Remove(e.IncidentId) : IncidentStatuses.SetItem(e.IncidentId, e.Status),
    };

    public Component Apply(ComponentOverrideSet e) => this with { Override = e.Status };

    public Component Apply(ComponentMaintenanceChanged e) => this with
    {
        ActiveMaintenances = e.Active ? ActiveMaintenances.Add(e.MaintenanceId) : ActiveMaintenances.Remove(e.MaintenanceId),
    };

    public Component Apply(AutomaticIncidentAttached e) => this with { AutomaticIncidentId = e.IncidentId };

    public Component Apply(AutomaticIncidentDetached e) => this with { AutomaticIncidentId = null };

    /// <summary>The status the page shows, from the sources as they are now.</summary>
    public string Displayed => ComponentStatusRules.Displayed(MonitorStatus, IncidentStatuses.Values, Override, InMaintenance);

    /// <summary>
    /// The events that record a change of one source and, when the displayed status moves with it, the new displayed
    /// status. <paramref name="change"/> is one of the source events above.
    /// </summary>
    public IReadOnlyList<object> Change(object change, string cause, DateTimeOffset now)
    {
        var after = change switch
        {
            ComponentMonitorStatusChanged e => Apply(e),
            ComponentIncidentStatusSet e => Apply(e),
            ComponentOverrideSet e => Apply(e),
            ComponentMaintenanceChanged e => Apply(e),
            _ => throw new ArgumentException($"{change.GetType().Name} is not a status source event", nameof(change)),
        };
        return after.Displayed == Status ? [change] : [change, new ComponentStatusChanged(Id, Settings.Name, Status, after.Displayed, cause, now)];
    }

    /// <summary>Configuration as code: the events that bring the stream to <paramref name="desired"/>; none when it is already there.</summary>
    public static IReadOnlyList<object> Decide(Component? state, string componentId, ComponentSettings desired, DateTimeOffset now) => state switch
    {
        null => [new ComponentDefined(componentId, desired, now)],
        { Removed: true } => [new ComponentReconfigured(componentId, desired, now, File)],
        // A component the file names becomes the file's, even if the admin API created it.
        _ when state.Settings != desired || state.ManagedBy != File => [new ComponentReconfigured(componentId, desired, now, File)],
        _ => [],
    };
}
