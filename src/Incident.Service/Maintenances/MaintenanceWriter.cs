using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Components;

namespace StatusPlatform.Incident.Maintenances;

/// <summary>
/// Appends a maintenance's events together with what they do to its components: when the window starts (in_progress)
/// each component enters maintenance, when it is completed or cancelled it leaves, in the same transaction, so the
/// page never shows a started maintenance with operational components or the reverse.
/// </summary>
public sealed class MaintenanceWriter(EventStore store, TimeProvider time)
{
    public async Task<CommandAccepted> AppendAsync(Aggregated<Maintenance> maintenance, IReadOnlyList<object> events, string actor, CancellationToken ct)
    {
        var metadata = new EventMetadata(Actor: actor).WithAmbientTrace();
        await using var session = await store.OpenSessionAsync(ct);
        var stream = Maintenance.StreamId(maintenance.State.Id);
        session.Append(stream, ExpectedVersion.Exactly(maintenance.Version), events, metadata);
        var (before, after) = MaintenanceDecisions.Activity(maintenance.State, events);
        if (before != after)
        {
            var now = time.GetUtcNow();
            foreach (var member in maintenance.State.Components)
            {
                if (await store.AggregateStreamAsync<Component>(Component.StreamId(member.ComponentId), ct: ct) is not { State.Removed: false } component)
                    continue;
                session.Append(Component.StreamId(member.ComponentId), ExpectedVersion.Exactly(component.Version),
                    component.State.Change(new ComponentMaintenanceChanged(member.ComponentId, maintenance.State.Id, after, now), "maintenance", now), metadata);
            }
        }
        var versions = await session.SaveChangesAsync(ct);
        return new CommandAccepted(maintenance.State.Id, versions[stream]);
    }
}
