using Npgsql;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>
/// Records "this delivery went out" the moment its last byte is handed to the connection (SMTP's closing ".", the end
/// of an HTTP body), committed on its own while the delivery row stays locked by its claim. A process killed after
/// that has the row pending but marked, and <see cref="DeliveryLog.FinishMarkedAsync"/> records it as sent instead of
/// sending it again; one killed before it never completed the message at the receiver, which drops it.
/// </summary>
/// <remarks>
/// Each mark is its own statement on a pooled connection, started without waiting for anything else: its bytes leave
/// for PostgreSQL right after the message's end left for the receiver, and once they have, PostgreSQL commits it even
/// if this process dies before the answer. What a crash can still repeat is a message whose end left in the
/// microseconds before its mark did. (A queue that shares one commit among marks made sends wait for the commit
/// before theirs; a crash in that wait either repeated or lost up to a batch of messages.)
/// </remarks>
public sealed class SentMarks : IAsyncDisposable
{
    // synchronous_commit off for this one transaction: the mark guards against this process dying, and for that it
    // only has to be committed, not flushed to disk. Only a crash of PostgreSQL itself within wal_writer_delay
    // (200 ms) can lose marks, and then those messages are sent again: repeated, never lost. A clean stop or restart
    // of PostgreSQL flushes them.
    private const string Insert = """
        with relaxed as (select set_config('synchronous_commit', 'off', true))
        insert into notify.delivery_marks (delivery_id) select unnest($1::uuid[]) from relaxed on conflict do nothing
        """;

    private readonly NpgsqlDataSource _dataSource;

    public SentMarks(IConfiguration configuration, IHostEnvironment environment)
    {
        // A pool of its own: a mark never waits behind claims for a connection, and with no reset on close a mark is one
        // statement (the shared pool's reset, DISCARD ALL before a connection's next use, doubled what a send cost the
        // database). Marks set nothing on their session that could outlive them.
        var builder = new NpgsqlDataSourceBuilder(configuration.GetConnectionString("statusdb"));
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        builder.ConnectionStringBuilder.MaxPoolSize = 32;
        builder.ConnectionStringBuilder.ApplicationName = $"{environment.ApplicationName} sent marks";
        _dataSource = builder.Build();
    }

    /// <summary>Starts the mark at once (its bytes are written before this returns, when a pooled connection is idle).</summary>
    public Task MarkAsync(Guid deliveryId) => MarkAsync([deliveryId], CancellationToken.None);

    public async Task MarkAsync(Guid[] deliveryIds, CancellationToken ct)
    {
        await using var insert = _dataSource.CreateCommand(Insert);
        insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = deliveryIds });
        await insert.ExecuteNonQueryAsync(ct);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
