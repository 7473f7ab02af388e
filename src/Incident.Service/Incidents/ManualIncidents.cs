using StatusPlatform.Contracts;
using StatusPlatform.Incident.Components;
using ComponentStatusChanged = StatusPlatform.Incident.Components.ComponentStatusChanged;

namespace StatusPlatform.Incident.Incidents;

/// <summary>The events a person's incident command appends, by stream, or the field errors that refuse it.</summary>
public sealed record IncidentDecision(
    IReadOnlyDictionary<string, string[]> Errors,
    IReadOnlyList<object> IncidentEvents,
    IReadOnlyDictionary<string, IReadOnlyList<object>> ComponentEvents,
    IReadOnlyList<object> LedgerEvents)
{
    public bool Rejected => Errors.Count > 0;

    public static IncidentDecision Refuse(Dictionary<string, string[]> errors) => new(errors, [], new Dictionary<string, IReadOnlyList<object>>(), []);
}

/// <summary>
/// Incidents written by people: open (or backfill), update, resolve, postmortem, and the component statuses they set.
/// Pure: the caller loads the incident and the components it names, and passes the time and ids.
/// </summary>
public static class ManualIncidents
{
    public const int MaxNameLength = 255;
    public const int MaxBodyLength = 25_000;

    private static readonly string[] Impacts = [IncidentImpact.None, IncidentImpact.Minor, IncidentImpact.Major, IncidentImpact.Critical];
    private static readonly string[] OpenStatuses = [IncidentStatus.Investigating, IncidentStatus.Identified, IncidentStatus.Monitoring];

    /// <param name="components">Every component the command names that exists (not removed), by id.</param>
    public static IncidentDecision Open(CreateIncident command, IReadOnlyDictionary<string, Component> components, string incidentId, string updateId,
        DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        Text(errors, "name", command.Name, MaxNameLength, required: true);
        Text(errors, "body", command.Body, MaxBodyLength, required: false);
        Changes(errors, command.Components, components);
        Impact(errors, command.ImpactOverride);
        var backfill = command.BackfillStartedAt is not null || command.BackfillResolvedAt is not null;
        if (backfill)
        {
            if (command.BackfillStartedAt is not { } started || command.BackfillResolvedAt is not { } resolved)
                errors["backfill"] = ["a backfilled incident needs both its start and its resolution time"];
            else if (resolved <= started)
                errors["backfill_resolved_at"] = ["must be after the start"];
            else if (resolved > now)
                errors["backfill_resolved_at"] = ["must be in the past: a backfilled incident is history"];
        }
        else if (!OpenStatuses.Contains(command.Status))
        {
            errors["status"] = [$"'{command.Status}' is not one of {string.Join(", ", OpenStatuses)} (record a past incident with backfill times)"];
        }
        if (errors.Count > 0)
            return IncidentDecision.Refuse(errors);

        var changes = Changed(command.Components, components);
        var impact = command.ImpactOverride ?? ImpactOf(changes);
        if (backfill)
        {
            // History only: no statuses change now and nobody is told about the past.
            var (started, resolved) = (command.BackfillStartedAt!.Value, command.BackfillResolvedAt!.Value);
            return new IncidentDecision(new Dictionary<string, string[]>(),
            [
                new IncidentOpened(incidentId, updateId, command.Name.Trim(), IncidentStatus.Investigating, impact, command.Body ?? "", changes, false,
                    command.Actor, started, DeliverNotifications: false, command.ImpactOverride, Backfilled: true),
                new IncidentResolved(incidentId, updateId + "r", command.Name.Trim(), command.Body ?? "", changes, false, command.Actor, resolved,
                    DeliverNotifications: false, impact),
            ], new Dictionary<string, IReadOnlyList<object>>(), []);
        }
        var opened = new IncidentOpened(incidentId, updateId, command.Name.Trim(), command.Status, impact, command.Body ?? "", changes, false,
            command.Actor, now, command.DeliverNotifications, command.ImpactOverride);
        return new IncidentDecision(new Dictionary<string, string[]>(), [opened], SetStatuses(incidentId, changes, components, now), []);
    }

