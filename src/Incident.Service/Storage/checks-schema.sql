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
