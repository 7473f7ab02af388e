using Npgsql;

namespace StatusPlatform.EventSourcing.Subscriptions;

/// <summary>
/// A read model fed from the global feed. <see cref="ApplyAsync"/> writes through the given transaction; the
/// runner commits it together with the checkpoint, so every event reaches the read model exactly once.
/// </summary>
public interface IProjection
{
    string Name { get; }

    Task ApplyAsync(IReadOnlyList<StoredEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct);
}

/// <summary>
/// A side effect outside the database (a broker publish). The checkpoint advances only after the side effect is
/// confirmed, so a crash repeats events rather than losing them: at-least-once, deduplicated downstream by event id.
/// </summary>
public interface IEventRelay
{
    string Name { get; }

    /// <summary>
    /// Handles the events in order and reports each one whose side effect is confirmed (or that needed none) to
    /// <paramref name="progress"/>. When it throws or is cancelled part-way, the runner records the last reported event
    /// as the checkpoint, so a stop or a broker failure repeats only what was not confirmed.
    /// </summary>
    Task HandleAsync(IReadOnlyList<StoredEvent> events, RelayProgress progress, CancellationToken ct);
}

/// <summary>The last event of a batch that a relay has confirmed.</summary>
public sealed class RelayProgress
{
    private long _position;

    /// <summary>The global position of the last confirmed event, 0 before the first.</summary>
    public long Position => Volatile.Read(ref _position);

    public void Confirmed(StoredEvent e)
    {
        var position = e.GlobalPosition ?? throw new ArgumentException("Only sequenced events can be confirmed.", nameof(e));
        if (position < Position)
            throw new ArgumentException($"Event at position {position} was confirmed after {Position}: a relay confirms in feed order.", nameof(e));
        Volatile.Write(ref _position, position);
    }
}