    /// <param name="components">The incident's components and every component the command names, by id.</param>
    public static IncidentDecision Update(Incident incident, PostIncidentUpdate command, IReadOnlyDictionary<string, Component> components,
        bool inAutomationLedger, string updateId, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (incident.IsResolved)
            errors["status"] = [$"the incident is {incident.Status}; post a postmortem instead, or open a new incident"];
        else if (!OpenStatuses.Contains(command.Status) && command.Status != IncidentStatus.Resolved)
            errors["status"] = [$"'{command.Status}' is not one of {string.Join(", ", OpenStatuses)}, {IncidentStatus.Resolved}"];
        Text(errors, "body", command.Body, MaxBodyLength, required: true);
        if (command.Name is not null)
            Text(errors, "name", command.Name, MaxNameLength, required: true);
        Changes(errors, command.Components, components);
        Impact(errors, command.ImpactOverride);
        if (errors.Count > 0)
            return IncidentDecision.Refuse(errors);

        var changes = Changed(command.Components, components);
        var merged = changes.Aggregate(incident.Components.ToList(), (list, change) => [.. list.Where(c => c.ComponentId != change.ComponentId), change]);
        var impact = command.ImpactOverride ?? incident.ImpactOverride ?? ImpactOf(merged);
        var name = command.Name?.Trim() ?? incident.Name;
        if (command.Status != IncidentStatus.Resolved)
        {
            var updated = new IncidentUpdated(incident.Id, updateId, name, command.Status, impact, command.Body, merged, command.Actor, now,
                command.DeliverNotifications, command.ImpactOverride);
            return new IncidentDecision(new Dictionary<string, string[]>(), [updated], SetStatuses(incident.Id, changes, components, now), []);
        }

        // Resolving: the incident stops setting statuses, and a component it was automatic for is free for the next outage.
        var resolved = new IncidentResolved(incident.Id, updateId, name, command.Body, merged, false, command.Actor, now, command.DeliverNotifications, impact);
        var componentEvents = new Dictionary<string, IReadOnlyList<object>>();
        foreach (var component in components.Values)
        {
            var events = new List<object>();
            var state = component;
            if (state.IncidentStatuses.ContainsKey(incident.Id))
            {
                events.AddRange(state.Change(new ComponentIncidentStatusSet(state.Id, incident.Id, null, now), "incident", now));
                state = Fold(state, events);
            }
            if (state.AutomaticIncidentId == incident.Id)
                events.Add(new AutomaticIncidentDetached(state.Id, incident.Id, now));
            if (events.Count > 0)
                componentEvents[state.Id] = events;
        }
        return new IncidentDecision(new Dictionary<string, string[]>(), [resolved], componentEvents,
            inAutomationLedger ? [new AutomaticIncidentClosed(incident.Id, now)] : []);
    }

    public static IncidentDecision Postmortem(Incident incident, PublishPostmortem command, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (!incident.IsResolved)
            errors["status"] = ["a postmortem follows the resolution: resolve the incident first"];
        Text(errors, "body", command.Body, MaxBodyLength, required: true);
        return errors.Count > 0
            ? IncidentDecision.Refuse(errors)
            : new IncidentDecision(new Dictionary<string, string[]>(), [new IncidentPostmortemPublished(incident.Id, incident.Name, command.Body, command.Actor, now)],
                new Dictionary<string, IReadOnlyList<object>>(), []);
    }

    /// <summary>A manual override of one component's status (null lifts it).</summary>
    public static IncidentDecision Override(Component component, SetComponentOverride command, DateTimeOffset now)
    {
        if (command.Status is not null && !ComponentStatusRules.IsValid(command.Status))
            return IncidentDecision.Refuse(new() { ["status"] = [$"'{command.Status}' is not a component status"] });
        if (component.Override == command.Status)
            return new IncidentDecision(new Dictionary<string, string[]>(), [], new Dictionary<string, IReadOnlyList<object>>(), []);
        return new IncidentDecision(new Dictionary<string, string[]>(), [], new Dictionary<string, IReadOnlyList<object>>
        {
            [component.Id] = component.Change(new ComponentOverrideSet(component.Id, command.Status, command.Actor, now), "override", now),
        }, []);
    }

    /// <summary>Statuspage's rule: the impact follows the worst status the incident sets (major outage is critical).</summary>
    public static string ImpactOf(IEnumerable<IncidentComponent> components) =>
        AutomaticIncidents.ImpactOf(ComponentStatusRules.Worst(components.Select(c => c.NewStatus)));

    private static List<IncidentComponent> Changed(IReadOnlyList<ComponentStatusChange>? changes, IReadOnlyDictionary<string, Component> components) =>
        [.. (changes ?? []).Select(c => new IncidentComponent(c.ComponentId, components[c.ComponentId].Settings.Name, components[c.ComponentId].Status, c.Status))];

    private static Dictionary<string, IReadOnlyList<object>> SetStatuses(string incidentId, IEnumerable<IncidentComponent> changes,
        IReadOnlyDictionary<string, Component> components, DateTimeOffset now) =>
        changes.ToDictionary(c => c.ComponentId, c => components[c.ComponentId].Change(
            new ComponentIncidentStatusSet(c.ComponentId, incidentId, c.NewStatus, now), "incident", now));

    private static Component Fold(Component component, IEnumerable<object> events) => events.Aggregate(component, (state, e) => e switch
    {
        ComponentIncidentStatusSet s => state.Apply(s),
        ComponentStatusChanged s => state.Apply(s),
        _ => state,
    });

    private static void Text(Dictionary<string, string[]> errors, string field, string? value, int max, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(value))
            errors[field] = ["is required"];
        else if (value?.Length > max)
            errors[field] = [$"must be at most {max} characters"];
    }

    private static void Impact(Dictionary<string, string[]> errors, string? impact)
    {
        if (impact is not null && !Impacts.Contains(impact))
            errors["impact_override"] = [$"'{impact}' is not one of {string.Join(", ", Impacts)}"];
    }

    private static void Changes(Dictionary<string, string[]> errors, IReadOnlyList<ComponentStatusChange>? changes, IReadOnlyDictionary<string, Component> components)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (change, i) in (changes ?? []).Select((c, i) => (c, i)))
        {
            if (change is null || !components.TryGetValue(change.ComponentId ?? "", out var component) || component.Settings.IsGroup)
                errors[$"components[{i}].component_id"] = [$"'{change?.ComponentId}' is not a component"];
            else if (!seen.Add(change.ComponentId!))
                errors[$"components[{i}].component_id"] = [$"'{change.ComponentId}' is listed twice"];
            if (change is not null && !ComponentStatusRules.IsValid(change.Status))
                errors[$"components[{i}].status"] = [$"'{change.Status}' is not a component status"];
        }
    }
}
