using StatusPlatform.Contracts;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Monitors;
using ComponentStatusChanged = StatusPlatform.Incident.Components.ComponentStatusChanged;

namespace StatusPlatform.Incident.Incidents;

/// <summary>The events one outage decision appends, by stream.</summary>
public sealed record OutageDecision(IReadOnlyList<object> ComponentEvents, string? IncidentStreamId, IReadOnlyList<object> IncidentEvents)
{
    public static readonly OutageDecision None = new([], null, []);
}

/// <summary>
/// From monitor states to component status and the automatic incident (ARCHITECTURE.md section 5). Pure: the
/// caller passes the time and the ids, so the tests need no clock and no database.
/// </summary>
public static class AutomaticIncidents
{
    public const string Actor = "automation";

    /// <summary>
    /// All monitors down: major outage; some down: partial outage; none down but some slow: degraded
    /// performance; otherwise (or with no monitors) operational.
    /// </summary>
    public static string MonitorStatus(IReadOnlyCollection<MonitorHealth> monitors) =>
        monitors.Count(h => h == MonitorHealth.Down) switch
        {
            0 when monitors.Contains(MonitorHealth.Degraded) => ComponentStatus.DegradedPerformance,
            0 => ComponentStatus.Operational,
            var down when down == monitors.Count => ComponentStatus.MajorOutage,
            _ => ComponentStatus.PartialOutage,
        };

    public static string ImpactOf(string componentStatus) => componentStatus switch
    {
        ComponentStatus.MajorOutage => IncidentImpact.Critical,
        ComponentStatus.PartialOutage => IncidentImpact.Major,
        ComponentStatus.DegradedPerformance => IncidentImpact.Minor,
        _ => IncidentImpact.None,
    };

    public static OutageDecision Decide(Component component, IReadOnlyCollection<MonitorHealth> monitors, Incident? automaticIncident,
        DateTimeOffset now, Func<string> newId)
    {
        var status = MonitorStatus(monitors);
        if (status == component.Status)
            return OutageDecision.None;

        var name = component.Settings.Name;
        var componentEvents = new List<object> { new ComponentStatusChanged(component.Id, name, component.Status, status, "monitors", now) };
        var change = new IncidentComponent(component.Id, name, component.Status, status);
        var isOutage = status is ComponentStatus.MajorOutage or ComponentStatus.PartialOutage;

        if (isOutage && component.Settings.Automation && component.AutomaticIncidentId is null)
        {
            var incidentId = newId();
            componentEvents.Add(new AutomaticIncidentAttached(component.Id, incidentId, now));
            var opened = new IncidentOpened(incidentId, newId(),
                Name: status == ComponentStatus.MajorOutage ? $"{name} is unavailable" : $"{name} is partially unavailable",
                Status: IncidentStatus.Investigating,
                Impact: ImpactOf(status),
                Body: $"We are investigating reports of problems with {name}.",
                Components: [change], Automatic: true, OpenedBy: Actor, OpenedAt: now);
            return new OutageDecision(componentEvents, Incident.StreamId(incidentId), [opened]);
        }

        if (status == ComponentStatus.Operational && component.AutomaticIncidentId is { } openId && automaticIncident is { IsResolved: false })
        {
            componentEvents.Add(new AutomaticIncidentDetached(component.Id, openId, now));
            var resolved = new IncidentResolved(openId, newId(), automaticIncident.Name,
                Body: $"{name} is operational again. This incident has been resolved.",
                Components: [change], Automatic: true, ResolvedBy: Actor, ResolvedAt: now);
            return new OutageDecision(componentEvents, Incident.StreamId(openId), [resolved]);
        }

        return new OutageDecision(componentEvents, null, []);
    }
}
