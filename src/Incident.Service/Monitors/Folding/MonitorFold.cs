using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Catalog;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Incidents;

namespace StatusPlatform.Incident.Monitors.Folding;

/// <summary>
/// Folds one check result: records it, advances the region's flap guard, and only when the monitor as a whole
/// changes state appends the transition, the component's new status and the automatic incident, all in one
/// transaction. A redelivered result is recognised by its check id and changes nothing; a version conflict
/// (another monitor of the same component moved at the same time) rolls everything back and throws, for the caller
/// (MassTransit's retry, or the next heartbeat sweep) to try again.
/// </summary>
public sealed partial class MonitorFold(EventStore store, CatalogReader catalog, TimeProvider time, IConfiguration configuration, ILogger<MonitorFold> logger)
{
    // Every event records who caused it; here it is the monitors (with the trace of the check result being folded).
    private static EventMetadata Automation => new EventMetadata(Actor: AutomaticIncidents.Actor).WithAmbientTrace();

    private TimeSpan GroupingWindow => AutomaticIncidents.GroupingWindow(configuration);

    public async Task FoldAsync(CheckCompleted result, CancellationToken ct)
    {
        var snapshot = await catalog.GetAsync(ct);
        if (!snapshot.Monitors.TryGetValue(result.MonitorId, out var monitor))
        {
            logger.LogDebug("Ignoring a result for monitor {Monitor}, which is not in the catalog", result.MonitorId);
            return;
        }

        await using var session = await store.OpenSessionAsync(ct);
        if (!await ChecksStore.TryRecordAsync(session, result, ct))
            return;
        if (result.ConnectivityLost)
        {
            // Kept as evidence, never folded: the probe's canary failed, so this says nothing about the target.
            await session.SaveChangesAsync(ct);
            return;
        }
        await ChecksStore.LockMonitorAsync(session, monitor.Id, ct);

        var (failureThreshold, successThreshold) = (monitor.Settings.FailureThreshold, monitor.Settings.SuccessThreshold);
        var regions = await ChecksStore.ReadRegionsAsync(session, monitor.Id, ct);
        var before = regions.Find(r => r.Region == result.Region);
        var window = RegionFold.Window(failureThreshold, successThreshold);
        // Results further back than a few intervals before this one are not part of its run (a probe was away meanwhile).
        var lookBack = TimeSpan.FromSeconds(Math.Max(3600, monitor.Settings.IntervalSeconds * (window + 2.0)));
        var recent = await ChecksStore.ReadRecentAsync(session, monitor.Id, result.Region, window, result.StartedAt - lookBack, ct);
        var after = RegionFold.Fold(before, result.Region, recent, failureThreshold, successThreshold);
        await ChecksStore.SaveRegionAsync(session, monitor.Id, after, ct);
        regions.Remove(before!);
        regions.Add(after);

        var now = time.GetUtcNow();
        var health = RegionFold.MonitorHealthOf(regions, now, TimeSpan.FromSeconds(monitor.Settings.IntervalSeconds));
        // The hot path reads one row: the health last recorded with the fold. The stream is read only when that
        // differs, which is a transition (rare), and then it is the stream, not the row, that decides.
        if (await ChecksStore.ReadMonitorHealthAsync(session, monitor.Id, ct) == health)
        {
            await session.SaveChangesAsync(ct);
            return;
        }
        var current = await store.AggregateStreamAsync<Monitor>(Monitor.StreamId(monitor.Id), ct: ct);
        await ChecksStore.SaveMonitorHealthAsync(session, monitor.Id, health, ct);
        var regionNames = regions.Where(r => health switch
            {
                MonitorHealth.Down => r.IsDown,
                MonitorHealth.Degraded => r.IsDown || r.IsDegraded,
                _ => !r.IsDown && !r.IsDegraded,
            }).Select(r => r.Region).Order(StringComparer.Ordinal).ToList();
        if (current?.State.Transition(health, regionNames, after.LastReason, after.LastStatusCode, now) is not { } transition)
        {
            await session.SaveChangesAsync(ct);
            return;
        }

        session.Append(Monitor.StreamId(monitor.Id), ExpectedVersion.Exactly(current.Version), [transition], Automation);
        var changed = current.State with { IsDown = health == MonitorHealth.Down, IsDegraded = health == MonitorHealth.Degraded };
        await DecideComponentAsync(session, changed.Settings.ComponentId, snapshot.MonitorsOf(changed.Settings.ComponentId), changed, now, null, ct);
        await session.SaveChangesAsync(ct);
        logger.LogInformation("Monitor {Monitor} is {Health} ({Regions})", monitor.Id, health, string.Join(", ", regionNames));
    }

