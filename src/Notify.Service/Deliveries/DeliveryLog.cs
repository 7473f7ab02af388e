using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using StatusPlatform.Contracts;
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
public sealed class DeliveryLog(NpgsqlDataSource dataSource, DeliverySignal signal, IOptions<DeliveryOptions> options)
{
    public const string EmailChannel = "email";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Records the deliveries of a notice to its audience (and the ops room), keyed by the message id. Returns how many
    /// deliveries this call recorded: 0 for a message already handled. The quiet rule marks a delivery suppressed
    /// (recorded, never sent) when the subscriber heard about the incident within <paramref name="quietWindow"/>.
    /// With <paramref name="gatherFor"/>, deliveries to people (not webhooks, not the ops room) are held that long for
    /// the digest pass (<see cref="DigestFolder"/>) instead of being due at once. <paramref name="traceParent"/> is the
    /// trace the event came with; the sends continue it.
    /// </summary>
    /// <remarks>
    /// Recorded in steps, each its own transaction, and the workers are nudged after each, so sending starts after the
    /// first step instead of after all of a 100,000-subscriber fan-out: first the notice and the ops room, then per
    /// channel in the order of expected send cost (webhook, chat, SMS, email) the subscribers in id order, at most
    /// <see cref="DeliveryOptions.RecordBatchSize"/> per step, and last the message's "handled" marker. Why that is
    /// safe: a worker only sees committed rows, so every row is recorded before it is sent; every insert skips an
    /// existing (event, subscriber, channel) key, so repeating a step adds nothing and the worker never sees a row
    /// twice; the marker (notify.processed_messages) is written only after the last step, so a crash or failure
    /// anywhere before it leaves the message unacknowledged or in the error queue and its redelivery walks every step
    /// again, recording only what is missing. The rest is computed from the subscribers as they are at the redelivery.
    /// The incident's announced/resolved marks go with the marker: a persisting notice stopped part-way leaves its
    /// incident unannounced, so PersistentOutageWatch's next check finishes it (a begun notice skips the re-check).
    /// </remarks>
    public async Task<int> RecordAsync(Guid messageId, string messageType, Notice notice, Audience audience, TimeSpan quietWindow, CancellationToken ct,
        TimeSpan? gatherFor = null, string? traceParent = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var subject = IncidentEmail.Render(notice, Texts.English, null).Subject;
        if (await BeginAsync(connection, messageId, subject, notice, audience, traceParent, ct) is not { } recorded)
            return 0;
        if (recorded > 0)
            signal.Nudge();
        foreach (var channel in InSendOrder(audience.Channels))
        {
            var held = gatherFor is not null && DigestPolicy.Channels.Contains(channel);
            Guid? after = null;
            while (true)
            {
                var step = await RecordStepAsync(connection, messageId, subject, notice, audience, channel, after, quietWindow, held ? gatherFor : null, ct);
                recorded += step.Recorded;
                if (step.Recorded > 0)
                    signal.Nudge();
                if (step.Last is null)
                    break;
                after = step.Last;
            }
        }

        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, tx);
        batch.BatchCommands.Add(Command("insert into notify.processed_messages (message_id, message_type) values ($1, $2) on conflict do nothing",
            Id(messageId), Text(messageType)));
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
        await tx.CommitAsync(ct);
        return recorded;
    }

    /// <summary>
    /// The first step: null when the message was handled already (or a persisting notice has nothing to say any more),
    /// else stores the notice (and the incident of an opening) and records the ops room's delivery; returns how many.
    /// </summary>
    private static async Task<int?> BeginAsync(NpgsqlConnection connection, Guid messageId, string subject, Notice notice, Audience audience,
        string? traceParent, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        bool begun;
        await using (var seen = new NpgsqlCommand("""
            select exists (select 1 from notify.processed_messages where message_id = $1), exists (select 1 from notify.notices where event_id = $1)
            """, connection, tx))
        {
            seen.Parameters.Add(Id(messageId));
            await using var reader = await seen.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            if (reader.GetBoolean(0))
                return null;
            begun = reader.GetBoolean(1);
        }
        // A persisting notice that was begun before is finished whatever happened since: it told some subscribers already.
        if (notice.Kind == NoticeKind.Persisting && !begun)
        {
            // Resolved or told about since the check looked: nothing to say any more.
            await using var still = new NpgsqlCommand(
                "select 1 from notify.incidents where incident_id = $1 and resolved_at is null and announced_at is null for update", connection, tx);
            still.Parameters.Add(Text(notice.IncidentId!));
            if (await still.ExecuteScalarAsync(ct) is null)
                return null;
        }

        await using var batch = new NpgsqlBatch(connection, tx);
        batch.BatchCommands.Add(Command("""
            insert into notify.notices (event_id, kind, incident_id, payload, traceparent) values ($1, $2, $3, $4::jsonb, $5)
            on conflict (event_id) do nothing
            """, Id(messageId), Text(notice.Kind), Text(notice.IncidentId), Text(JsonSerializer.Serialize(notice, Json)), Text(traceParent)));
        if (notice.Kind == NoticeKind.Opened)
        {
            batch.BatchCommands.Add(Command("""
                insert into notify.incidents (incident_id, automatic, opened_event_id, opened_at) values ($1, $2, $3, $4)
                on conflict (incident_id) do nothing
                """, Text(notice.IncidentId), new NpgsqlParameter<bool> { TypedValue = notice.Automatic }, Id(messageId),
                new NpgsqlParameter<DateTimeOffset> { TypedValue = notice.At }));
        }
        if (audience.OpsRoom)
        {
            batch.BatchCommands.Add(Command("""
                insert into notify.deliveries (event_id, subscriber_id, channel, recipient, subject, incident_id, kind)
                select $1, s.id, s.channel, s.endpoint, $2, $3, $4 from notify.subscribers s where s.source = 'ops-room' and s.unsubscribed_at is null
                on conflict (event_id, subscriber_id, channel) do nothing
                """, Id(messageId), Text(subject), Text(notice.IncidentId), Text(notice.Kind)));
        }
        await batch.ExecuteNonQueryAsync(ct);
        var recorded = audience.OpsRoom ? batch.BatchCommands[^1].RecordsAffected : 0;
        await tx.CommitAsync(ct);
        return recorded;
    }

    /// <summary>
    /// One step: the deliveries to the next subscribers on <paramref name="channel"/> (ids after <paramref name="after"/>,
    /// in id order, at most a batch), in a transaction of its own. Last is the last subscriber looked at, or null when
    /// the channel is done.
    /// </summary>
    private async Task<(int Recorded, Guid? Last)> RecordStepAsync(NpgsqlConnection connection, Guid messageId, string subject, Notice notice,
        Audience audience, string channel, Guid? after, TimeSpan quietWindow, TimeSpan? holdFor, CancellationToken ct)
    {
        var batchSize = options.Value.RecordBatchSize;
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The (channel, id) index walks one channel's subscribers in id order, so each step starts where the last ended.
        // The quiet rule ignores this event's own rows: a redelivery must see the rest as the first attempt did.
        await using var command = new NpgsqlCommand($"""
            with audience as (
                select s.id, s.channel, coalesce(s.email, s.endpoint, s.phone_number) as recipient
                from notify.subscribers s
                where s.channel = $5 {(after is null ? "" : "and s.id > $12")}
                  and s.confirmed and s.unsubscribed_at is null and s.quarantined_at is null and s.source <> 'ops-room'
                  and (s.scope = 'page'
                       or (s.scope = 'components' and exists (
                           select 1 from notify.subscriber_components sc where sc.subscriber_id = s.id and sc.component_id = any ($6)))
                       or (s.scope = 'incident' and s.incident_id = $3))
                  and (not $9 or exists (
                       select 1 from notify.deliveries d
                       where d.subscriber_id = s.id and d.incident_id = $3 and d.status in ('pending', 'sent', 'failed', 'folded')))
                order by s.id
                limit $13),
            recorded as (
                insert into notify.deliveries (event_id, subscriber_id, channel, recipient, subject, incident_id, kind, status, last_error,
                                               held_until, next_attempt_at)
                select $1, a.id, a.channel, a.recipient, $2, $3, $4,
                       case when q.quiet then 'suppressed' else 'pending' end,
                       case when q.quiet then 'quiet rule: this subscriber heard about the incident within the quiet window' end,
                       case when h.held then now() + $11 end,
                       case when h.held then 'infinity'::timestamptz else now() end
                from audience a
                cross join lateral (select $7 and exists (
                    select 1 from notify.deliveries d
                    where d.subscriber_id = a.id and d.incident_id = $3 and d.event_id <> $1 and d.status in ('pending', 'sent', 'folded')
                      and d.created_at > now() - $8)) as q(quiet)
                cross join lateral (select not q.quiet and $10) as h(held)
                on conflict (event_id, subscriber_id, channel) do nothing
                returning 1)
            select (select count(*) from recorded)::int, (select count(*) from audience)::int, (select a.id from audience a order by a.id desc limit 1)
            """, connection, tx);
        command.Parameters.Add(Id(messageId));
        command.Parameters.Add(Text(subject));
        command.Parameters.Add(Text(notice.IncidentId));
        command.Parameters.Add(Text(notice.Kind));
        command.Parameters.Add(Text(channel));
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. notice.Components.Select(c => c.ComponentId).Distinct()] });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = audience.Quiet && notice.IncidentId is not null });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = quietWindow });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = audience.OnlyThoseTold });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = holdFor is not null });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = holdFor ?? TimeSpan.Zero });
        command.Parameters.Add(Id(after ?? Guid.Empty));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
        (int Recorded, int Looked, Guid? Last) step;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            step = (reader.GetInt32(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetGuid(2));
        }
        await tx.CommitAsync(ct);
        return (step.Recorded, step.Looked < batchSize ? null : step.Last);
    }

    /// <summary>The audience's channels, cheapest to send first: a webhook is one quick request, an email the slowest and most numerous.</summary>
    private static IEnumerable<string> InSendOrder(IReadOnlyList<string> channels) =>
        channels.Distinct(StringComparer.Ordinal).OrderBy(c => c switch
        {
            SubscriptionChannel.Webhook => 0,
            SubscriptionChannel.Sms => 2,
            SubscriptionChannel.Email => 3,
            _ => 1, // the chat platforms
        }).ThenBy(c => c, StringComparer.Ordinal);

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
            // One channel (email, webhook, sms) is an equality, so the (channel, next_attempt_at) index hands out rows
            // in order whatever the statistics say: with "= any" and the statistics of a table from before a 100k-row
            // fan-out (autoanalyze comes a minute later), the planner read and sorted every pending row per claim.
            var channel = channels.Count == 1 ? "channel = ($1)[1]" : "channel = any ($1)";
            await using var claim = new NpgsqlCommand($"""
                with claimed as (
                    select id from notify.deliveries
                    where status = 'pending' and next_attempt_at <= now() and {channel} and held_until is null
                      -- Marked: it went out before a crash cut its batch short; FinishMarkedAsync records it, never a resend.
                      and not exists (select 1 from notify.delivery_marks m where m.delivery_id = deliveries.id)
                    order by next_attempt_at
                    limit $2
                    for update skip locked)
                select d.id, d.event_id, d.subscriber_id, d.channel, d.recipient, d.subject, d.body_text, d.body_html, d.attempts,
                       coalesce(d.kind, ''), s.locale, s.secret, s.confirmed, s.unsubscribed_at is not null, s.quarantined_at is not null,
                       n.payload::text, s.source = 'ops-room', n.traceparent, d.created_at
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
                        reader.GetBoolean(13), reader.GetBoolean(14), notice, reader.GetBoolean(16),
                        reader.IsDBNull(17) ? null : reader.GetString(17), reader.GetFieldValue<DateTimeOffset>(18)));
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

    /// <summary>
    /// Records as sent the pending deliveries that were marked at their point of no return by a batch that never
    /// committed (a crash, a lost database connection): the receiver got them. Rows of batches still running are locked
    /// and skipped. Returns how many were recorded.
    /// </summary>
    public async Task<int> FinishMarkedAsync(IReadOnlyCollection<string> channels, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            with orphaned as (
                select d.id, m.marked_at from notify.delivery_marks m
                join notify.deliveries d on d.id = m.delivery_id
                where d.status = 'pending' and d.channel = any ($1)
                for update of d skip locked),
            finished as (
                update notify.deliveries d set status = 'sent', attempts = d.attempts + 1, sent_at = o.marked_at, last_error = null,
                    outcome = 'sent; the reply was not recorded (the sender stopped after the end of the message went out)'
                from orphaned o where d.id = o.id
                returning d.id),
            cleared as (delete from notify.delivery_marks m using finished f where m.delivery_id = f.id),
            -- Marks whose row was recorded anyway (a mark remembered through a database outage): nothing left to do.
            stale as (delete from notify.delivery_marks m using notify.deliveries d where d.id = m.delivery_id and d.status <> 'pending')
            select count(*)::int from finished
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. channels] });
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>How long until the earliest pending delivery on <paramref name="channels"/> is due (zero or less if one is due now), or null if none is pending.</summary>
    public async Task<TimeSpan?> TimeUntilNextDueAsync(IReadOnlyCollection<string> channels, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select min(next_attempt_at) - now() from notify.deliveries where status = 'pending' and channel = any ($1) and held_until is null");
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
