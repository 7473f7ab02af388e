using MassTransit;
using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Commands;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Monitors.Folding;

namespace StatusPlatform.Incident.Monitors;

/// <summary>
/// Monitors managed through the admin API (src/Contracts/MonitorCommands.cs). Every accepted change appends CatalogChanged
/// in the same transaction, so probes fetch the catalog again and the fold sees the monitor at once; a deleted or moved
/// monitor's component is decided again in that transaction too, so a monitor that was down stops holding it down.
/// </summary>
public sealed class MonitorCommandsConsumer(EventStore store, CatalogReader catalog, MonitorFold fold, TimeProvider time,
    ILogger<MonitorCommandsConsumer> logger)
    : CommandConsumer(store, logger), IConsumer<CreateMonitor>, IConsumer<UpdateMonitor>, IConsumer<DeleteMonitor>
{
    public Task Consume(ConsumeContext<CreateMonitor> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        var id = command.MonitorId ?? DerivedId(context, "monitor");
        var existing = MonitorDecisions.IsValidId(id) ? await Store.AggregateStreamAsync<Monitor>(Monitor.StreamId(id), ct: ct) : null;
        // The same request again (a redelivery) finds its monitor.
        if (existing is { State.Removed: false } && command.MonitorId is null)
            return new CommandAccepted(id, existing.Version);
        var snapshot = await catalog.GetAsync(ct);
        var component = await LoadComponentAsync(command.Monitor?.ComponentId, ct);
        var (errors, events) = MonitorDecisions.Create(existing?.State, id, command, component, snapshot.Monitors.Values, time.GetUtcNow());
        if (errors.Count > 0)
            return Refused(errors);
        if (events.Count == 0)
            return new CommandAccepted(id, existing!.Version);
        return await WriteAsync(snapshot, id, existing?.Version, events, command.Actor, [], forget: false, ct);
    });

    public Task Consume(ConsumeContext<UpdateMonitor> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        if (await Store.AggregateStreamAsync<Monitor>(Monitor.StreamId(command.MonitorId ?? ""), ct: ct) is not { State.Removed: false } monitor)
            return NotFound("monitor", command.MonitorId);
        if (command.ExpectedVersion is { } expected && expected != monitor.Version)
            return new CommandConflict(monitor.State.Id, expected, monitor.Version);
        var snapshot = await catalog.GetAsync(ct);
        var component = await LoadComponentAsync(command.Monitor?.ComponentId, ct);
        var (errors, events) = MonitorDecisions.Update(monitor.State, command, component, snapshot.Monitors.Values, time.GetUtcNow());
        if (errors.Count > 0)
            return Refused(errors);
        if (events.Count == 0)
            return new CommandAccepted(monitor.State.Id, monitor.Version);
        var (from, to) = (monitor.State.Settings.ComponentId, ((MonitorReconfigured)events[0]).Settings.ComponentId);
        // Moved to another component: the old one no longer counts it, the new one counts it with the health it has.
        IReadOnlyList<Redecision> redecide = from == to ? [] :
        [
            new(from, snapshot.MonitorsOf(from).Where(m => m != monitor.State.Id), null),
            new(to, [.. snapshot.MonitorsOf(to), monitor.State.Id], monitor.State with { Settings = ((MonitorReconfigured)events[0]).Settings }),
        ];
        return await WriteAsync(snapshot, monitor.State.Id, monitor.Version, events, command.Actor, redecide, forget: false, ct);
    });

    public Task Consume(ConsumeContext<DeleteMonitor> context) => AnswerAsync(context, async ct =>
    {
        var command = context.Message;
        if (await Store.AggregateStreamAsync<Monitor>(Monitor.StreamId(command.MonitorId ?? ""), ct: ct) is not { State.Removed: false } monitor)
            return NotFound("monitor", command.MonitorId);
        if (command.ExpectedVersion is { } expected && expected != monitor.Version)
            return new CommandConflict(monitor.State.Id, expected, monitor.Version);
        var (errors, events) = MonitorDecisions.Delete(monitor.State, command, time.GetUtcNow());
        if (errors.Count > 0)
            return Refused(errors);
        var snapshot = await catalog.GetAsync(ct);
        var componentId = monitor.State.Settings.ComponentId;
        return await WriteAsync(snapshot, monitor.State.Id, monitor.Version, events, command.Actor,
            [new(componentId, snapshot.MonitorsOf(componentId).Where(m => m != monitor.State.Id), null)], forget: true, ct);
    });

    /// <summary>A component to decide again: the monitors it has once the command commits, and the changed one's state.</summary>
    private sealed record Redecision(string ComponentId, IEnumerable<string> MonitorIds, Monitor? Changed);

    /// <summary>
    /// The monitor's events, the catalog's new version and the components' new status in one transaction. The catalog is
    /// appended at the version the snapshot was read at: a concurrent change of the catalog (another command, the file)
    /// conflicts, and the command is decided again against the new catalog (token uniqueness, the component's monitors).
    /// </summary>
    private async Task<CommandAccepted> WriteAsync(CatalogSnapshot snapshot, string monitorId, long? version, IReadOnlyList<object> events, string actor,
        IReadOnlyList<Redecision> redecide, bool forget, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var metadata = Actor(actor);
        await using var session = await Store.OpenSessionAsync(ct);
        // The fold of this monitor's results waits until the change is committed (and then finds it in the catalog).
        await ChecksStore.LockMonitorAsync(session, monitorId, ct);
        var stream = Monitor.StreamId(monitorId);
        session.Append(stream, version is { } v ? ExpectedVersion.Exactly(v) : ExpectedVersion.NoStream, events, metadata);
        session.Append(CatalogApplier.CatalogStream, ExpectedVersion.Exactly(snapshot.Version),
            [new CatalogChanged(snapshot.Version + 1, now)], metadata);
        if (forget)
            await ChecksStore.ForgetMonitorAsync(session, monitorId, ct);
        foreach (var (componentId, monitorIds, changed) in redecide)
            await fold.DecideComponentAsync(session, componentId, monitorIds, changed, now, metadata, ct);
        var versions = await session.SaveChangesAsync(ct);
        return new CommandAccepted(monitorId, versions[stream]);
    }

    private async Task<Component?> LoadComponentAsync(string? componentId, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(componentId) ? null : (await Store.AggregateStreamAsync<Component>(Component.StreamId(componentId), ct: ct))?.State;
}
