using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;
using Monitor = StatusPlatform.Incident.Monitors.Monitor;

namespace StatusPlatform.Incident.Catalog;

/// <summary>The monitors as configured now, with the catalog version they belong to.</summary>
public sealed record CatalogSnapshot(long Version, IReadOnlyDictionary<string, Monitor> Monitors)
{
    /// <summary>The ids of the component's monitors.</summary>
    public IEnumerable<string> MonitorsOf(string componentId) => Monitors.Values.Where(m => m.Settings.ComponentId == componentId).Select(m => m.Id);

    // Heartbeat and external monitors are pushed to, not probed: probes never see them.
    public MonitorCatalog ToMessage() => new(Version, [.. Monitors.Values.Where(m => m.Settings.PushTokenSha256 is null).OrderBy(m => m.Id, StringComparer.Ordinal).Select(m =>
        new MonitorDefinition(m.Id, m.Settings.ComponentId, m.Settings.Kind, m.Settings.Target, m.Settings.Method,
            m.Settings.IntervalSeconds, m.Settings.TimeoutSeconds, m.Settings.ExpectedStatusCodes, m.Settings.Check))]);
}

/// <summary>
/// Reads the monitor catalog from the event store, cached until the catalog stream's version moves, so that
/// answering a probe or folding a result costs one small query.
/// </summary>
public sealed class CatalogReader(EventStore store)
{
    private CatalogSnapshot _cached = new(-1, new Dictionary<string, Monitor>());

    public async Task<CatalogSnapshot> GetAsync(CancellationToken ct)
    {
        var version = (await store.GetStreamStateAsync(CatalogApplier.CatalogStream, ct))?.Version ?? 0;
        var cached = Volatile.Read(ref _cached);
        if (version == cached.Version)
            return cached;
        // Two callers may load the same version at once after a change; both get the same answer.
        var loaded = await LoadAsync(version, ct);
        Volatile.Write(ref _cached, loaded);
        return loaded;
    }

    private async Task<CatalogSnapshot> LoadAsync(long version, CancellationToken ct)
    {
        var monitors = new Dictionary<string, Monitor>(StringComparer.Ordinal);
        foreach (var streamId in await store.ListStreamIdsAsync("monitor-", ct: ct))
        {
            if (await store.AggregateStreamAsync<Monitor>(streamId, ct: ct) is { State: { Removed: false } monitor })
                monitors[monitor.Id] = monitor;
        }
        return new CatalogSnapshot(version, monitors);
    }
}
