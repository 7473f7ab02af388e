-- The admin API's own state (schema "api"), written and read only by StatusApi. Every statement is idempotent:
-- StatusApi runs this file at each start-up.

create schema if not exists api;

-- API keys. Only the SHA-256 of a key is kept; the key itself is shown once, in the answer that created it.
create table if not exists api.keys (
    id           text primary key,
    name         text not null,            -- who acts: recorded as the actor of every command sent with the key
    role         text not null check (role in ('admin', 'responder', 'viewer')),
    key_sha256   bytea not null unique,
    created_at   timestamptz not null,
    created_by   text not null,
    revoked_at   timestamptz null,
    last_used_at timestamptz null
);

-- A name names one actor at a time, so the event store's actor field is unambiguous among live keys.
create unique index if not exists keys_active_name on api.keys (name) where revoked_at is null;

-- Statuspage's postmortem draft (PUT .../postmortem): an editor's working copy, not page state, so it stays here
-- until it is published (PUT .../postmortem/publish sends it to Incident.Service).
create table if not exists api.postmortem_drafts (
    incident_id  text primary key,
    body         text not null,
    updated_at   timestamptz not null,
    updated_by   text not null
);