    /// <summary>
    /// Decides the component again after its monitors changed without a result being folded: a monitor was deleted,
    /// moved to another component, or the configuration file dropped it. Its own transaction, for callers that committed
    /// the change already (the configuration file at start-up).
    /// </summary>
    public async Task ReconsiderComponentAsync(string componentId, string actor, CancellationToken ct)
    {
        var snapshot = await catalog.GetAsync(ct);
        await using var session = await store.OpenSessionAsync(ct);
        await DecideComponentAsync(session, componentId, snapshot.MonitorsOf(componentId), null, time.GetUtcNow(), new EventMetadata(Actor: actor), ct);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The component's monitor status and automatic incident from the health of <paramref name="monitorIds"/> (the
    /// component's monitors as they are once this transaction commits), <paramref name="changed"/> standing in for its
    /// own stream. Runs under the automation lock, so it reads every other monitor and the component as committed, plus
    /// what earlier decisions of the session appended when the caller passes their <paramref name="streams"/>.
    /// </summary>
    /// <param name="metadata">Who caused it; the monitors (automation) unless a person's command did.</param>
    /// <returns>The component stream's version the decision was made at (what a caller appending more to it in this
    /// session expects), or null when the component does not exist or was removed.</returns>
    public async Task<long?> DecideComponentAsync(EventSession session, string componentId, IEnumerable<string> monitorIds, Monitor? changed, DateTimeOffset now,
        EventMetadata? metadata, CancellationToken ct, SessionStreams? streams = null)
    {
        metadata ??= Automation;
        streams ??= new SessionStreams(store);
        await ChecksStore.LockAutomationAsync(session, ct);
        var componentStream = Component.StreamId(componentId);
        if (await streams.ReadAsync<Component>(componentStream, ct) is not { Removed: false } component)
            return null;

        var monitors = new List<MonitorHealth>();
        foreach (var id in monitorIds.Distinct(StringComparer.Ordinal))
        {
            if (id == changed?.Id)
                monitors.Add(changed.Health);
            // A monitor deleted since the caller's catalog was read no longer counts (its stream says so).
            else if (await store.AggregateStreamAsync<Monitor>(Monitor.StreamId(id), ct: ct) is { State: { Removed: false } sibling })
                monitors.Add(sibling.Health);
        }
        var attached = component.AutomaticIncidentId is { } incidentId
            ? await streams.ReadAsync<Incidents.Incident>(Incidents.Incident.StreamId(incidentId), ct)
            : null;
        var ledger = await streams.ReadAsync<AutomationLedger>(AutomationLedger.StreamId, ct);
        var joinable = attached is null && ledger?.Joinable(now, GroupingWindow) is { } joinableId
            ? await streams.ReadAsync<Incidents.Incident>(Incidents.Incident.StreamId(joinableId), ct)
            : null;

        var decision = AutomaticIncidents.Decide(component, monitors, attached, joinable, now, Ids.New);
        if (decision.ComponentEvents.Count > 0)
            streams.Append<Component>(session, componentStream, decision.ComponentEvents, metadata);
        if (decision.IncidentStreamId is { } stream && decision.IncidentEvents.Count > 0)
            streams.Append<Incidents.Incident>(session, stream, decision.IncidentEvents, metadata);
        if (decision.LedgerEvents.Count > 0)
            streams.Append<AutomationLedger>(session, AutomationLedger.StreamId, decision.LedgerEvents, metadata);
        return streams.VersionOf(componentStream);
    }
}
