using StatusPlatform.Contracts;
using StatusPlatform.EventSourcing;

namespace StatusPlatform.Incident.History.TimeTravel;

/// <summary>
/// Reads the global feed up to a moment and hands it to <see cref="PageTimeline"/>. Every question replays the page's
/// streams from the start; they hold transitions and human actions, not check results, so that stays small.
/// </summary>
public sealed class PageHistoryReader(EventStore store)
{
    /// <summary>The most changes one answer carries; <see cref="Changes.Truncated"/> says when there were more.</summary>
    public const int MaxChanges = 1000;

    private const int BatchSize = 1000;

    public async Task<PageAt> GetPageAtAsync(DateTimeOffset at, CancellationToken ct) =>
        PageTimeline.At(await ReadUntilAsync(at, ct), at);

    public async Task<Changes> GetChangesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        if (to < from)
            throw new ArgumentException($"The range ends ({to:O}) before it starts ({from:O}).", nameof(to));
        var (items, truncated) = PageTimeline.Changes(await ReadUntilAsync(to, ct), from, to, MaxChanges);
        return new Changes(from, to, items, truncated);
    }

    // Only the page's own streams are kept in memory; monitor and catalog events pass by.
    private async Task<List<StoredEvent>> ReadUntilAsync(DateTimeOffset until, CancellationToken ct)
    {
        var events = new List<StoredEvent>();
        for (var after = 0L; ;)
        {
            var batch = await store.ReadAllAsync(after, BatchSize, until, ct);
            events.AddRange(batch.Where(PageState.Concerns));
            if (batch.Count < BatchSize)
                return events;
            after = batch[^1].GlobalPosition!.Value;
        }
    }
}
