using Npgsql;
using StatusPlatform.Contracts;
using StatusPlatform.Notify.Deliveries;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>An existing subscriber with the address a new subscription names.</summary>
public sealed record ExistingSubscriber(Guid Id, string State, bool OpsRoom);

/// <summary>
/// What the admin API reads and the two writes only it makes (lifting a quarantine); subscribing, changing and
/// unsubscribing go through <see cref="SubscriptionStore"/>, as the public endpoints do. The ops room is never listed: it
/// is configuration, not a subscriber anyone manages.
/// </summary>
public sealed class AdminSubscriberStore(NpgsqlDataSource dataSource)
{
    // The state as the contract names it, in the order that decides it (SubscriberState).
    private const string StateSql = """
        case when s.unsubscribed_at is not null then 'unsubscribed' when s.quarantined_at is not null then 'quarantined'
             when s.confirmed then 'confirmed' else 'pending' end
        """;

    private const string Filter = $"""
        from notify.subscribers s
        cross join lateral (select {StateSql}) as st(state)
        where s.source <> 'ops-room'
          and ($1::text is null or coalesce(s.email, s.endpoint, s.phone_number) ilike '%' || $1 || '%')
          and ($2::text is null or s.channel = $2)
          and (case when $3::text is null then st.state <> 'unsubscribed' when $3 = 'all' then true else st.state = $3 end)
        """;

    /// <summary>One page of the subscribers that match, ordered by address, and how many match in all.</summary>
    public async Task<(IReadOnlyList<SubscriberRecord> Page, int Total)> ListAsync(string? query, string? channel, string? state, int page, int perPage, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // Repeatable read: the count and the page are of the same moment, so "page 3 of 3" is not short of the total.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var count = new NpgsqlCommand($"select count(*) {Filter}", connection, tx);
        count.Parameters.AddRange(FilterParameters(query, channel, state));
        var total = (int)(long)(await count.ExecuteScalarAsync(ct))!;

        await using var list = new NpgsqlCommand($"""
            select {Columns} {Filter}
            order by lower(coalesce(s.email, s.endpoint, s.phone_number)), s.id
            offset $4 limit $5
            """, connection, tx);
        list.Parameters.AddRange(FilterParameters(query, channel, state));
        list.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)(page - 1) * perPage });
        list.Parameters.Add(new NpgsqlParameter<int> { TypedValue = perPage });
        var rows = await ReadRecordsAsync(list, ct);
        await tx.CommitAsync(ct);
        return (rows, total);
    }

    /// <summary>A subscriber in any state (unsubscribed included), or null; never the ops room.</summary>
    public async Task<SubscriberRecord?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            select {Columns} from notify.subscribers s cross join lateral (select {StateSql}) as st(state)
            where s.id = $1 and s.source <> 'ops-room'
            """);
        command.Parameters.Add(DeliveryLog.Id(id));
        var rows = await ReadRecordsAsync(command, ct);
        return rows.Count == 1 ? rows[0] : null;
    }

    /// <summary>The subscriber that already holds this address on this channel (keyed as SubscriptionStore keys them), or null.</summary>
    public async Task<ExistingSubscriber?> FindByAddressAsync(string channel, string address, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            select s.id, {StateSql}, s.source = 'ops-room' from notify.subscribers s
            where case when $1 = 'email' then lower(s.email) = lower($2) when $1 = 'sms' then s.phone_number = $2
                       else s.channel = $1 and s.endpoint = $2 end
            """);
        command.Parameters.Add(DeliveryLog.Text(channel));
        command.Parameters.Add(DeliveryLog.Text(address));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ExistingSubscriber(reader.GetGuid(0), reader.GetString(1), reader.GetBoolean(2)) : null;
    }

    /// <summary>The subscriber's most recent deliveries, newest first.</summary>
    public async Task<IReadOnlyList<SubscriberDelivery>> DeliveriesAsync(Guid id, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            select id, event_id, coalesce(kind, ''), incident_id, channel, status, attempts, last_error, outcome, created_at, sent_at, next_attempt_at
            from notify.deliveries where subscriber_id = $1
            order by created_at desc, id desc limit $2
            """);
        command.Parameters.Add(DeliveryLog.Id(id));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var deliveries = new List<SubscriberDelivery>();
        while (await reader.ReadAsync(ct))
        {
            deliveries.Add(new SubscriberDelivery(reader.GetGuid(0).ToString(), reader.GetGuid(1).ToString(), reader.GetString(2), NullableText(reader, 3),
                reader.GetString(4), reader.GetString(5), reader.GetInt32(6), NullableText(reader, 7), NullableText(reader, 8),
                reader.GetFieldValue<DateTimeOffset>(9), reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10), reader.GetFieldValue<DateTimeOffset>(11)));
        }
        return deliveries;
    }

    /// <summary>The error that put the subscriber into quarantine: that of its most recent failed delivery.</summary>
    public async Task<string?> QuarantineReasonAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            select last_error from notify.deliveries where subscriber_id = $1 and status = 'failed' order by created_at desc, id desc limit 1
            """);
        command.Parameters.Add(DeliveryLog.Id(id));
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>Lifts the quarantine of a subscriber that has not left; its failures are counted from zero again. Idempotent.</summary>
    public async Task ReactivateAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            update notify.subscribers set quarantined_at = null, consecutive_failures = 0
            where id = $1 and quarantined_at is not null and unsubscribed_at is null and source <> 'ops-room'
            """);
        command.Parameters.Add(DeliveryLog.Id(id));
        await command.ExecuteNonQueryAsync(ct);
    }

    private const string Columns = """
        s.id, s.channel, coalesce(s.email, s.endpoint, s.phone_number), s.scope,
        coalesce((select array_agg(sc.component_id order by sc.component_id) from notify.subscriber_components sc where sc.subscriber_id = s.id), array[]::text[]),
        s.incident_id, s.locale, st.state, s.created_at, s.confirmed_at, s.quarantined_at, s.unsubscribed_at, s.consecutive_failures
        """;

    private static NpgsqlParameter[] FilterParameters(string? query, string? channel, string? state) =>
    [
        // LIKE's wildcards in the text are meant literally: "a_b" finds "a_b", not "axb".
        DeliveryLog.Text(query?.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal)),
        DeliveryLog.Text(channel),
        DeliveryLog.Text(state),
    ];

    private static async Task<IReadOnlyList<SubscriberRecord>> ReadRecordsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var records = new List<SubscriberRecord>();
        while (await reader.ReadAsync(ct))
        {
            records.Add(new SubscriberRecord(reader.GetGuid(0).ToString(), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<string[]>(4), NullableText(reader, 5), reader.GetString(6), reader.GetString(7), reader.GetFieldValue<DateTimeOffset>(8),
                Nullable(reader, 9), Nullable(reader, 10), Nullable(reader, 11), reader.GetInt32(12)));
        }
        return records;
    }

    private static string? NullableText(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static DateTimeOffset? Nullable(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
}
