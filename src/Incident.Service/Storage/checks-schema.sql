-- Check results and the fold's per-region memory (schema "checks"), owned by Incident.Service.
-- Raw results never go into event streams: only transitions do (ARCHITECTURE.md section 5).

create schema if not exists checks;

-- One row per check run; the primary key makes a redelivered result a no-op.
create table if not exists checks.results (
    check_id       uuid primary key,
    monitor_id     text not null,
    region         text not null,
    probe_instance text not null,
    started_at     timestamptz not null,
    duration_ms    double precision not null,
    outcome        text not null,           -- up | degraded | down
    status_code    integer null,
    failure_reason text null,
    timings        jsonb null,
    received_at    timestamptz not null default now()
);

-- Set while the probe's own canary failed: kept as evidence, never folded.
alter table checks.results add column if not exists connectivity_lost boolean not null default false;

-- The fold reads a region's newest results on every check.
create index if not exists results_by_monitor_region on checks.results (monitor_id, region, started_at desc);

-- The flap guard's memory per monitor and region; locked per row while a result is folded.
create table if not exists checks.monitor_regions (
    monitor_id             text not null,
    region                 text not null,
    consecutive_failures   integer not null,
    consecutive_successes  integer not null,
    is_down                boolean not null,
    last_started_at        timestamptz not null,
    last_reason            text null,
    last_status_code       integer null,
    primary key (monitor_id, region)
);

alter table checks.monitor_regions add column if not exists is_degraded boolean not null default false;

-- The monitor health the fold last saw in the monitor's stream, so that a result that changes nothing costs one
-- row read instead of a stream read. Written in the same transaction as any transition.
create table if not exists checks.monitor_health (
    monitor_id text primary key,
    health     text not null            -- Up | Degraded | Down
);
