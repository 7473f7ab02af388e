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
/// A side effect outside the database (a broker publish). The checkpoint advances only after
/// <see cref="HandleAsync"/> returned, so a crash repeats a batch rather than losing it: at-least-once,
/// deduplicated downstream by event id.
/// </summary>
public interface IEventRelay
{
    string Name { get; }

    Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken ct);
}
