using StatusPlatform.Contracts;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Monitors;

namespace StatusPlatform.Incident.Incidents;

/// <summary>The events one outage decision appends, by stream.</summary>
public sealed record OutageDecision(IReadOnlyList<object> ComponentEvents, string? IncidentStreamId, IReadOnlyList<object> IncidentEvents,
    IReadOnlyList<object> LedgerEvents)
{
    public static readonly OutageDecision None = new([], null, [], []);
}

/// <summary>The events that components leaving a maintenance append, by component and for the incident and the ledger.</summary>
public sealed record MaintenanceEndDecision(IReadOnlyDictionary<string, IReadOnlyList<object>> ComponentEvents, string? IncidentStreamId,
    IReadOnlyList<object> IncidentEvents, IReadOnlyList<object> LedgerEvents)
{
    public static readonly MaintenanceEndDecision None = new(new Dictionary<string, IReadOnlyList<object>>(), null, [], []);
}

/// <summary>
/// From monitor states to component status and the automatic incident (ARCHITECTURE.md section 5). Pure: the
/// caller passes the time and the ids, so the tests need no clock and no database.
/// </summary>
public static class AutomaticIncidents
{
    public const string Actor = "automation";

    /// <summary>Outages that start within this window of an open automatic incident join it (Incidents:GroupingWindowSeconds, default 300).</summary>
    public static TimeSpan GroupingWindow(IConfiguration configuration) => TimeSpan.FromSeconds(configuration.GetValue("Incidents:GroupingWindowSeconds", 300));

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
        if (status == component.MonitorStatus)
            return OutageDecision.None;

        var name = component.Settings.Name;
        // The monitors are one source of the displayed status; the change says so and, if the page moves, how.
        var statusEvents = component.Change(new ComponentMonitorStatusChanged(component.Id, status, now), "monitors", now);
        var change = new IncidentComponent(component.Id, name, component.MonitorStatus, status);
        var isOutage = status is ComponentStatus.MajorOutage or ComponentStatus.PartialOutage;

        // During maintenance failures are expected: the status records them, no incident opens (ARCHITECTURE.md section 5).
        if (isOutage && component.Settings.Automation && component.AutomaticIncidentId is null && !component.InMaintenance)
        {
            if (joinable is { IsResolved: false, TakenOver: false })
            {
                var components = With(joinable.Components, change);
                var joined = new IncidentUpdated(joinable.Id, newId(), joinable.Name, joinable.Status, joinable.ImpactOverride ?? ImpactOf(Worst(components)),
                    $"We are also investigating reports of problems with {name}.", components, Actor, now);
                return new OutageDecision([.. statusEvents, new AutomaticIncidentAttached(component.Id, joinable.Id, now)],
                    Incident.StreamId(joinable.Id), [joined], [new AutomaticIncidentJoined(joinable.Id, component.Id, now)]);
            }
            var incidentId = newId();
            var opened = new IncidentOpened(incidentId, newId(),
                Name: status == ComponentStatus.MajorOutage ? $"{name} is unavailable" : $"{name} is partially unavailable",
                Status: IncidentStatus.Investigating,
                Impact: ImpactOf(status),
                Body: $"We are investigating reports of problems with {name}.",
                Components: [change], Automatic: true, OpenedBy: Actor, OpenedAt: now);
            return new OutageDecision([.. statusEvents, new AutomaticIncidentAttached(component.Id, incidentId, now)],
                Incident.StreamId(incidentId), [opened], [new AutomaticIncidentRegistered(incidentId, component.Id, now)]);
        }

        if (status == ComponentStatus.Operational && component.AutomaticIncidentId is { } openId && attached is { IsResolved: false })
        {
            var components = With(attached.Components, change);
            var detached = new AutomaticIncidentDetached(component.Id, openId, now);
            var stillFailing = components.Where(c => c.NewStatus != ComponentStatus.Operational).Select(c => c.Name).ToList();
            var impact = attached.ImpactOverride ?? ImpactOf(Worst(components));
            if (attached.TakenOver)
            {
                // A person is handling it: say what the monitors see and leave the resolve to them.
                var observed = new IncidentUpdated(openId, newId(), attached.Name, attached.Status, impact,
                    $"Monitoring reports that {name} is operational again.", components, Actor, now);
                return new OutageDecision([.. statusEvents, detached], Incident.StreamId(openId), [observed],
                    stillFailing.Count == 0 ? [new AutomaticIncidentClosed(openId, now)] : []);
            }
            if (stillFailing.Count > 0)
            {
                var partly = new IncidentUpdated(openId, newId(), attached.Name, attached.Status, impact,
                    $"{name} is operational again. We are still investigating problems with {string.Join(", ", stillFailing)}.", components, Actor, now);
                return new OutageDecision([.. statusEvents, detached], Incident.StreamId(openId), [partly], []);
            }
            var resolved = new IncidentResolved(openId, newId(), attached.Name,
                Body: components.Count == 1
                    ? $"{name} is operational again. This incident has been resolved."
                    : $"{string.Join(", ", components.Select(c => c.Name))} are operational again. This incident has been resolved.",
                Components: components, Automatic: true, ResolvedBy: Actor, ResolvedAt: now, Impact: attached.Impact);
            return new OutageDecision([.. statusEvents, detached], Incident.StreamId(openId), [resolved], [new AutomaticIncidentClosed(openId, now)]);
        }

