-- The console's own state in StatusApi's schema "api" (beside the API keys), written and read only by StatusApi.
-- Every statement is idempotent: StatusApi runs this file at each start-up, after api-schema.sql's "create schema".

create schema if not exists api;

-- People who sign in to the console. Passwords are kept only as PBKDF2-SHA-256 hashes with a per-user salt and the
-- iteration count they were made with, so raising the count later re-hashes each password at its next sign-in.
create table if not exists api.console_users (
    id                  text primary key,
    username            text not null,      -- the actor recorded on every command the user sends
    role                text not null check (role in ('admin', 'responder', 'viewer')),
    password_hash       bytea not null,
    password_salt       bytea not null,
    password_iterations integer not null,
    -- Changes whenever the password or role changes or the user is disabled: sessions carrying an older stamp end.
    security_stamp      text not null,
    failed_attempts     integer not null default 0,
    locked_until        timestamptz null,
    created_at          timestamptz not null,
    created_by          text not null,
    last_sign_in_at     timestamptz null,
    disabled_at         timestamptz null
);

-- "Alice" and "alice" are one person: sign-in looks names up case-insensitively.
create unique index if not exists console_users_username on api.console_users (lower(username));

-- ASP.NET Core data-protection keys (Sessions/PostgresXmlRepository.cs): the keys that sign and encrypt the session and
-- antiforgery cookies, shared by every StatusApi replica, so a restart or another replica accepts the same cookies. A key
-- here is as secret as a session itself: only StatusApi's database role may read schema api.
create table if not exists api.console_data_protection_keys (
    id            bigint generated always as identity primary key,
    friendly_name text not null,
    xml           text not null,
    created_at    timestamptz not null default now()
);
