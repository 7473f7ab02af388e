using Npgsql;

namespace StatusPlatform.EventSourcing.Schema;

/// <summary>Creates or upgrades the event store schema; every statement is idempotent so start-up can always run it.</summary>
public static class EventStoreSchema
{
    /// <summary>SQLSTATE raised by the append function on a version conflict (class "ES" is not used by PostgreSQL).</summary>
    public const string ConcurrencySqlState = "ES409";

    public const string ArchivedSqlState = "ES410";

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, EventStoreOptions options, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Two services starting at once must not both run DDL; the lock is released at commit.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext(@key))", connection, tx))
        {
            lockCommand.Parameters.AddWithValue("key", $"{options.Schema}.migrate");
            await lockCommand.ExecuteNonQueryAsync(ct);
        }
        await using (var command = new NpgsqlCommand(Ddl(options.Schema), connection, tx))
            await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static string Ddl(string s) => $$"""
        create schema if not exists {{s}};

        create table if not exists {{s}}.streams (
            id          text primary key,
            type        text null,
            version     bigint not null default 0,
            archived    boolean not null default false,
            created_at  timestamptz not null default now(),
            updated_at  timestamptz not null default now()
        );

        create table if not exists {{s}}.events (
            seq             bigint generated always as identity primary key,
            event_id        uuid not null unique,
            stream_id       text not null references {{s}}.streams(id),
            version         bigint not null,
            event_type      text not null,
            schema_version  integer not null default 1,
            data            jsonb not null,
            metadata        jsonb not null default '{}',
            recorded_at     timestamptz not null default now(),
            global_position bigint null unique,
            unique (stream_id, version)
        );

        -- The sequencer's work list: committed events that have no position yet.
        create index if not exists events_unsequenced on {{s}}.events (seq) where global_position is null;

        create table if not exists {{s}}.snapshots (
            stream_id   text not null references {{s}}.streams(id),
            version     bigint not null,
            type        text not null,
            data        jsonb not null,
            created_at  timestamptz not null default now(),
            primary key (stream_id, version)
        );

        create table if not exists {{s}}.checkpoints (
            subscription text primary key,
            position     bigint not null,
            updated_at   timestamptz not null default now()
        );

        -- Appends events to one stream under a row lock on the stream, checking the expected version
        -- (-1 any, -2 must not exist, n exactly). A conflict raises ES409 with the stream in HINT and the actual version as the message's last word
        -- (Npgsql redacts DETAIL by default).
        create or replace function {{s}}.append_events(
            p_stream_id text, p_stream_type text, p_expected bigint,
            p_event_ids uuid[], p_event_types text[], p_schema_versions integer[], p_data jsonb[], p_metadata jsonb[])
        returns bigint language plpgsql as $fn$
        declare
            v_current  bigint;
            v_archived boolean;
            v_count    integer := coalesce(array_length(p_event_ids, 1), 0);
        begin
            select version, archived into v_current, v_archived from {{s}}.streams where id = p_stream_id for update;
            if not found then
                insert into {{s}}.streams (id, type) values (p_stream_id, p_stream_type) on conflict (id) do nothing;
                select version, archived into v_current, v_archived from {{s}}.streams where id = p_stream_id for update;
            end if;

            if (p_expected = -2 and v_current <> 0) or (p_expected >= 0 and v_current <> p_expected) then
                raise exception using errcode = '{{ConcurrencySqlState}}',
                    message = format('stream %s expected at version %s but is at %s', p_stream_id, p_expected, v_current),
                    hint = p_stream_id;
            end if;
            if v_archived then
                raise exception using errcode = '{{ArchivedSqlState}}', message = format('stream %s is archived', p_stream_id),
                    hint = p_stream_id;
            end if;

            -- A plain INSERT: a duplicate event id or version must fail loudly, never be skipped.
            insert into {{s}}.events (event_id, stream_id, version, event_type, schema_version, data, metadata)
            select e.id, p_stream_id, v_current + e.ord, e.type, e.schema_version, e.data, e.metadata
            from unnest(p_event_ids, p_event_types, p_schema_versions, p_data, p_metadata)
                 with ordinality as e(id, type, schema_version, data, metadata, ord);

            update {{s}}.streams set version = v_current + v_count, updated_at = now() where id = p_stream_id;
            return v_current + v_count;
        end
        $fn$;
        """;
}
