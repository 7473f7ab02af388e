namespace StatusPlatform.EventSourcing.Bench;

/// <summary>
/// The streams one writer owns (<c>bench-{scenario}-{writer}-{k}</c>): it rotates over a few and tracks their versions,
/// so every append states the exact expected version, as a command handler does, and never conflicts.
/// </summary>
internal sealed class WriterStreams(string scenario, int writer)
{
    private const int StreamsPerWriter = 4;

    private readonly long[] _versions = new long[StreamsPerWriter];
    private int _turn;

    public StreamTurn Next()
    {
        var slot = _turn++ % StreamsPerWriter;
        return new StreamTurn($"bench-{scenario}-{writer}-{slot}", _versions[slot], slot);
    }

    public void Appended(StreamTurn turn, int count) => _versions[turn.Slot] = turn.Version + count;
}

internal readonly record struct StreamTurn(string StreamId, long Version, int Slot);
