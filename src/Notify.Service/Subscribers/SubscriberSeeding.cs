using Npgsql;
using NpgsqlTypes;

namespace StatusPlatform.Notify.Subscribers;

/// <summary>
/// Upserts the subscribers of the configuration file: the file is authoritative for the addresses it lists (their
/// component lists are replaced), and applying it unchanged writes nothing. Subscribers no longer in the file are
/// left alone; removing people is a decision for the admin API, not a side effect of an edit.
/// </summary>
public static class SubscriberSeeding
{
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, IReadOnlyList<ConfiguredSubscriber> subscribers, CancellationToken ct)
    {
        if (subscribers.Count == 0)
            return;
        var emails = subscribers.Select(s => s.Email).ToArray();
        var pairs = subscribers.SelectMany(s => s.Components.Select(c => (s.Email, Component: c))).ToArray();

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                // Two instances seeding at once would otherwise race on the component lists.
                new("select pg_advisory_xact_lock(hashtext('notify.seed'))"),
                Command("""
                    insert into notify.subscribers (email, source, confirmed)
                    select e, 'config', true from unnest($1::text[]) as e
                    on conflict ((lower(email))) do update set email = excluded.email, confirmed = true
                    where (notify.subscribers.email, notify.subscribers.confirmed) is distinct from (excluded.email, true)
                    """, emails),
                Command("""
                    delete from notify.subscriber_components sc
                    using notify.subscribers s
                    where sc.subscriber_id = s.id
                      and lower(s.email) = any (select lower(e) from unnest($1::text[]) as e)
                      and (lower(s.email), sc.component_id) not in (select lower(p.e), p.c from unnest($2::text[], $3::text[]) as p(e, c))
                    """, emails, pairs.Select(p => p.Email).ToArray(), pairs.Select(p => p.Component).ToArray()),
                Command("""
                    insert into notify.subscriber_components (subscriber_id, component_id)
                    select s.id, p.c from unnest($1::text[], $2::text[]) as p(e, c)
                    join notify.subscribers s on lower(s.email) = lower(p.e)
                    on conflict do nothing
                    """, pairs.Select(p => p.Email).ToArray(), pairs.Select(p => p.Component).ToArray()),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static NpgsqlBatchCommand Command(string sql, params string[][] arrays)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var array in arrays)
            command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = array });
        return command;
    }
}
