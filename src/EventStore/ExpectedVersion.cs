namespace StatusPlatform.EventSourcing;

/// <summary>The version a stream must be at for an append to succeed.</summary>
public readonly record struct ExpectedVersion(long Value)
{
    // Encoded as negative numbers because that is how the append function receives them.
    public static readonly ExpectedVersion Any = new(-1);
    public static readonly ExpectedVersion NoStream = new(-2);

    public static ExpectedVersion Exactly(long version) =>
        version >= 0 ? new(version) : throw new ArgumentOutOfRangeException(nameof(version), version, "A stream version is never negative.");

    public override string ToString() => Value switch
    {
        -1 => "any",
        -2 => "no stream",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

public sealed class ConcurrencyException(string streamId, ExpectedVersion expected, long actual)
    : Exception($"Stream '{streamId}' was expected at version {expected} but is at version {actual}.")
{
    public string StreamId { get; } = streamId;
    public ExpectedVersion Expected { get; } = expected;
    public long ActualVersion { get; } = actual;
}

public sealed class StreamArchivedException(string streamId)
    : Exception($"Stream '{streamId}' is archived and accepts no new events.")
{
    public string StreamId { get; } = streamId;
}
