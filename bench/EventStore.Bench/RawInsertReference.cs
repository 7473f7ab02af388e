using System.Data;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace StatusPlatform.EventSourcing.Bench;

/// <summary>
/// The reference: the same rows written by plain multi-row INSERTs into a table shaped like the events table
/// (same columns, identity, defaults and indexes) but with no stream table, no foreign key, no append function,
/// no row locks and no sequencer. Each insert is its own transaction, opened and committed like an append's.
/// </summary>
internal sealed class RawInsertReference(NpgsqlDataSource dataSource, EventStoreOptions options)
{
    private const string Table = "bench.raw_events";

    /// <summary>Copies the events table's shape, so the reference follows the schema if it changes (LIKE does not copy foreign keys).</summary>
    public async Task CreateTableAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            create schema if not exists bench;
            create table {Table} (like {options.Schema}.events including all);
            """);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Inserts <paramref name="rows"/> rows per call with one multi-row INSERT, in a transaction of its own.</summary>
    public WriteOnce Inserts(int writer, int rows)
    {
        var streams = new WriterStreams($"raw{rows}", writer);
        var sql = InsertSql(rows);
        return async ct =>
        {
            var turn = streams.Next();
            var events = Payloads.Checks(turn.StreamId, turn.Version + 1, rows);
            var metadata = JsonSerializer.Serialize(Payloads.Metadata(turn.StreamId).WithAmbientTrace(), options.Json);
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            await using var command = new NpgsqlCommand(sql, connection, tx);
            for (var i = 0; i < rows; i++)
            {
                command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7() });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = turn.StreamId });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = turn.Version + i + 1 });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Payloads.CheckCompletedAlias });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 1 });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(events[i], events[i].GetType(), options.Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = metadata, NpgsqlDbType = NpgsqlDbType.Jsonb });
            }
            await command.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            streams.Appended(turn, rows);
            return rows;
        };
    }

    private static string InsertSql(int rows)
    {
        const int columns = 7;
        var sql = new StringBuilder($"insert into {Table} (event_id, stream_id, version, event_type, schema_version, data, metadata) values ");
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 1; c <= columns; c++)
                sql.Append(c == 1 ? "" : ", ").Append('$').Append(r * columns + c);
            sql.Append(')');
        }
        return sql.ToString();
    }
}
