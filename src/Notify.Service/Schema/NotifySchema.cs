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

        -- Channels other than email, scopes, double opt-in and quarantine. email stays the column of email
        -- subscribers (unique per mailbox); endpoint holds webhook/chat URLs, phone_number SMS numbers.
        alter table notify.subscribers alter column email drop not null;
        alter table notify.subscribers add column if not exists channel text not null default 'email';
        alter table notify.subscribers add column if not exists endpoint text null;
        alter table notify.subscribers add column if not exists phone_number text null;
        alter table notify.subscribers add column if not exists scope text not null default 'components';
        alter table notify.subscribers add column if not exists incident_id text null;
        alter table notify.subscribers add column if not exists locale text not null default 'en';
        alter table notify.subscribers add column if not exists secret text null;          -- signs webhook requests
        alter table notify.subscribers add column if not exists confirmed_at timestamptz null;
        alter table notify.subscribers add column if not exists unsubscribed_at timestamptz null;
        alter table notify.subscribers add column if not exists consecutive_failures integer not null default 0;
        alter table notify.subscribers add column if not exists quarantined_at timestamptz null;
        create unique index if not exists subscribers_endpoint_key on notify.subscribers (channel, endpoint) where endpoint is not null;
        create unique index if not exists subscribers_phone_key on notify.subscribers (phone_number) where phone_number is not null;
        -- The ops room is one subscriber of its own that every incident event reaches, whatever the policy says.
        create unique index if not exists subscribers_ops_room on notify.subscribers (source) where source = 'ops-room';
        create index if not exists subscribers_incident on notify.subscribers (incident_id) where incident_id is not null;
        -- Recording an event's deliveries walks one channel's subscribers in id order, a batch per transaction.
        create index if not exists subscribers_channel on notify.subscribers (channel, id);

        -- Generated at first start when Notify:SigningKey is not configured, so links keep working across restarts.
        create table if not exists notify.settings (
            name  text primary key,
            value text not null
        );

        -- What each delivery renders at send time: the event as the policy saw it, stored once per message.
        create table if not exists notify.notices (
            event_id    uuid primary key,
            kind        text not null,
            incident_id text null,
            payload     jsonb not null,
            recorded_at timestamptz not null default now()
        );

        -- Incidents as far as notifying about them needs: whether subscribers were told yet (persistent outages).
        create table if not exists notify.incidents (
            incident_id     text primary key,
            automatic       boolean not null,
            opened_event_id uuid not null,
            opened_at       timestamptz not null,
            resolved_at     timestamptz null,
            announced_at    timestamptz null
        );
        create index if not exists incidents_unannounced on notify.incidents (opened_at) where resolved_at is null and announced_at is null;

        alter table notify.deliveries alter column body_text drop not null;   -- null: rendered from the notice at send time
        alter table notify.deliveries alter column body_html drop not null;
        alter table notify.deliveries add column if not exists incident_id text null;
        alter table notify.deliveries add column if not exists kind text null;
        alter table notify.deliveries add column if not exists outcome text null;  -- the receiver's answer (SMTP reply, HTTP status)
        create index if not exists deliveries_incident on notify.deliveries (incident_id, subscriber_id) where incident_id is not null;
        -- Each channel group claims its own rows.
        create index if not exists deliveries_due_by_channel on notify.deliveries (channel, next_attempt_at) where status = 'pending';
        -- suppressed: the quiet rule held it back; skipped: the subscriber left or was quarantined before it went out.
        do $$
        begin
            if not exists (select 1 from pg_constraint where conname in ('deliveries_status_v2', 'deliveries_status_v3')) then
                alter table notify.deliveries drop constraint if exists deliveries_status_check;
                alter table notify.deliveries add constraint deliveries_status_v2
                    check (status in ('pending', 'sent', 'failed', 'suppressed', 'skipped'));
            end if;
        end $$;

        -- Digests (Notify:Digest): a held delivery is pending with held_until set (and next_attempt_at infinity, so no
        -- claim sees it) until the digest pass releases it or folds it into the digest delivery digest_id.
        alter table notify.deliveries add column if not exists held_until timestamptz null;
        alter table notify.deliveries add column if not exists digest_id uuid null;
        create index if not exists deliveries_held on notify.deliveries (held_until) where held_until is not null;
        create index if not exists deliveries_held_subscriber on notify.deliveries (subscriber_id, channel) where held_until is not null;
        create index if not exists deliveries_digests on notify.deliveries (subscriber_id, channel, created_at) where kind = 'digest';
        -- The per-address limit on subscription mail (Notify:SubscriptionMailsPerAddress) counts these.
        create index if not exists deliveries_subscription_mail on notify.deliveries (subscriber_id, created_at)
            where kind in ('confirmation', 'already_subscribed', 'ping');
        do $$
        begin
            if not exists (select 1 from pg_constraint where conname = 'deliveries_status_v3') then
                alter table notify.deliveries drop constraint if exists deliveries_status_v2;
                alter table notify.deliveries add constraint deliveries_status_v3
                    check (status in ('pending', 'sent', 'failed', 'suppressed', 'skipped', 'folded'));
            end if;
        end $$;
        -- The W3C traceparent the event arrived with: the sends of its deliveries continue that trace.
        alter table notify.notices add column if not exists traceparent text null;

        -- A delivery at its point of no return (SentMarks): committed on its own, before the end of the message goes out.
        -- No foreign key: the row is locked FOR UPDATE by its claim, and a key check would wait on that lock.
        create table if not exists notify.delivery_marks (
            delivery_id uuid primary key,
            marked_at   timestamptz not null default now()
        );
        -- A subscriber's delivery history (the admin API), newest first, without reading the whole log.
        create index if not exists deliveries_subscriber_history on notify.deliveries (subscriber_id, created_at, id);

        create table if not exists notify.tickets (
            incident_id text primary key,
            ticket_key  text null,              -- null while the issue is being created (a crash here is looked up by label)
            url         text null,
            created_at  timestamptz not null default now()
        );

        -- Incident events the ticket consumer has handled (a comment or transition is made once per message).
        create table if not exists notify.ticket_messages (
            message_id   uuid primary key,
            processed_at timestamptz not null default now()
        );

        -- Why a subscriber left, where it matters: 'sms stop' for a STOP texted back, which a START (and only that) undoes.
        alter table notify.subscribers add column if not exists unsubscribe_reason text null;

        -- Incoming STOP/START texts applied, by the provider's message id: a webhook the provider retries changes nothing twice.
        create table if not exists notify.sms_inbound (
            message_sid text primary key,
            from_number text not null,
            keyword     text not null check (keyword in ('stop', 'start')),
            received_at timestamptz not null default now()
        );
        """;
}
