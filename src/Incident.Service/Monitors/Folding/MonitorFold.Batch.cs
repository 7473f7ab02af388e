using StatusPlatform.Contracts;

namespace StatusPlatform.Incident.Monitors.Folding;

public sealed partial class MonitorFold
{
    /// <summary>
    /// Folds many results in one transaction, as long as none of them changes a monitor's health: the common case, where
    /// a result only moves a flap-guard counter. The outcome is the same as folding them one by one in the given order
    /// with <see cref="FoldAsync"/> (the same stored results are read, the same pure functions decide), with a handful
    /// of statements per batch instead of per result. Returns false, having changed nothing, when a result would cause
    /// a transition or a monitor has no recorded health yet: those batches are folded one by one, where the transition
    /// takes the component lock and appends its events.
    /// </summary>
    public async Task<bool> TryFoldBatchAsync(IReadOnlyList<CheckCompleted> batch, CancellationToken ct)
    {
        var snapshot = await catalog.GetAsync(ct);
        // Unknown monitors are ignored and a check id seen twice is one result, as in the one-by-one fold.
        var known = batch.Where(r => snapshot.Monitors.ContainsKey(r.MonitorId)).DistinctBy(r => r.CheckId).ToList();
        if (known.Count == 0)
            return true;

        await using var session = await store.OpenSessionAsync(ct);
        var recorded = await ChecksStore.TryRecordManyAsync(session, known, ct);
        var folded = known.Where(r => recorded.Contains(r.CheckId) && !r.ConnectivityLost).ToList();
        if (folded.Count == 0)
        {
            await session.SaveChangesAsync(ct);
            return true;
        }

        var monitorIds = folded.Select(r => r.MonitorId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        await ChecksStore.LockMonitorsAsync(session, monitorIds, ct);
        var health = await ChecksStore.ReadMonitorHealthAsync(session, monitorIds, ct);
        if (monitorIds.Any(id => !health.ContainsKey(id)))
            return false;
        var regions = await ChecksStore.ReadRegionsAsync(session, monitorIds, ct);

        // Per monitor and region: how far back the fold looks, and how many rows it needs (its window plus this batch's).
        var keys = folded.GroupBy(r => (r.MonitorId, r.Region)).Select(g =>
        {
            var settings = snapshot.Monitors[g.Key.MonitorId].Settings;
            var window = RegionFold.Window(settings.FailureThreshold, settings.SuccessThreshold);
            var lookBack = TimeSpan.FromSeconds(Math.Max(3600, settings.IntervalSeconds * (window + 2.0)));
            return new RecentKey(g.Key.MonitorId, g.Key.Region, window + g.Count(), g.Min(r => r.StartedAt) - lookBack);
        }).ToList();
        var stored = await ChecksStore.ReadRecentAsync(session, keys, ct);

        var now = time.GetUtcNow();
        var pending = folded.Select(r => r.CheckId).ToHashSet();
        var changed = new Dictionary<(string Monitor, string Region), RegionState>();
        foreach (var result in folded)
        {
            var monitor = snapshot.Monitors[result.MonitorId];
            var (failureThreshold, successThreshold) = (monitor.Settings.FailureThreshold, monitor.Settings.SuccessThreshold);
            var window = RegionFold.Window(failureThreshold, successThreshold);
            var since = result.StartedAt - TimeSpan.FromSeconds(Math.Max(3600, monitor.Settings.IntervalSeconds * (window + 2.0)));
            pending.Remove(result.CheckId);
            // What the one-by-one fold of this result would read: stored rows and the batch's results before this one.
            var recent = stored.GetValueOrDefault((result.MonitorId, result.Region), [])
                .Where(r => !pending.Contains(r.CheckId) && r.Result.StartedAt >= since)
                .Take(window).Select(r => r.Result).ToList();
            var monitorRegions = regions.GetValueOrDefault(result.MonitorId) ?? [];
            var before = monitorRegions.Find(r => r.Region == result.Region);
            var after = RegionFold.Fold(before, result.Region, recent, failureThreshold, successThreshold);
            monitorRegions.Remove(before!);
            monitorRegions.Add(after);
            regions[result.MonitorId] = monitorRegions;
            changed[(result.MonitorId, result.Region)] = after;
            if (RegionFold.MonitorHealthOf(monitorRegions, now, TimeSpan.FromSeconds(monitor.Settings.IntervalSeconds)) != health[result.MonitorId])
                return false;
        }
        await ChecksStore.SaveRegionsAsync(session, changed.Select(c => (c.Key.Monitor, c.Value)).ToList(), ct);
        await session.SaveChangesAsync(ct);
        return true;
    }
}

/// <summary>Which stored results the batch fold reads for one monitor and region.</summary>
internal sealed record RecentKey(string MonitorId, string Region, int Count, DateTimeOffset Since);

/// <summary>A stored result with its check id, so the batch fold can leave out the results it has not reached yet.</summary>
internal sealed record StoredResult(Guid CheckId, RecentResult Result);
