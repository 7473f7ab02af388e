using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;
using StatusPlatform.Notify.Notices;
using StatusPlatform.Notify.Security;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>The outcome of recording a subscription; <see cref="RetryAfter"/> set: refused by the per-address limit, nothing changed.</summary>
public sealed record SubscriptionRecorded(Guid SubscriberId, bool Created, bool ConfirmationSent, string? Secret, TimeSpan? RetryAfter = null);

/// <summary>At most <paramref name="Mails"/> subscription mails (or pings) per address in <paramref name="Window"/>.</summary>
public sealed record SubscriptionMailLimit(int Mails, TimeSpan Window);

/// <summary>
/// Writes subscriptions (notify.subscribers and their components). An email address is confirmed only by following
/// the confirmation link; webhook, chat and SMS subscribers are active at once (knowing the URL or number is the
/// credential) and webhooks and chat get a test ping. Whatever a request triggers is recorded as a delivery in the
/// same transaction, so it is sent once and survives a crash.
/// </summary>
public sealed class SubscriptionStore(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <param name="operatorConfirmed">An admin import vouches for the addresses: no confirmation mail.</param>
    /// <param name="notify">Send the confirmation mail or test ping (not for imports).</param>
    /// <param name="limit">For anonymous requests: refuse, changing nothing, when the address had this many subscription mails already.</param>
    public async Task<SubscriptionRecorded> SubscribeAsync(SubscriptionRequest request, TimeSpan confirmationLifetime, bool operatorConfirmed, bool notify,
        CancellationToken ct, SubscriptionMailLimit? limit = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var isEmail = request.Channel == SubscriptionChannel.Email;
        var keyColumn = isEmail ? "email" : request.Channel == SubscriptionChannel.Sms ? "phone_number" : "endpoint";
        var keyMatch = isEmail ? "lower(email) = lower($1)" : keyColumn == "phone_number" ? "phone_number = $1" : "channel = $2 and endpoint = $1";

        Guid id;
        bool created, confirmed, active;
        string? secret;
        await using (var find = new NpgsqlCommand(
            $"select id, confirmed, unsubscribed_at is null and quarantined_at is null, secret from notify.subscribers where {keyMatch} for update", connection, tx))
        {
            find.Parameters.Add(DeliveryLog.Text(request.Address));
            find.Parameters.Add(DeliveryLog.Text(request.Channel));
            await using var reader = await find.ExecuteReaderAsync(ct);
            created = !await reader.ReadAsync(ct);
            (id, confirmed, active, secret) = created ? (Guid.CreateVersion7(), false, false, null)
                : (reader.GetGuid(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        }
        // Under the row lock taken above, so two requests at once cannot both pass. A new address has no mail yet.
        if (notify && limit is not null && !created && await RetryAfterAsync(connection, tx, id, limit, ct) is { } retryAfter)
            return new SubscriptionRecorded(id, created, ConfirmationSent: false, secret, retryAfter);
        if (request.Channel == SubscriptionChannel.Webhook)
            secret ??= SubscriberTokens.NewWebhookSecret();

        // A confirmed, active email subscriber is not changed by an anonymous request: its owner gets the manage link instead.
        var alreadyActive = isEmail && !created && confirmed && active && !operatorConfirmed;
        var confirmNow = !isEmail || operatorConfirmed;
        if (!alreadyActive)
        {
            await using var upsert = new NpgsqlCommand(created
                ? $"""
                   insert into notify.subscribers (id, {keyColumn}, channel, source, confirmed, confirmed_at, scope, incident_id, locale, secret)
                   values ($1, $2, $3, $4, $5, case when $5 then now() end, $6, $7, $8, $9)
                   """
                : """
                  update notify.subscribers set channel = $3, confirmed = (confirmed and unsubscribed_at is null and quarantined_at is null) or $5,
                      confirmed_at = case when $5 then coalesce(confirmed_at, now()) else confirmed_at end,
                      scope = $6, incident_id = $7, locale = $8, secret = $9, unsubscribed_at = null, unsubscribe_reason = null, quarantined_at = null,
                      consecutive_failures = 0
                  where id = $1
                  """, connection, tx);
            upsert.Parameters.Add(DeliveryLog.Id(id));
            upsert.Parameters.Add(DeliveryLog.Text(request.Address));
            upsert.Parameters.Add(DeliveryLog.Text(request.Channel));
            upsert.Parameters.Add(DeliveryLog.Text(operatorConfirmed ? "import" : "api"));
            upsert.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = confirmNow });
            upsert.Parameters.Add(DeliveryLog.Text(request.Scope));
            upsert.Parameters.Add(DeliveryLog.Text(request.IncidentId));
            upsert.Parameters.Add(DeliveryLog.Text(request.Locale));
            upsert.Parameters.Add(DeliveryLog.Text(secret));
            await upsert.ExecuteNonQueryAsync(ct);
            await ReplaceComponentsAsync(connection, tx, id, request.ComponentIds, ct);
        }

        var confirmationSent = false;
        if (notify)
        {
            Notice? notice = alreadyActive ? Subscription(NoticeKind.AlreadySubscribed, now, null)
                : isEmail && !confirmNow ? Subscription(NoticeKind.Confirmation, now, now + confirmationLifetime)
                : request.Channel is SubscriptionChannel.Sms ? null
                : Subscription(NoticeKind.Ping, now, null);
            if (notice is not null)
                await DeliveryLog.RecordSingleAsync(connection, tx, id, notice, ct);
            // The confirmed owner gets the manage link instead: the same answer either way, so a stranger learns nothing.
            confirmationSent = notice?.Kind is NoticeKind.Confirmation or NoticeKind.AlreadySubscribed;
        }
        await tx.CommitAsync(ct);
        return new SubscriptionRecorded(id, created, confirmationSent, secret);
    }

    /// <summary>How long until the address may get another subscription mail, or null when it may now.</summary>
    private static async Task<TimeSpan?> RetryAfterAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, SubscriptionMailLimit limit, CancellationToken ct)
    {
        // The limit-th most recent mail in the window: when it leaves the window, one more is allowed.
        await using var command = new NpgsqlCommand($"""
            select extract(epoch from created_at + $2 - now()) from notify.deliveries
            where subscriber_id = $1 and kind in ('{NoticeKind.Confirmation}', '{NoticeKind.AlreadySubscribed}', '{NoticeKind.Ping}') and created_at > now() - $2
            order by created_at desc offset $3 limit 1
            """, connection, tx);
        command.Parameters.Add(DeliveryLog.Id(id));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = limit.Window });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit.Mails - 1 });
        return await command.ExecuteScalarAsync(ct) is { } seconds and not DBNull
            ? TimeSpan.FromSeconds(Math.Max(1, Convert.ToDouble(seconds, System.Globalization.CultureInfo.InvariantCulture)))
            : null;
    }

    /// <summary>Marks the subscriber confirmed (again: idempotent); false when it does not exist or has left.</summary>
    public async Task<bool> ConfirmAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            update notify.subscribers set confirmed = true, confirmed_at = coalesce(confirmed_at, now())
            where id = $1 and unsubscribed_at is null and source <> 'ops-room'
            """);
        command.Parameters.Add(DeliveryLog.Id(id));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Ends the subscription; pending deliveries are skipped when claimed. Idempotent.</summary>
    public async Task<bool> UnsubscribeAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "update notify.subscribers set unsubscribed_at = coalesce(unsubscribed_at, now()) where id = $1 and source <> 'ops-room'");
        command.Parameters.Add(DeliveryLog.Id(id));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Replaces what the subscriber follows: components, or none for the whole page.</summary>
    public async Task<bool> UpdateAsync(Guid id, IReadOnlyList<string> components, string? locale, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var update = new NpgsqlCommand("""
            update notify.subscribers set scope = $2, incident_id = null, locale = coalesce($3, locale)
            where id = $1 and unsubscribed_at is null and source <> 'ops-room'
            """, connection, tx))
        {
            update.Parameters.Add(DeliveryLog.Id(id));
            update.Parameters.Add(DeliveryLog.Text(components.Count > 0 ? SubscriptionScope.Components : SubscriptionScope.Page));
            update.Parameters.Add(DeliveryLog.Text(locale));
            if (await update.ExecuteNonQueryAsync(ct) == 0)
                return false;
        }
        await ReplaceComponentsAsync(connection, tx, id, components, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>An active subscriber as its owner sees it (the manage token is added by the caller), or null.</summary>
    public async Task<SubscriberView?> FindAsync(Guid id, CancellationToken ct)
    {
        var all = await ReadAsync("s.id = $1", ct, DeliveryLog.Id(id));
        return all.Count == 1 ? all[0] : null;
    }

    /// <summary>Every active subscriber but the ops room, for export.</summary>
    public Task<IReadOnlyList<SubscriberView>> AllAsync(CancellationToken ct) => ReadAsync("true", ct);

    private async Task<IReadOnlyList<SubscriberView>> ReadAsync(string where, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        await using var command = dataSource.CreateCommand($"""
            select s.id, s.channel, coalesce(s.email, s.endpoint, s.phone_number), s.scope,
                   coalesce(array_agg(sc.component_id order by sc.component_id) filter (where sc.component_id is not null), array[]::text[]),
                   s.incident_id, s.locale, s.confirmed, s.quarantined_at
            from notify.subscribers s left join notify.subscriber_components sc on sc.subscriber_id = s.id
            where {where} and s.unsubscribed_at is null and s.source <> 'ops-room'
            group by s.id order by s.channel, 3
            """);
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var views = new List<SubscriberView>();
        while (await reader.ReadAsync(ct))
        {
            views.Add(new SubscriberView(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<string[]>(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetBoolean(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8)));
        }
        return views;
    }

    private static async Task ReplaceComponentsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, IReadOnlyList<string> components, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                DeliveryLog.Command("delete from notify.subscriber_components where subscriber_id = $1", DeliveryLog.Id(id)),
                DeliveryLog.Command(
                    "insert into notify.subscriber_components (subscriber_id, component_id) select $1, c from unnest($2::text[]) as c on conflict do nothing",
                    DeliveryLog.Id(id), new NpgsqlParameter<string[]> { TypedValue = [.. components] }),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }

    private static Notice Subscription(string kind, DateTimeOffset now, DateTimeOffset? expiresAt) =>
        new(kind, null, kind, "", IncidentImpact.None, "", [], now, ExpiresAt: expiresAt);
}

/// <summary>A subscriber as the manage page and the export show it.</summary>
public sealed record SubscriberView(
    Guid Id, string Channel, string Address, string Scope, IReadOnlyList<string> ComponentIds, string? IncidentId, string Locale, bool Confirmed,
    DateTimeOffset? QuarantinedAt);
