using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using StatusPlatform.Notify.Incidents;
using StatusPlatform.Notify.Messages;
using StatusPlatform.Notify.Notices;
using StatusPlatform.Notify.Policy;
using StatusPlatform.Notify.Schema;

namespace StatusPlatform.Notify.Deliveries;

/// <summary>
/// The digest pass: when a subscriber's held deliveries on a channel are due, decides (<see cref="DigestPolicy.Decide"/>)
/// to keep them waiting, release them one by one, or fold them into one digest delivery, and records that decision in
/// one transaction before anything is sent: the folded rows become 'folded' and point at the digest row, which the
/// delivery worker then sends like any other. A crash before the commit leaves them held for the next pass; one pass
/// at a time across all instances (an advisory lock), so no two instances fold the same rows into two digests.
/// </summary>
public sealed class DigestFolder(
    NotifyDatabase database,
    NpgsqlDataSource dataSource,
    DeliverySignal signal,
    NotifyMetrics metrics,
    IOptions<NotifyOptions> options,
    IOptions<DeliveryOptions> delivery,
    ILogger<DigestFolder> logger) : BackgroundService
{
    public const string Group = "digest";

    /// <summary>Subscriber-channel groups decided per transaction, so a storm to many subscribers commits in steps.</summary>
    private const int GroupsPerPass = 500;

    /// <summary>Deliveries released alone per transaction (see <see cref="DecideAsync"/>).</summary>
    private const int ReleasesPerPass = 5000;

    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(100);

    private readonly DigestOptions _options = options.Value.Digest;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        signal.Register(Group);
        await database.WhenReadyAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = delivery.Value.PollInterval;
            try
            {
                if (await FoldDueAsync(stoppingToken) is { } next && next < wait)
                    wait = next;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The digest pass failed; trying again in {Wait}", wait);
            }
            if (wait <= TimeSpan.Zero)
                continue; // more groups are due than one pass takes
            await signal.WaitAsync(Group, wait < MinimumWait ? MinimumWait : wait, stoppingToken);
        }
    }

    /// <summary>Decides every due group (up to <see cref="GroupsPerPass"/>); returns how long until the next held delivery is due, zero if more are due now, null if none is held.</summary>
    public async Task<TimeSpan?> FoldDueAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            DateTimeOffset now;
            await using (var gate = new NpgsqlCommand("select pg_try_advisory_xact_lock(hashtext('notify.digest')), now()", connection, tx))
            await using (var reader = await gate.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                if (!reader.GetBoolean(0))
                    return TimeSpan.FromSeconds(1); // another instance is folding; look again shortly
                now = reader.GetFieldValue<DateTimeOffset>(1);
            }
            var decided = await DecideAsync(connection, tx, now, ct);
            await tx.CommitAsync(ct);
            if (decided.Changed)
                signal.Nudge();
            if (decided.Full)
                return TimeSpan.Zero;
        }
        await using var next = new NpgsqlCommand("select min(held_until) - now() from notify.deliveries where held_until is not null", connection);
        return await next.ExecuteScalarAsync(ct) as TimeSpan?;
    }

    private async Task<(bool Changed, bool Full)> DecideAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset now, CancellationToken ct)
    {
        // The usual case in one statement: a due delivery that is its subscriber's only held one on the channel, with no
        // digest in the window, can only be released (DigestPolicy.Decide: one key is below any threshold). Deciding
        // those row by row would cost a one-incident fan-out to 100,000 subscribers hundreds of passes. At most
        // ReleasesPerPass of the earliest due, so a fan-out is released in steps that commit (and wake the workers) in
        // a fraction of a second each rather than in one 100,000-row update of seconds. The candidates come from the
        // held_until index in order and are updated through the primary key: every part of it is an index lookup.
        int alone;
        await using (var release = new NpgsqlCommand("""
            update notify.deliveries d set held_until = null, next_attempt_at = now()
            where d.id = any (array(select c.id from notify.deliveries c where c.held_until <= $1 and c.status = 'pending' order by c.held_until limit $3))
              and d.held_until is not null
              and not exists (select 1 from notify.deliveries o
                              where o.subscriber_id = d.subscriber_id and o.channel = d.channel and o.held_until is not null and o.id <> d.id)
              and not exists (select 1 from notify.deliveries g
                              where g.subscriber_id = d.subscriber_id and g.channel = d.channel and g.kind = 'digest' and g.created_at > $2)
            """, connection, tx))
        {
            release.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            release.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now - _options.Window });
            release.Parameters.Add(new NpgsqlParameter<int> { TypedValue = ReleasesPerPass });
            alone = await release.ExecuteNonQueryAsync(ct);
        }
        // More may be due alone: the next pass follows at once. Groups of several rows wait for the flood to be released
        // (ReleasesPerPass rows a pass, far ahead of what the workers send), then get the whole of a pass.
        if (alone >= ReleasesPerPass)
            return (true, true);

        // Every held row of each group with something due: rows not yet due join the digest early rather than wait for the next one.
        var held = new List<HeldRow>();
        await using (var select = new NpgsqlCommand("""
            with due as (
                select distinct subscriber_id, channel from notify.deliveries where held_until <= $1 limit $2)
            select d.id, d.event_id, d.subscriber_id, d.channel, d.recipient, d.held_until
            from notify.deliveries d join due on d.subscriber_id = due.subscriber_id and d.channel = due.channel
            where d.held_until is not null and d.status = 'pending'
            """, connection, tx))
        {
            select.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            select.Parameters.Add(new NpgsqlParameter<int> { TypedValue = GroupsPerPass });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                held.Add(new HeldRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }
        if (held.Count == 0)
            return (alone > 0, false);
        var groups = held.GroupBy(h => (h.SubscriberId, h.Channel)).ToList();

        var notices = new Dictionary<Guid, (Notice Notice, string? TraceParent)>();
        await using (var select = new NpgsqlCommand("select event_id, payload::text, traceparent from notify.notices where event_id = any ($1)", connection, tx))
        {
            select.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. held.Select(h => h.EventId).Distinct()] });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                notices[reader.GetGuid(0)] = (JsonSerializer.Deserialize<Notice>(reader.GetString(1), DeliveryLog.Json)!, reader.IsDBNull(2) ? null : reader.GetString(2));
        }

        var lastDigest = new Dictionary<(Guid, string), DateTimeOffset>();
        await using (var select = new NpgsqlCommand("""
            select subscriber_id, channel, max(created_at) from notify.deliveries
            where kind = 'digest' and subscriber_id = any ($1) and created_at > $2 group by subscriber_id, channel
            """, connection, tx))
        {
            select.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. groups.Select(g => g.Key.SubscriberId).Distinct()] });
            select.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now - _options.Window });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                lastDigest[(reader.GetGuid(0), reader.GetString(1))] = reader.GetFieldValue<DateTimeOffset>(2);
        }

        var waiting = new List<(Guid Id, DateTimeOffset Until)>();
        var released = new List<Guid>();
        var digestNotices = new Dictionary<Guid, (Notice Notice, string? TraceParent)>();
        var digests = new List<(Guid DeliveryId, Guid EventId, Guid SubscriberId, string Channel, string Recipient, string Subject)>();
        var folded = new List<(Guid Id, Guid DigestId)>();
        foreach (var group in groups)
        {
            var rows = group.ToList();
            var candidates = rows.Select(r => new HeldDelivery(r.Id, r.EventId, KeyOf(notices, r.EventId), r.HeldUntil)).ToList();
            var decision = DigestPolicy.Decide(candidates, lastDigest.TryGetValue(group.Key, out var last) ? last : null, now, _options);
            switch (decision.Action)
            {
                case DigestAction.Wait:
                    waiting.AddRange(rows.Select(r => (r.Id, decision.Until!.Value)));
                    break;
                case DigestAction.Release:
                    released.AddRange(rows.Select(r => r.Id));
                    break;
                case DigestAction.Fold:
                    // A row whose notice is gone could not be listed: it goes out by itself (and renders as it can).
                    released.AddRange(rows.Where(r => !notices.ContainsKey(r.EventId)).Select(r => r.Id));
                    rows = [.. rows.Where(r => notices.ContainsKey(r.EventId))];
                    if (rows.Count == 0)
                        break;
                    var events = rows.Select(r => r.EventId).Distinct().ToList();
                    var (digestEventId, digest) = DigestPolicy.Compose([.. events.Select(e => (e, notices[e].Notice))]);
                    // The earliest event's trace carries the digest's send span.
                    var trace = events.Select(e => notices[e]).OrderBy(n => n.Notice.At).Select(n => n.TraceParent).FirstOrDefault(t => t is not null);
                    digestNotices.TryAdd(digestEventId, (digest, trace));
                    var deliveryId = Guid.CreateVersion7();
                    digests.Add((deliveryId, digestEventId, group.Key.SubscriberId, group.Key.Channel, rows[0].Recipient,
                        IncidentEmail.Render(digest, Texts.English, null).Subject));
                    folded.AddRange(rows.Select(r => (r.Id, deliveryId)));
                    metrics.DigestMade(group.Key.Channel, rows.Count);
                    break;
            }
        }

        await using var batch = new NpgsqlBatch(connection, tx);
        if (waiting.Count > 0)
        {
            batch.BatchCommands.Add(DeliveryLog.Command("""
                update notify.deliveries d set held_until = u.until from unnest($1::uuid[], $2::timestamptz[]) as u(id, until) where d.id = u.id
                """,
                new NpgsqlParameter<Guid[]> { TypedValue = [.. waiting.Select(w => w.Id)] },
                new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. waiting.Select(w => w.Until)] }));
        }
        if (released.Count > 0)
        {
            batch.BatchCommands.Add(DeliveryLog.Command(
                "update notify.deliveries set held_until = null, next_attempt_at = now() where id = any ($1)",
                new NpgsqlParameter<Guid[]> { TypedValue = [.. released] }));
        }
        if (digests.Count > 0)
        {
            // Subscribers who gathered the same events share one stored digest notice.
            batch.BatchCommands.Add(DeliveryLog.Command("""
                insert into notify.notices (event_id, kind, incident_id, payload, traceparent)
                select u.id, 'digest', null, u.payload::jsonb, u.traceparent from unnest($1::uuid[], $2::text[], $3::text[]) as u(id, payload, traceparent)
                on conflict (event_id) do nothing
                """,
                new NpgsqlParameter<Guid[]> { TypedValue = [.. digestNotices.Keys] },
                new NpgsqlParameter<string[]> { TypedValue = [.. digestNotices.Values.Select(d => JsonSerializer.Serialize(d.Notice, DeliveryLog.Json))] },
                new NpgsqlParameter<string?[]> { TypedValue = [.. digestNotices.Values.Select(d => d.TraceParent)] }));
            batch.BatchCommands.Add(DeliveryLog.Command("""
                insert into notify.deliveries (id, event_id, subscriber_id, channel, recipient, subject, kind)
                select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
                """,
                new NpgsqlParameter<Guid[]> { TypedValue = [.. digests.Select(d => d.DeliveryId)] },
                new NpgsqlParameter<Guid[]> { TypedValue = [.. digests.Select(d => d.EventId)] },
                new NpgsqlParameter<Guid[]> { TypedValue = [.. digests.Select(d => d.SubscriberId)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. digests.Select(d => d.Channel)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. digests.Select(d => d.Recipient)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. digests.Select(d => d.Subject)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. digests.Select(_ => NoticeKind.Digest)] }));
            batch.BatchCommands.Add(DeliveryLog.Command("""
                update notify.deliveries d set status = 'folded', held_until = null, digest_id = u.digest_id,
                    last_error = 'digest: sent as part of delivery ' || u.digest_id
                from unnest($1::uuid[], $2::uuid[]) as u(id, digest_id) where d.id = u.id
                """,
                new NpgsqlParameter<Guid[]> { TypedValue = [.. folded.Select(f => f.Id)] },
                new NpgsqlParameter<Guid[]> { TypedValue = [.. folded.Select(f => f.DigestId)] }));
        }
        if (batch.BatchCommands.Count > 0)
            await batch.ExecuteNonQueryAsync(ct);
        if (digests.Count > 0 || released.Count > 0)
            logger.LogInformation("Digest pass: {Digests} digests folding {Folded} deliveries, {Released} released, {Waiting} waiting",
                digests.Count, folded.Count, released.Count, waiting.Count);
        return (alone > 0 || digests.Count > 0 || released.Count > 0, groups.Count >= GroupsPerPass);
    }

    // A row whose notice is missing cannot be told apart from others: it counts on its own and is sent by itself.
    private static string KeyOf(Dictionary<Guid, (Notice Notice, string? TraceParent)> notices, Guid eventId) =>
        notices.TryGetValue(eventId, out var n) ? DigestPolicy.KeyOf(n.Notice) : $"event:{eventId}";

    private sealed record HeldRow(Guid Id, Guid EventId, Guid SubscriberId, string Channel, string Recipient, DateTimeOffset HeldUntil);
}
