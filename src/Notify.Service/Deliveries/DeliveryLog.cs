using System.Text.Json;
using Npgsql;
using StatusPlatform.Notify.Incidents;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Notices;
using StatusPlatform.Notify.Policy;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>
/// The durable record of every message to send (table notify.deliveries): rows are written before anything is sent,
/// one per (event, subscriber, channel), and workers claim them one at a time. What a row says is the notice of its
/// event (notify.notices), rendered per channel and locale when it is sent.
/// </summary>
public sealed class DeliveryLog(NpgsqlDataSource dataSource)
{
    public const string EmailChannel = "email";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Records the deliveries of a notice to its audience (and the ops room), in one transaction with the message
    /// id. Returns how many deliveries were recorded: 0 for a redelivered message. The quiet rule marks a delivery
    /// suppressed (recorded, never sent) when the subscriber heard about the incident within <paramref name="quietWindow"/>.
    /// </summary>
    public async Task<int> RecordAsync(Guid messageId, string messageType, Notice notice, Audience audience, TimeSpan quietWindow, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (notice.Kind == NoticeKind.Persisting)
        {
            // Resolved or told about since the check looked: nothing to say any more.
            await using var still = new NpgsqlCommand(
                "select 1 from notify.incidents where incident_id = $1 and resolved_at is null and announced_at is null for update", connection, tx);
            still.Parameters.Add(Text(notice.IncidentId!));
            if (await still.ExecuteScalarAsync(ct) is null)
                return 0;
        }
        await using (var processed = new NpgsqlCommand(
            "insert into notify.processed_messages (message_id, message_type) values ($1, $2) on conflict do nothing", connection, tx))
        {
            processed.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
            processed.Parameters.Add(Text(messageType));
            // A concurrent redelivery waits here for the first one's commit, then finds the row.
            if (await processed.ExecuteNonQueryAsync(ct) == 0)
                return 0;
        }

        var subject = IncidentEmail.Render(notice, Texts.English, null).Subject;
        await using var batch = new NpgsqlBatch(connection, tx);
        batch.BatchCommands.Add(Command(
            "insert into notify.notices (event_id, kind, incident_id, payload) values ($1, $2, $3, $4::jsonb)",
            Id(messageId), Text(notice.Kind), Text(notice.IncidentId), Text(JsonSerializer.Serialize(notice, Json))));
        if (notice.Kind == NoticeKind.Opened)
        {
            batch.BatchCommands.Add(Command("""
                insert into notify.incidents (incident_id, automatic, opened_event_id, opened_at) values ($1, $2, $3, $4)
                on conflict (incident_id) do nothing
                """, Text(notice.IncidentId), new NpgsqlParameter<bool> { TypedValue = notice.Automatic }, Id(messageId),
                new NpgsqlParameter<DateTimeOffset> { TypedValue = notice.At }));
        }
        var subscribers = batch.BatchCommands.Count;
        if (audience.ReachesSubscribers)
        {
            batch.BatchCommands.Add(Command("""
                insert into notify.deliveries (event_id, subscriber_id, channel, recipient, subject, incident_id, kind, status, last_error)
                select $1, s.id, s.channel, coalesce(s.email, s.endpoint, s.phone_number), $2, $3, $4,
                       case when q.quiet then 'suppressed' else 'pending' end,
                       case when q.quiet then 'quiet rule: this subscriber heard about the incident within the quiet window' end
                from notify.subscribers s
                cross join lateral (select $7 and exists (
                    select 1 from notify.deliveries d
                    where d.subscriber_id = s.id and d.incident_id = $3 and d.status in ('pending', 'sent') and d.created_at > now() - $8)) as q(quiet)
                where s.confirmed and s.unsubscribed_at is null and s.quarantined_at is null and s.source <> 'ops-room'
                  and s.channel = any ($5)
                  and (s.scope = 'page'
                       or (s.scope = 'components' and exists (
                           select 1 from notify.subscriber_components sc where sc.subscriber_id = s.id and sc.component_id = any ($6)))
                       or (s.scope = 'incident' and s.incident_id = $3))
                  and (not $9 or exists (
                       select 1 from notify.deliveries d
                       where d.subscriber_id = s.id and d.incident_id = $3 and d.status in ('pending', 'sent', 'failed')))
                on conflict (event_id, subscriber_id, channel) do nothing
                """,
                Id(messageId), Text(subject), Text(notice.IncidentId), Text(notice.Kind),
                new NpgsqlParameter<string[]> { TypedValue = [.. audience.Channels] },
                new NpgsqlParameter<string[]> { TypedValue = [.. notice.Components.Select(c => c.ComponentId).Distinct()] },
                new NpgsqlParameter<bool> { TypedValue = audience.Quiet && notice.IncidentId is not null },
                new NpgsqlParameter<TimeSpan> { TypedValue = quietWindow },
                new NpgsqlParameter<bool> { TypedValue = audience.OnlyThoseTold }));
        }
        if (audience.OpsRoom)
        {
            batch.BatchCommands.Add(Command("""
                insert into notify.deliveries (event_id, subscriber_id, channel, recipient, subject, incident_id, kind)
                select $1, s.id, s.channel, s.endpoint, $2, $3, $4 from notify.subscribers s where s.source = 'ops-room' and s.unsubscribed_at is null
                on conflict (event_id, subscriber_id, channel) do nothing
                """, Id(messageId), Text(subject), Text(notice.IncidentId), Text(notice.Kind)));
        }
        if (notice.IncidentId is not null)
        {
            batch.BatchCommands.Add(Command("""
                update notify.incidents set resolved_at = case when $2 then coalesce(resolved_at, now()) else resolved_at end,
                    announced_at = case when $3 then coalesce(announced_at, now()) else announced_at end
                where incident_id = $1
                """, Text(notice.IncidentId), new NpgsqlParameter<bool> { TypedValue = notice.Kind == NoticeKind.Resolved },
                new NpgsqlParameter<bool> { TypedValue = audience.ReachesSubscribers }));
        }
        await batch.ExecuteNonQueryAsync(ct);
        var recorded = 0;
        for (var i = subscribers; i < batch.BatchCommands.Count - (notice.IncidentId is null ? 0 : 1); i++)
            recorded += batch.BatchCommands[i].RecordsAffected;
        await tx.CommitAsync(ct);
        return recorded;
    }

