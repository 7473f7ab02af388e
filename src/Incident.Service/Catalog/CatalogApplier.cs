using Npgsql;
using StatusPlatform.EventSourcing;
using StatusPlatform.Incident.Components;
using StatusPlatform.Incident.Monitors;
using StatusPlatform.Incident.Monitors.Folding;
using StatusPlatform.Incident.Page;
using Monitor = StatusPlatform.Incident.Monitors.Monitor;

namespace StatusPlatform.Incident.Catalog;

/// <summary>The catalog changed; its version counts the changes and tells probes when to fetch it again.</summary>
public sealed record CatalogChanged(long Version, DateTimeOffset ChangedAt);

/// <summary>
/// Applies the configuration file at start-up: each entry is decided against its stream, so an unchanged file
/// appends nothing and a changed one appends exactly its changes, all in one transaction. A bad file stops
/// start-up with the file, line and field.
/// </summary>
public sealed class CatalogApplier(EventStore store, MonitorFold fold, IConfiguration configuration, TimeProvider time, ILogger<CatalogApplier> logger)
    : IHostedService
{
    public const string CatalogStream = "catalog";

    // Who the file's changes are recorded as.
    private const string Actor = "config-file";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = configuration["StatusPlatform:ConfigFile"];
        if (string.IsNullOrWhiteSpace(path))
        {
            logger.LogWarning("StatusPlatform:ConfigFile is not set; no components or monitors are configured from a file");
            return;
        }
        var changes = await ApplyAsync(CatalogFile.Load(path), cancellationToken);
        logger.LogInformation("Applied {File}: {Changes} change(s)", path, changes);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Appends what it takes to bring the streams to <paramref name="definition"/>; returns the number of events (the
    /// status and incident events of a removed component's last decision not counted).
    /// </summary>
    public async Task<int> ApplyAsync(CatalogDefinition definition, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var session = await store.OpenSessionAsync(ct);
        // Two instances starting together must not both decide against the same old state.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('incident.catalog'))", session.Connection, session.Transaction))
            await lockCommand.ExecuteNonQueryAsync(ct);

        var changes = 0;
        var page = await store.AggregateStreamAsync<StatusPage>(StatusPage.StreamId, ct: ct);
        if (page?.State.ManagedBy == StatusPage.Api)
            logger.LogWarning("The page settings are managed through the admin API (UpdatePageSettings); the configuration file's page section is not applied");
        changes += Append(session, StatusPage.StreamId, page?.Version, StatusPage.Decide(page?.State, definition.Page, now));

        var wantedComponents = definition.Components.Select(c => Component.StreamId(c.Id)).ToHashSet();
        foreach (var (id, settings) in definition.Components)
        {
            var current = await store.AggregateStreamAsync<Component>(Component.StreamId(id), ct: ct);
            changes += Append(session, Component.StreamId(id), current?.Version, Component.Decide(current?.State, id, settings, now));
        }
        var removedComponents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var streamId in (await store.ListStreamIdsAsync("component-", ct: ct)).Where(s => !wantedComponents.Contains(s)))
        {
            // Only what the file defined goes with it: components created through the admin API are not the file's to remove.
            var current = await store.AggregateStreamAsync<Component>(streamId, ct: ct);
            if (current is { State.Removed: false, State.ManagedBy: Component.File })
                removedComponents.Add(current.State.Id);
        }

        var wantedMonitors = definition.Monitors.Select(m => Monitor.StreamId(m.Id)).ToHashSet();
        var apiMonitors = new List<Monitor>();
        var removedMonitors = new List<Aggregated<Monitor>>();
        var orphans = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var lostMonitors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var streamId in (await store.ListStreamIdsAsync("monitor-", ct: ct)).Where(s => !wantedMonitors.Contains(s)))
        {
            var current = await store.AggregateStreamAsync<Monitor>(streamId, ct: ct);
            if (current is not { State.Removed: false })
                continue;
            var componentId = current.State.Settings.ComponentId;
            // Only what the file defined goes with it: monitors created through the admin API are not the file's to remove,
            // except those on a component the file removes. A monitor of a removed component is probed for nothing (why
            // DeleteComponent refuses while monitors remain), and the file can neither be asked to delete them first nor
            // refuse to start over them. Keeping the component for them, handed over to the admin API, would leave on the
            // page what the file took off it; so they go with it, decided as DeleteMonitor decides (below), and the log
            // names them.
            if (current.State.ManagedBy == Monitor.File || removedComponents.Contains(componentId))
            {
                removedMonitors.Add(current);
                if (current.State.ManagedBy == Monitor.Api)
                    (orphans.TryGetValue(componentId, out var ids) ? ids : orphans[componentId] = []).Add(current.State.Id);
                else if (!removedComponents.Contains(componentId))
                    lostMonitors.Add(componentId);
            }
            else
                apiMonitors.Add(current.State);
        }
        if (removedMonitors.Count > 0)
        {
            // As DeleteMonitor does: the fold of their results waits for the commit. In id order, and before any component
            // decision takes the automation lock, as the folds take them.
            await ChecksStore.LockMonitorsAsync(session, [.. removedMonitors.Select(m => m.State.Id).Order(StringComparer.Ordinal)], ct);
            foreach (var monitor in removedMonitors)
            {
                changes += Append(session, Monitor.StreamId(monitor.State.Id), monitor.Version, [new MonitorRemoved(monitor.State.Id, now)]);
                await ChecksStore.ForgetMonitorAsync(session, monitor.State.Id, ct);
            }
        }
        foreach (var (id, settings) in definition.Monitors)
        {
            // Two monitors behind one URL would make every ping or alert count for both (status.heartbeat_monitors is keyed by it).
            if (settings.PushTokenSha256 is { } token && apiMonitors.Find(m => m.Settings.PushTokenSha256 == token) is { } other)
                throw new InvalidOperationException($"The configuration file's monitor '{id}' uses the same token as monitor '{other.Id}', which was created "
                    + "through the admin API; give one of them another token.");
            var current = await store.AggregateStreamAsync<Monitor>(Monitor.StreamId(id), ct: ct);
            changes += Append(session, Monitor.StreamId(id), current?.Version, Monitor.Decide(current?.State, id, settings, now));
            if (current is { State.Removed: false } && current.State.Settings.ComponentId != settings.ComponentId
                && !removedComponents.Contains(current.State.Settings.ComponentId))
                lostMonitors.Add(current.State.Settings.ComponentId);
        }

        // Each removed component's last decision, with none of its monitors left (as DeleteMonitor decides a component that
        // lost one): a monitor that was down releases the component, and its automatic incident resolves rather than stay
        // open for a component no longer on the page. One set of session streams, so that removing every component of one
        // incident resolves it. The removal is appended at the version decided, after the decision's events.
        var decided = new SessionStreams(store);
        foreach (var componentId in removedComponents.Order(StringComparer.Ordinal))
        {
            if (await fold.DecideComponentAsync(session, componentId, [], null, now, new EventMetadata(Actor: Actor), ct, decided) is { } version)
                changes += Append(session, Component.StreamId(componentId), version, [new ComponentRemoved(componentId, now)]);
        }

        if (changes > 0)
        {
            var catalog = await store.GetStreamStateAsync(CatalogStream, ct);
            var version = catalog?.Version ?? 0;
            Append(session, CatalogStream, version, [new CatalogChanged(version + 1, now)]);
        }
        await session.SaveChangesAsync(ct);
        foreach (var (componentId, monitorIds) in orphans)
            logger.LogWarning("The configuration file no longer lists component {Component}; the monitors created on it through the admin API were deleted with it: {Monitors}",
                componentId, string.Join(", ", monitorIds.Order(StringComparer.Ordinal)));

        // A component that lost a monitor shows what its remaining monitors say (a deleted monitor that was down no longer
        // holds it down). After the commit: the fold decides from the committed catalog.
        foreach (var componentId in lostMonitors)
            await fold.ReconsiderComponentAsync(componentId, Actor, ct);
        return changes;
    }

    private static int Append(EventSession session, string streamId, long? version, IReadOnlyList<object> events)
    {
        if (events.Count > 0)
            session.Append(streamId, version is { } v ? ExpectedVersion.Exactly(v) : ExpectedVersion.NoStream, events, new EventMetadata(Actor: Actor));
        return events.Count;
    }
}
