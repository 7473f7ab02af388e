using Npgsql;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>
/// The durable record of every message to send (table notify.deliveries): rows are written before anything is sent,
/// one per (event, subscriber, channel), and the worker claims them one at a time.
/// </summary>
public sealed class DeliveryLog(NpgsqlDataSource dataSource)
{
    public const string EmailChannel = "email";

    /// <summary>
    /// Records one email delivery per confirmed subscriber of any of <paramref name="componentIds"/>, in one
    /// transaction with the message id. Returns how many were recorded: 0 for a redelivered message.
    /// </summary>
    public async Task<int> RecordAsync(Guid messageId, string messageType, IReadOnlyCollection<string> componentIds, EmailContent email, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var processed = new NpgsqlCommand(
            "insert into notify.processed_messages (message_id, message_type) values ($1, $2) on conflict do nothing", connection, tx))
        {
            processed.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
            processed.Parameters.Add(new NpgsqlParameter<string> { TypedValue = messageType });
            // A concurrent redelivery waits here for the first one's commit, then finds the row.
            if (await processed.ExecuteNonQueryAsync(ct) == 0)
                return 0;
        }

        await using var insert = new NpgsqlCommand("""
            insert into notify.deliveries (event_id, subscriber_id, channel, recipient, subject, body_text, body_html)
            select $1, s.id, $2, s.email, $3, $4, $5
            from notify.subscribers s
            where s.confirmed
              and exists (select 1 from notify.subscriber_components sc where sc.subscriber_id = s.id and sc.component_id = any ($6))
            on conflict (event_id, subscriber_id, channel) do nothing
            """, connection, tx);
        insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = EmailChannel });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email.Subject });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email.Text });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email.Html });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. componentIds] });
        var recorded = await insert.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return recorded;
    }

    /// <summary>
    /// Claims the next due delivery with a row lock that lasts until it is marked (or the process dies, which
    /// releases it for another attempt). Null when nothing is due. SKIP LOCKED lets workers share the table.
    /// </summary>
    public async Task<ClaimedDelivery?> ClaimNextAsync(CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var tx = await connection.BeginTransactionAsync(ct);
            await using var claim = new NpgsqlCommand("""
                select id, recipient, subject, body_text, body_html, attempts
                from notify.deliveries
                where status = 'pending' and next_attempt_at <= now()
                order by next_attempt_at
                limit 1
                for update skip locked
                """, connection, tx);
            await using (var reader = await claim.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct))
                {
                    return new ClaimedDelivery(connection, tx, reader.GetGuid(0), reader.GetString(1),
                        new EmailContent(reader.GetString(2), reader.GetString(3), reader.GetString(4)), reader.GetInt32(5));
                }
            }
            await tx.DisposeAsync();
            await connection.DisposeAsync();
            return null;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>How long until the earliest pending delivery is due (zero or less if one is due now), or null if none is pending.</summary>
    public async Task<TimeSpan?> TimeUntilNextDueAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select min(next_attempt_at) - now() from notify.deliveries where status = 'pending'");
        return await command.ExecuteScalarAsync(ct) as TimeSpan?;
    }
}

/// <summary>A delivery this worker holds the row lock of; disposing it without marking it leaves it pending.</summary>
public sealed class ClaimedDelivery(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, string recipient, EmailContent email, int attempts)
    : IAsyncDisposable
{
    public Guid Id => id;
    public string Recipient => recipient;
    public EmailContent Email => email;

    /// <summary>Attempts made before this one.</summary>
    public int Attempts => attempts;

    public Task MarkSentAsync(CancellationToken ct) => MarkAsync(
        "update notify.deliveries set status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = null where id = $1",
        [], ct);

    /// <summary>Records a failed attempt: pending again after <paramref name="retryIn"/>, or failed for good when <paramref name="giveUp"/>.</summary>
    public Task MarkFailedAsync(string error, bool giveUp, TimeSpan retryIn, CancellationToken ct) => MarkAsync(
        "update notify.deliveries set status = $2, attempts = attempts + 1, last_error = $3, next_attempt_at = now() + $4 where id = $1",
        [
            new NpgsqlParameter<string> { TypedValue = giveUp ? "failed" : "pending" },
            new NpgsqlParameter<string> { TypedValue = error },
            new NpgsqlParameter<TimeSpan> { TypedValue = retryIn },
        ], ct);

    private async Task MarkAsync(string sql, NpgsqlParameter[] parameters, CancellationToken ct)
    {
        await using (var command = new NpgsqlCommand(sql, connection, tx))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            command.Parameters.AddRange(parameters);
            await command.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await tx.DisposeAsync();
        await connection.DisposeAsync();
    }
}