    /// <summary>Records one delivery to one subscriber (a confirmation mail, a test ping), in the caller's transaction.</summary>
    public static async Task RecordSingleAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid subscriberId, Notice notice, CancellationToken ct)
    {
        var eventId = Guid.CreateVersion7();
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                Command("insert into notify.notices (event_id, kind, incident_id, payload) values ($1, $2, null, $3::jsonb)",
                    Id(eventId), Text(notice.Kind), Text(JsonSerializer.Serialize(notice, Json))),
                Command("""
                    insert into notify.deliveries (event_id, subscriber_id, channel, recipient, subject, kind)
                    select $1, s.id, s.channel, coalesce(s.email, s.endpoint, s.phone_number), $3, $4 from notify.subscribers s where s.id = $2
                    """, Id(eventId), Id(subscriberId), Text(notice.Name), Text(notice.Kind)),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> due deliveries on <paramref name="channels"/> with row locks that last until
    /// the batch commits (or the process dies, which releases them for another attempt). Empty when nothing is due.
    /// SKIP LOCKED lets workers and instances share the table; a batch per transaction keeps the database's share of
    /// each delivery small at 100k deliveries.
    /// </summary>
    public async Task<ClaimedBatch> ClaimAsync(IReadOnlyCollection<string> channels, int max, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var tx = await connection.BeginTransactionAsync(ct);
            // The rows are picked on the deliveries index alone; joined in the same statement, the planner scans every
            // pending row per claim, which at 100k pending deliveries turns the fan-out quadratic.
            await using var claim = new NpgsqlCommand("""
                with claimed as (
                    select id from notify.deliveries
                    where status = 'pending' and next_attempt_at <= now() and channel = any ($1)
                    order by next_attempt_at
                    limit $2
                    for update skip locked)
                select d.id, d.event_id, d.subscriber_id, d.channel, d.recipient, d.subject, d.body_text, d.body_html, d.attempts,
                       coalesce(d.kind, ''), s.locale, s.secret, s.confirmed, s.unsubscribed_at is not null, s.quarantined_at is not null,
                       n.payload::text, s.source = 'ops-room'
                from claimed c
                join notify.deliveries d on d.id = c.id
                join notify.subscribers s on s.id = d.subscriber_id
                left join notify.notices n on n.event_id = d.event_id
                order by d.next_attempt_at
                """, connection, tx);
            claim.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. channels] });
            claim.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
            var rows = new List<DeliveryToSend>();
            var notices = new Dictionary<Guid, Notice?>();
            await using (var reader = await claim.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var eventId = reader.GetGuid(1);
                    // A fan-out claims many rows of one event: its notice is read once per batch.
                    if (!notices.TryGetValue(eventId, out var notice))
                        notices[eventId] = notice = reader.IsDBNull(15) ? null : JsonSerializer.Deserialize<Notice>(reader.GetString(15), Json);
                    rows.Add(new DeliveryToSend(
                        reader.GetGuid(0), eventId, reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                        reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetInt32(8),
                        reader.GetString(9), reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11), reader.GetBoolean(12),
                        reader.GetBoolean(13), reader.GetBoolean(14), notice, reader.GetBoolean(16)));
                }
            }
            return new ClaimedBatch(dataSource, connection, tx, rows);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>How long until the earliest pending delivery on <paramref name="channels"/> is due (zero or less if one is due now), or null if none is pending.</summary>
    public async Task<TimeSpan?> TimeUntilNextDueAsync(IReadOnlyCollection<string> channels, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select min(next_attempt_at) - now() from notify.deliveries where status = 'pending' and channel = any ($1)");
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. channels] });
        return await command.ExecuteScalarAsync(ct) as TimeSpan?;
    }

    internal static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    internal static NpgsqlParameter<string> Text(string? value) => new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, TypedValue = value! };

    internal static NpgsqlParameter<Guid> Id(Guid value) => new() { TypedValue = value };
}
