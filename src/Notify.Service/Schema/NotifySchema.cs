using Npgsql;

namespace StatusPlatform.Notify.Schema;

/// <summary>Creates or upgrades the notify schema; every statement is idempotent so each start-up can run it.</summary>
public static class NotifySchema
{
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Two instances starting at once must not both run DDL; the lock is released at commit.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('notify.migrate'))", connection, tx))
            await lockCommand.ExecuteNonQueryAsync(ct);
        await using (var command = new NpgsqlCommand(Ddl, connection, tx))
            await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private const string Ddl = """
        create schema if not exists notify;

        create table if not exists notify.subscribers (
            id          uuid primary key default gen_random_uuid(),
            email       text not null,
            source      text not null,                  -- where the subscription came from: config, later api or page
            confirmed   boolean not null default false, -- double opt-in; the operator vouches for config-seeded ones
            created_at  timestamptz not null default now()
        );

        -- One subscriber per mailbox, however the address is capitalised.
        create unique index if not exists subscribers_email_key on notify.subscribers (lower(email));

        create table if not exists notify.subscriber_components (
            subscriber_id uuid not null references notify.subscribers(id) on delete cascade,
            component_id  text not null,
            primary key (subscriber_id, component_id)
        );

        -- The audience query goes from an event's components to their subscribers.
        create index if not exists subscriber_components_component on notify.subscriber_components (component_id);

        -- Written in the same transaction as a message's deliveries: a redelivered message finds its id here and
        -- adds nothing, even if the subscribers changed in between.
        create table if not exists notify.processed_messages (
            message_id   uuid primary key,
            message_type text not null,
            processed_at timestamptz not null default now()
        );

        create table if not exists notify.deliveries (
            id              uuid primary key default gen_random_uuid(),
            event_id        uuid not null,          -- the integration message's MessageId
            subscriber_id   uuid not null references notify.subscribers(id),
            channel         text not null,
            recipient       text not null,
            subject         text not null,
            body_text       text not null,
            body_html       text not null,
            status          text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
            attempts        integer not null default 0,
            last_error      text null,
            next_attempt_at timestamptz not null default now(),
            created_at      timestamptz not null default now(),
            sent_at         timestamptz null,
            unique (event_id, subscriber_id, channel)
        );

        -- The delivery worker's work list.
        create index if not exists deliveries_due on notify.deliveries (next_attempt_at) where status = 'pending';
        """;
}
