using StatusPlatform.EventSourcing;
using StatusPlatform.EventSourcing.Aggregation;

namespace StatusPlatform.Incident.Monitors.Folding;

/// <summary>
/// The streams component decisions read (the component, its automatic incident, the automation ledger) as one session
/// leaves them. The store reads committed events only, so a second decision in the same session (the configuration file
/// removing two components of one automatic incident) would otherwise decide against the state before the first, and
/// leave the incident open. A stream is appended at the version first read: one session appends a stream once.
/// </summary>
public sealed class SessionStreams(EventStore store)
{
    private readonly Dictionary<string, (object? State, long? Version)> _streams = new(StringComparer.Ordinal);

    /// <summary>The stream's state with this session's appends folded in; null while it has no events.</summary>
    public async Task<T?> ReadAsync<T>(string streamId, CancellationToken ct) where T : class
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            var read = await store.AggregateStreamAsync<T>(streamId, ct: ct);
            _streams[streamId] = stream = (read?.State, read?.Version);
        }
        return (T?)stream.State;
    }

    /// <summary>The version the stream was read at (null: it did not exist), which every append of this session expects.</summary>
    public long? VersionOf(string streamId) => _streams.TryGetValue(streamId, out var stream) ? stream.Version
        : throw new InvalidOperationException($"Stream '{streamId}' was not read in this session.");

    /// <summary>
    /// Appends and folds the events into what the next read returns. A stream not read here is taken to be new (an incident
    /// being opened); should it exist after all, the append fails on its version rather than decide blind.
    /// </summary>
    public void Append<T>(EventSession session, string streamId, IReadOnlyList<object> events, EventMetadata metadata) where T : class
    {
        var (state, version) = _streams.TryGetValue(streamId, out var stream) ? ((T?)stream.State, stream.Version) : (null, null);
        session.Append(streamId, version is { } v ? ExpectedVersion.Exactly(v) : ExpectedVersion.NoStream, events, metadata);
        foreach (var e in events)
            state = AggregateFolder.Fold(state, new StoredEvent(0, Guid.Empty, streamId, 0, "", 1, e, metadata, DateTimeOffset.MinValue, null));
        _streams[streamId] = (state, version);
    }
}
