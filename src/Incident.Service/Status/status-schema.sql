-- The public read model (schema "status"), written only by Incident.Service projections and read by
-- StatusApi. Every statement is idempotent: Incident.Service runs this file at each start-up.
-- Column names follow the Statuspage v2 wire names (see shared/reference/statuspage-api.md).

create schema if not exists status;

create table if not exists status.page (
    id          text primary key,
    name        text not null,
    url         text not null,
    time_zone   text not null,              -- IANA name, e.g. Etc/UTC
    updated_at  timestamptz not null
);

-- Components and groups in one table, as on the wire (a group is a component with is_group = true).
create table if not exists status.components (
    id                    text primary key,
    name                  text not null,
    status                text not null,    -- operational | degraded_performance | partial_outage | major_outage | under_maintenance
    created_at            timestamptz not null,
    updated_at            timestamptz not null,
    position              integer not null, -- 1-based, per parent
    description           text null,
    showcase              boolean not null default true,
    start_date            date null,
    group_id              text null,
    is_group              boolean not null default false,
    only_show_if_degraded boolean not null default false
);
-- For the admin API and the console (not on the public wire): the owner who gets the ticket, whether monitors may open
-- incidents, the stream version (the admin API's ETag) and who manages it (the configuration file or the admin API).
alter table status.components add column if not exists owner text null;
alter table status.components add column if not exists automation boolean not null default true;
alter table status.components add column if not exists version bigint null;
alter table status.components add column if not exists managed_by text not null default 'file'; -- file | api

create table if not exists status.incidents (
    id            text primary key,
    name          text not null,
    status        text not null,            -- investigating | identified | monitoring | resolved | postmortem
    impact        text not null,            -- none | minor | major | critical
    created_at    timestamptz not null,
    updated_at    timestamptz not null,
    monitoring_at timestamptz null,
    resolved_at   timestamptz null,
    started_at    timestamptz not null,
    shortlink     text null,
    automatic     boolean not null default false
);

create table if not exists status.incident_components (
    incident_id  text not null references status.incidents (id) on delete cascade,
    component_id text not null,
    primary key (incident_id, component_id)
);

create table if not exists status.incident_updates (
    id                    text primary key,
    incident_id           text not null references status.incidents (id) on delete cascade,
    status                text not null,
    body                  text not null,
    created_at            timestamptz not null,
    updated_at            timestamptz not null,
    display_at            timestamptz not null,
    affected_components   jsonb null,       -- [{"code","name","old_status","new_status"}] exactly as on the wire, or null
    deliver_notifications boolean not null default true
);

-- StatusApi reads the 50 newest incidents on every refresh.
create index if not exists incidents_by_created_at on status.incidents (created_at desc);

create index if not exists incident_updates_by_incident on status.incident_updates (incident_id, display_at desc);

-- Heartbeat (push) monitors by the SHA-256 of their secret token: StatusApi hashes what a job sends and looks it up.
create table if not exists status.heartbeat_monitors (
    token_sha256  text primary key,
    monitor_id    text not null unique
);

-- Status history: one row per stretch of time a component spent in one status, ended_at null while current
-- (ComponentHistoryProjection). Time outside every row is time the component did not exist. Groups have no rows.
create table if not exists status.component_status_intervals (
    id           bigint generated always as identity primary key,
    component_id text not null,
    status       text not null,
    started_at   timestamptz not null,
    ended_at     timestamptz null
);

create unique index if not exists component_status_intervals_open on status.component_status_intervals (component_id) where ended_at is null;

create index if not exists component_status_intervals_by_component on status.component_status_intervals (component_id, started_at);

-- Manual incidents: the postmortem of a resolved incident (Statuspage's postmortem_body), and updates that were
-- posted without notifying anyone (deliver_notifications false) keep that fact.
alter table status.incidents add column if not exists postmortem_body text null;
alter table status.incidents add column if not exists postmortem_published_at timestamptz null;
alter table status.incidents add column if not exists backfilled boolean not null default false;
-- The incident stream's version after the last projected event (the admin API's ETag).
alter table status.incidents add column if not exists version bigint not null default 0;

-- Scheduled maintenances (MaintenancesProjection). status: scheduled | in_progress | verifying | completed | cancelled
-- (cancelled is ours; the v2 API shows it as completed with the cancellation as the last update).
create table if not exists status.maintenances (
    id                text primary key,
    name              text not null,
    status            text not null,
    impact            text not null default 'maintenance',
    scheduled_for     timestamptz not null,
    scheduled_until   timestamptz not null,
    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    started_at        timestamptz null,
    resolved_at       timestamptz null,
    shortlink         text null,
    auto_transition   boolean not null default true,
    service_window_id text null,
    version           bigint not null default 0
);

create table if not exists status.maintenance_components (
    maintenance_id text not null references status.maintenances (id) on delete cascade,
    component_id   text not null,
    primary key (maintenance_id, component_id)
);

create table if not exists status.maintenance_updates (
    id                    text primary key,
    maintenance_id        text not null references status.maintenances (id) on delete cascade,
    status                text not null,
    body                  text not null,
    created_at            timestamptz not null,
    display_at            timestamptz not null,
    affected_components   jsonb null,
    deliver_notifications boolean not null default true
);

create index if not exists maintenances_by_scheduled_for on status.maintenances (scheduled_for desc);
-- heartbeat, or for external monitors the alert source whose webhook format the URL accepts.
alter table status.heartbeat_monitors add column if not exists kind text not null default 'heartbeat';

-- Canned incident messages (IncidentTemplatesProjection); placeholders {component}, {components}, {page}.
create table if not exists status.incident_templates (
    id         text primary key,
    name       text not null,
    title      text not null,
    body       text not null,
    status     text not null,
    updated_at timestamptz not null,
    version    bigint not null
);

-- Page branding (UpdatePageSettings; null: StatusApi's StatusPage options apply), and the page stream's version after the
-- last projected event (the admin API's ETag).
alter table status.page add column if not exists logo_url text null;
alter table status.page add column if not exists accent_color text null;
alter table status.page add column if not exists accent_color_dark text null;
alter table status.page add column if not exists custom_css text null;
alter table status.page add column if not exists version bigint not null default 0;

-- Monitors as the admin API lists them (MonitorsProjection): settings in the shape of the API's monitor body (never the
-- push secret or its hash), who manages each (file or api), and the stream version (the ETag).
create table if not exists status.monitors (
    id           text primary key,
    component_id text not null,
    kind         text not null,
    settings     jsonb not null,
    managed_by   text not null,
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    version      bigint not null
);