        return new OutageDecision(statusEvents, null, [], []);
    }

    /// <summary>
    /// A maintenance ended (completed or cancelled) and <paramref name="components"/> left it (their state with the end
    /// applied). Their failures during the window opened no incident on purpose; the components whose monitors still report
    /// an outage now get one, all of them in one incident (or joining <paramref name="joinable"/>, an automatic incident
    /// opened moments ago), as if they had failed together at this moment. Components still in another maintenance,
    /// without automation, or already in an automatic incident are left alone.
    /// </summary>
    public static MaintenanceEndDecision AfterMaintenance(IReadOnlyList<Component> components, Incident? joinable, DateTimeOffset now, Func<string> newId)
    {
        var failing = components.Where(c => !c.Removed && !c.InMaintenance && !c.Settings.IsGroup && c.Settings.Automation && c.AutomaticIncidentId is null
            && c.MonitorStatus is ComponentStatus.MajorOutage or ComponentStatus.PartialOutage).ToList();
        if (failing.Count == 0)
            return MaintenanceEndDecision.None;
        // The page showed the component's own status until now (under maintenance, or what an incident set); it shows the monitors' from here.
        var changes = failing.Select(c => new IncidentComponent(c.Id, c.Settings.Name, c.Status, c.MonitorStatus)).ToList();
        var names = Names(failing.Select(c => c.Settings.Name).ToList());

        if (joinable is { IsResolved: false, TakenOver: false })
        {
            var joinedComponents = changes.Aggregate(joinable.Components.ToList(), With);
            var joined = new IncidentUpdated(joinable.Id, newId(), joinable.Name, joinable.Status, joinable.ImpactOverride ?? ImpactOf(Worst(joinedComponents)),
                $"We are also investigating reports of problems with {names}.", joinedComponents, Actor, now);
            return new MaintenanceEndDecision(
                failing.ToDictionary(c => c.Id, c => (IReadOnlyList<object>)[new AutomaticIncidentAttached(c.Id, joinable.Id, now)], StringComparer.Ordinal),
                Incident.StreamId(joinable.Id), [joined], [.. failing.Select(c => new AutomaticIncidentJoined(joinable.Id, c.Id, now))]);
        }

        var incidentId = newId();
        var worst = Worst(changes);
        var opened = new IncidentOpened(incidentId, newId(),
            Name: $"{names} {(failing.Count == 1 ? "is" : "are")} {(worst == ComponentStatus.MajorOutage ? "unavailable" : "partially unavailable")}",
            Status: IncidentStatus.Investigating,
            Impact: ImpactOf(worst),
            Body: $"The scheduled maintenance has ended, but monitoring still reports problems with {names}. We are investigating.",
            Components: changes, Automatic: true, OpenedBy: Actor, OpenedAt: now);
        return new MaintenanceEndDecision(
            failing.ToDictionary(c => c.Id, c => (IReadOnlyList<object>)[new AutomaticIncidentAttached(c.Id, incidentId, now)], StringComparer.Ordinal),
            Incident.StreamId(incidentId), [opened],
            [new AutomaticIncidentRegistered(incidentId, failing[0].Id, now), .. failing.Skip(1).Select(c => new AutomaticIncidentJoined(incidentId, c.Id, now))]);
    }

    // "Website", "Website and Database", "Website, Database and Mail".
    private static string Names(List<string> names) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";

    /// <summary>The incident's components with <paramref name="change"/> recorded (added, or replacing the component's entry).</summary>
    private static List<IncidentComponent> With(IReadOnlyList<IncidentComponent> components, IncidentComponent change) =>
        [.. components.Where(c => c.ComponentId != change.ComponentId), change];

    private static string Worst(IEnumerable<IncidentComponent> components) => ComponentStatusRules.Worst(components.Select(c => c.NewStatus));
}
