using Npgsql;
using StatusPlatform.Notify.Notices;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>A claimed row with what sending it needs: the subscriber's state and the notice to render.</summary>
public sealed record DeliveryToSend(
    Guid Id,
    Guid EventId,
    Guid SubscriberId,
    string Channel,
    string Recipient,
    string Subject,
    string? StoredText,
    string? StoredHtml,
    int Attempts,
    string Kind,
    string Locale,
    string? Secret,
    bool Confirmed,
    bool Unsubscribed,
    bool Quarantined,
    Notice? Notice,
    bool OpsRoom,
    string? TraceParent = null,
    DateTimeOffset CreatedAt = default);

/// <summary>
/// Deliveries this worker holds the row locks of. Outcomes are collected and written with the commit, so a batch costs
/// the database one claim and one commit; disposing it without committing leaves every row pending.
/// </summary>
public sealed class ClaimedBatch(NpgsqlDataSource dataSource, NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<DeliveryToSend> rows)
    : IAsyncDisposable
{
    private readonly List<(Guid Id, string Outcome)> _sent = [];
    private readonly List<Guid> _sentSubscribers = [];
    private readonly List<NpgsqlBatchCommand> _other = [];

    public IReadOnlyList<DeliveryToSend> Rows => rows;

    public void MarkSent(DeliveryToSend row, string outcome)
    {
        _sent.Add((row.Id, outcome));
        _sentSubscribers.Add(row.SubscriberId);
    }

    /// <summary>
    /// Records a failed attempt: pending again after <paramref name="retryIn"/>, or failed for good when
    /// <paramref name="giveUp"/>. A failure the subscriber's end caused counts towards its quarantine; returns true
    /// when this failure quarantined it (the row then fails for good too). The subscriber's counter is written at once
    /// and on its own, so batches never lock subscriber rows and cannot deadlock on them.
    /// </summary>
    public async Task<bool> MarkFailedAsync(DeliveryToSend row, string error, bool giveUp, TimeSpan retryIn, bool blameSubscriber, int quarantineAfter, CancellationToken ct)
    {
        var quarantined = false;
        if (blameSubscriber && !row.OpsRoom)
        {
            await using var count = dataSource.CreateCommand("""
                update notify.subscribers set consecutive_failures = consecutive_failures + 1,
                    quarantined_at = case when consecutive_failures + 1 >= $2 then coalesce(quarantined_at, now()) else quarantined_at end
                where id = $1 returning quarantined_at is not null
                """);
            count.Parameters.Add(DeliveryLog.Id(row.SubscriberId));
            count.Parameters.Add(new NpgsqlParameter<int> { TypedValue = quarantineAfter });
            quarantined = await count.ExecuteScalarAsync(ct) is true;
        }
        _other.Add(DeliveryLog.Command(
            "update notify.deliveries set status = $2, attempts = attempts + 1, last_error = $3, next_attempt_at = now() + $4 where id = $1",
            DeliveryLog.Id(row.Id), DeliveryLog.Text(giveUp || quarantined ? "failed" : "pending"),
            DeliveryLog.Text(quarantined ? $"{error} (subscriber quarantined after {quarantineAfter} consecutive failures)" : error),
            new NpgsqlParameter<TimeSpan> { TypedValue = retryIn }));
        return quarantined;
    }

    /// <summary>Puts the row back for later without counting an attempt (the destination's circuit is open).</summary>
    public void Defer(DeliveryToSend row, TimeSpan retryIn, string reason) => _other.Add(DeliveryLog.Command(
        "update notify.deliveries set next_attempt_at = now() + $2, last_error = $3 where id = $1",
        DeliveryLog.Id(row.Id), new NpgsqlParameter<TimeSpan> { TypedValue = retryIn }, DeliveryLog.Text(reason)));

    /// <summary>Never sends the row: the subscriber left, was quarantined, or is not confirmed.</summary>
    public void Skip(DeliveryToSend row, string reason) => _other.Add(DeliveryLog.Command(
        "update notify.deliveries set status = 'skipped', last_error = $2 where id = $1", DeliveryLog.Id(row.Id), DeliveryLog.Text(reason)));

    /// <summary>Writes every outcome and releases the rows.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            if (_sent.Count > 0)
            {
                batch.BatchCommands.Add(DeliveryLog.Command("""
                    update notify.deliveries d set status = 'sent', attempts = d.attempts + 1, sent_at = now(), last_error = null, outcome = u.outcome
                    from unnest($1::uuid[], $2::text[]) as u(id, outcome) where d.id = u.id
                    """,
                    new NpgsqlParameter<Guid[]> { TypedValue = [.. _sent.Select(s => s.Id)] },
                    new NpgsqlParameter<string[]> { TypedValue = [.. _sent.Select(s => s.Outcome)] }));
            }
            foreach (var command in _other)
                batch.BatchCommands.Add(command);
            // The outcomes above supersede the marks, whatever they were: sent, failed after the end went out, deferred.
            batch.BatchCommands.Add(DeliveryLog.Command("delete from notify.delivery_marks where delivery_id = any ($1)",
                new NpgsqlParameter<Guid[]> { TypedValue = [.. rows.Select(r => r.Id)] }));
            await batch.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        if (_sentSubscribers.Count > 0)
        {
            // After the commit and outside it: a counter reset is not worth a lock that another batch could wait on.
            await using var reset = dataSource.CreateCommand(
                "update notify.subscribers set consecutive_failures = 0 where id = any ($1) and consecutive_failures <> 0");
            reset.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. _sentSubscribers.Distinct()] });
            await reset.ExecuteNonQueryAsync(ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await tx.DisposeAsync();
        await connection.DisposeAsync();
    }
}
