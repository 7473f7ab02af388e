using System.Data;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using StatusPlatform.EventSourcing.Aggregation;

namespace StatusPlatform.EventSourcing;

/// <summary>
/// The event store over PostgreSQL, shaped like Marten's event API: sessions that append to streams,
/// stream reads and aggregation, the sequenced global feed, snapshots and archiving.
/// </summary>
public sealed class EventStore(NpgsqlDataSource dataSource, EventStoreOptions options)
{
    private readonly string _s = options.Schema;

    public EventStoreOptions Options => options;

    public NpgsqlDataSource DataSource => dataSource;

    public async Task<EventSession> OpenSessionAsync(CancellationToken ct = default)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            return new EventSession(connection, tx, options);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Appends to one stream in a transaction of its own; returns the stream's new version.</summary>
    public async Task<long> AppendAsync(string streamId, ExpectedVersion expected, IEnumerable<object> events,
        EventMetadata? metadata = null, CancellationToken ct = default)
    {
        await using var session = await OpenSessionAsync(ct);
        session.Append(streamId, expected, events, metadata);
        return (await session.SaveChangesAsync(ct))[streamId];
    }

    /// <summary>The stream's version and archive flag, or null when it does not exist.</summary>
    public async Task<StreamState?> GetStreamStateAsync(string streamId, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand($"select version, archived, type from {_s}.streams where id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new StreamState(streamId, reader.GetInt64(0), reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    /// <summary>The ids of the streams whose id starts with <paramref name="prefix"/>, archived ones excluded unless asked for.</summary>
    public async Task<IReadOnlyList<string>> ListStreamIdsAsync(string prefix, bool includeArchived = false, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand($"select id from {_s}.streams where starts_with(id, $1) and ($2 or not archived) order by id");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = includeArchived });
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Reads a stream's events in version order, after <paramref name="afterVersion"/>. Archived streams read as empty unless asked for.</summary>
    public async Task<IReadOnlyList<StoredEvent>> FetchStreamAsync(string streamId, long afterVersion = 0,
        bool includeArchived = false, long? upToVersion = null, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand($"""
            select {Columns("e")} from {_s}.events e join {_s}.streams s on s.id = e.stream_id
            where e.stream_id = $1 and e.version > $2 and e.version <= $3 and ($4 or not s.archived)
            order by e.version
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterVersion });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upToVersion ?? long.MaxValue });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = includeArchived });
        return await ReadEventsAsync(command, ct);
    }

    /// <summary>
    /// Folds a stream into <typeparamref name="T"/> through its static <c>Create(firstEvent)</c> and
    /// <c>Apply(event)</c> methods, starting from the latest snapshot when one exists. Null when the stream is empty.
    /// </summary>
    public async Task<Aggregated<T>?> AggregateStreamAsync<T>(string streamId, long? upToVersion = null,
        bool includeArchived = false, CancellationToken ct = default) where T : class
    {
        var snapshot = await ReadSnapshotAsync<T>(streamId, upToVersion, ct);
        var events = await FetchStreamAsync(streamId, snapshot?.Version ?? 0, includeArchived, upToVersion, ct);
        if (snapshot is null && events.Count == 0)
            return null;
        if (snapshot is not null && !includeArchived && events.Count == 0 && (await GetStreamStateAsync(streamId, ct))?.Archived == true)
            return null;
        var state = snapshot?.State;
        var version = snapshot?.Version ?? 0;
        foreach (var e in events)
        {
            state = AggregateFolder.Fold(state, e);
            version = e.Version;
        }
        return new Aggregated<T>(state!, version);
    }

    /// <summary>Stores the aggregate's state at <paramref name="version"/> so later reads fold only what came after.</summary>
    public async Task WriteSnapshotAsync<T>(string streamId, long version, T state, CancellationToken ct = default) where T : class
    {
        await using var command = dataSource.CreateCommand($"""
            insert into {_s}.snapshots (stream_id, version, type, data) values ($1, $2, $3, $4)
            on conflict (stream_id, version) do update set type = excluded.type, data = excluded.data, created_at = now()
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = SnapshotType<T>() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(state, options.Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Marks a stream archived: its events are kept, reads skip it by default, appends are refused.</summary>
    public async Task<bool> ArchiveStreamAsync(string streamId, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand($"update {_s}.streams set archived = true, updated_at = now() where id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Reads the sequenced global feed after <paramref name="afterPosition"/>, in position order.</summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int maxCount, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await ReadAllAsync(connection, null, afterPosition, maxCount, ct);
    }

    internal async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(NpgsqlConnection connection, NpgsqlTransaction? tx,
        long afterPosition, int maxCount, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            select {Columns("e")} from {_s}.events e
            where e.global_position > $1 order by e.global_position limit $2
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterPosition });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
        return await ReadEventsAsync(command, ct);
    }

    /// <summary>
    /// Reads the sequenced global feed after <paramref name="afterPosition"/>, in position order, leaving out events
    /// recorded after <paramref name="recordedUntil"/>: the feed as it could be known at that moment (time travel).
    /// The filter sits in the query because recorded_at (the appending transaction's start) is not monotonic in
    /// position: a later event may come before an earlier one, so a reader cannot stop at the first later event.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int maxCount, DateTimeOffset recordedUntil, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand($"""
            select {Columns("e")} from {_s}.events e
            where e.global_position > $1 and e.recorded_at <= $3 order by e.global_position limit $2
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterPosition });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = recordedUntil.ToUniversalTime() });
        return await ReadEventsAsync(command, ct);
    }

    /// <summary>The highest global position assigned so far (0 when none).</summary>
    public async Task<long> GetHighWaterMarkAsync(CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand($"select coalesce(max(global_position), 0) from {_s}.events");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task<(T State, long Version)?> ReadSnapshotAsync<T>(string streamId, long? upToVersion, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            select version, data::text from {_s}.snapshots
            where stream_id = $1 and type = $2 and version <= $3 order by version desc limit 1
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = SnapshotType<T>() });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upToVersion ?? long.MaxValue });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return null;
        var state = JsonSerializer.Deserialize<T>(reader.GetString(1), options.Json)
            ?? throw new InvalidOperationException($"Snapshot of '{streamId}' at version {reader.GetInt64(0)} is null.");
        return (state, reader.GetInt64(0));
    }

    private static string SnapshotType<T>() => typeof(T).Name;

    private static string Columns(string alias) =>
        $"{alias}.seq, {alias}.event_id, {alias}.stream_id, {alias}.version, {alias}.event_type, {alias}.schema_version, " +
        $"{alias}.data::text, {alias}.metadata::text, {alias}.recorded_at, {alias}.global_position";

    private async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var result = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var alias = reader.GetString(4);
            var schemaVersion = reader.GetInt32(5);
            result.Add(new StoredEvent(
                Seq: reader.GetInt64(0),
                EventId: reader.GetGuid(1),
                StreamId: reader.GetString(2),
                Version: reader.GetInt64(3),
                EventType: alias,
                SchemaVersion: schemaVersion,
                Data: options.Events.Deserialize(alias, schemaVersion, reader.GetString(6), options.Json),
                Metadata: JsonSerializer.Deserialize<EventMetadata>(reader.GetString(7), options.Json) ?? EventMetadata.Empty,
                RecordedAt: reader.GetFieldValue<DateTimeOffset>(8),
                GlobalPosition: reader.IsDBNull(9) ? null : reader.GetInt64(9)));
        }
        return result;
    }
}

public sealed record StreamState(string StreamId, long Version, bool Archived, string? Type);

public sealed record Aggregated<T>(T State, long Version);
