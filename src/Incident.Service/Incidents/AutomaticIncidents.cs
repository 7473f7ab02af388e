using StatusPlatform.Contracts;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Monitors;
using ComponentStatusChanged = StatusPlatform.Incident.Components.ComponentStatusChanged;

namespace StatusPlatform.Incident.Incidents;

/// <summary>The events one outage decision appends, by stream.</summary>
public sealed record OutageDecision(IReadOnlyList<object> ComponentEvents, string? IncidentStreamId, IReadOnlyList<object> IncidentEvents,
    IReadOnlyList<object> LedgerEvents)
{
    public static readonly OutageDecision None = new([], null, [], []);
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

    /// <param name="attached">The automatic incident this component is part of, if any.</param>
    /// <param name="joinable">An open automatic incident opened moments ago for other components, if any: an outage
    /// starting now joins it instead of opening a second incident for what is probably one cause.</param>
    public static OutageDecision Decide(Component component, IReadOnlyCollection<MonitorHealth> monitors, Incident? attached, Incident? joinable,
        DateTimeOffset now, Func<string> newId)
    {
        var status = MonitorStatus(monitors);
        if (status == component.Status)
            return OutageDecision.None;

        var name = component.Settings.Name;
        var statusChanged = new ComponentStatusChanged(component.Id, name, component.Status, status, "monitors", now);
        var change = new IncidentComponent(component.Id, name, component.Status, status);
        var isOutage = status is ComponentStatus.MajorOutage or ComponentStatus.PartialOutage;

        if (isOutage && component.Settings.Automation && component.AutomaticIncidentId is null)
        {
            if (joinable is { IsResolved: false })
            {
                var components = With(joinable.Components, change);
                var joined = new IncidentUpdated(joinable.Id, newId(), joinable.Name, joinable.Status, ImpactOf(Worst(components)),
                    $"We are also investigating reports of problems with {name}.", components, Actor, now);
                return new OutageDecision([statusChanged, new AutomaticIncidentAttached(component.Id, joinable.Id, now)],
                    Incident.StreamId(joinable.Id), [joined], [new AutomaticIncidentJoined(joinable.Id, component.Id, now)]);
            }
            var incidentId = newId();
            var opened = new IncidentOpened(incidentId, newId(),
                Name: status == ComponentStatus.MajorOutage ? $"{name} is unavailable" : $"{name} is partially unavailable",
                Status: IncidentStatus.Investigating,
                Impact: ImpactOf(status),
                Body: $"We are investigating reports of problems with {name}.",
                Components: [change], Automatic: true, OpenedBy: Actor, OpenedAt: now);
            return new OutageDecision([statusChanged, new AutomaticIncidentAttached(component.Id, incidentId, now)],
                Incident.StreamId(incidentId), [opened], [new AutomaticIncidentRegistered(incidentId, component.Id, now)]);
        }

        if (status == ComponentStatus.Operational && component.AutomaticIncidentId is { } openId && attached is { IsResolved: false })
        {
            var components = With(attached.Components, change);
            var detached = new AutomaticIncidentDetached(component.Id, openId, now);
            var stillFailing = components.Where(c => c.NewStatus != ComponentStatus.Operational).Select(c => c.Name).ToList();
            if (stillFailing.Count > 0)
            {
                var partly = new IncidentUpdated(openId, newId(), attached.Name, attached.Status, ImpactOf(Worst(components)),
                    $"{name} is operational again. We are still investigating problems with {string.Join(", ", stillFailing)}.", components, Actor, now);
                return new OutageDecision([statusChanged, detached], Incident.StreamId(openId), [partly], []);
            }
            var resolved = new IncidentResolved(openId, newId(), attached.Name,
                Body: components.Count == 1
                    ? $"{name} is operational again. This incident has been resolved."
                    : $"{string.Join(", ", components.Select(c => c.Name))} are operational again. This incident has been resolved.",
                Components: components, Automatic: true, ResolvedBy: Actor, ResolvedAt: now);
            return new OutageDecision([statusChanged, detached], Incident.StreamId(openId), [resolved], [new AutomaticIncidentClosed(openId, now)]);
        }

        return new OutageDecision([statusChanged], null, [], []);
    }

    /// <summary>The incident's components with <paramref name="change"/> recorded (added, or replacing the component's entry).</summary>
    private static List<IncidentComponent> With(IReadOnlyList<IncidentComponent> components, IncidentComponent change) =>
        [.. components.Where(c => c.ComponentId != change.ComponentId), change];

    private static readonly string[] Severity =
        [ComponentStatus.Operational, ComponentStatus.UnderMaintenance, ComponentStatus.DegradedPerformance, ComponentStatus.PartialOutage, ComponentStatus.MajorOutage];

    private static string Worst(IEnumerable<IncidentComponent> components) =>
        components.Select(c => c.NewStatus).MaxBy(s => Array.IndexOf(Severity, s)) ?? ComponentStatus.Operational;
}
