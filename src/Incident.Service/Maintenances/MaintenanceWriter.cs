using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Incidents;
using StatusPlatform.Incident.Monitors.Folding;

namespace StatusPlatform.Incident.Maintenances;

/// <summary>
/// Appends a maintenance's events together with what they do to its components: when the window starts (in_progress)
/// each component enters maintenance, when it is completed or cancelled it leaves, in the same transaction, so the
/// page never shows a started maintenance with operational components or the reverse. Components whose monitors are
/// still down when they leave get the automatic incident their failures did not open during the window
/// (<see cref="AutomaticIncidents.AfterMaintenance"/>), in that transaction too: it carries the maintenance stream's
/// version, so of two instances ending the same window one commits and the other conflicts, and exactly one incident opens.
/// </summary>
public sealed class MaintenanceWriter(EventStore store, TimeProvider time, IConfiguration configuration)
{
    public async Task<CommandAccepted> AppendAsync(Aggregated<Maintenance> maintenance, IReadOnlyList<object> events, string actor, CancellationToken ct)
    {
        var metadata = new EventMetadata(Actor: actor).WithAmbientTrace();
        await using var session = await store.OpenSessionAsync(ct);
        var stream = Maintenance.StreamId(maintenance.State.Id);
        session.Append(stream, ExpectedVersion.Exactly(maintenance.Version), events, metadata);
        var (before, after) = MaintenanceDecisions.Activity(maintenance.State, events);
        if (before != after)
            await ChangeComponentsAsync(session, maintenance.State, after, metadata, ct);
        var versions = await session.SaveChangesAsync(ct);
        return new CommandAccepted(maintenance.State.Id, versions[stream]);
    }

    private async Task ChangeComponentsAsync(EventSession session, Maintenance maintenance, bool active, EventMetadata metadata, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // The fold decides components and automatic incidents under this lock: each reads what the other committed, so a
        // monitor failing as the window ends is seen by one of them, never missed by both.
        await ChecksStore.LockAutomationAsync(session, ct);
        var components = new List<(Aggregated<Component> Stream, List<object> Events, Component After)>();
        foreach (var member in maintenance.Components)
        {
            if (await store.AggregateStreamAsync<Component>(Component.StreamId(member.ComponentId), ct: ct) is not { State.Removed: false } component)
                continue;
            var change = new ComponentMaintenanceChanged(member.ComponentId, maintenance.Id, active, now);
            components.Add((component, [.. component.State.Change(change, "maintenance", now)], component.State.Apply(change)));
        }

        if (!active)
        {
            var ledger = await store.AggregateStreamAsync<AutomationLedger>(AutomationLedger.StreamId, ct: ct);
            var joinable = ledger?.State.Joinable(now, AutomaticIncidents.GroupingWindow(configuration)) is { } joinableId
                ? await store.AggregateStreamAsync<Incidents.Incident>(Incidents.Incident.StreamId(joinableId), ct: ct)
                : null;
            // Ids from the maintenance: the incident of one window's end has one name, whoever ends it.
            var n = 0;
            var decision = AutomaticIncidents.AfterMaintenance([.. components.Select(c => c.After)], joinable?.State, now,
                () => Ids.Derived($"maintenance-end:{maintenance.Id}:{++n}"));
            foreach (var (stream, componentEvents, _) in components)
                componentEvents.AddRange(decision.ComponentEvents.GetValueOrDefault(stream.State.Id, []));
            if (decision.IncidentStreamId is { } incidentStream)
            {
                session.Append(incidentStream, joinable is not null && Incidents.Incident.StreamId(joinable.State.Id) == incidentStream
                    ? ExpectedVersion.Exactly(joinable.Version)
                    : ExpectedVersion.NoStream, decision.IncidentEvents, metadata);
                session.Append(AutomationLedger.StreamId, ledger is null ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(ledger.Version),
                    decision.LedgerEvents, metadata);
            }
        }

        foreach (var (stream, componentEvents, _) in components)
            session.Append(Component.StreamId(stream.State.Id), ExpectedVersion.Exactly(stream.Version), componentEvents, metadata);
    }
}
