-- Check results and the fold's per-region memory (schema "checks"), owned by Incident.Service.
-- Raw results never go into event streams: only transitions do (ARCHITECTURE.md section 5).

create schema if not exists checks;

-- Raw results are partitioned by day (History/Results/CheckResultsMaintenance creates and drops the partitions). A
-- checks.results from before that is a plain table: it moves aside here with its index names, which the new table
-- reuses, and the maintenance service copies its rows within retention into the partitions and drops it.
do $$
begin
    if exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = 'checks' and c.relname = 'results' and c.relkind = 'r') then
        alter table checks.results rename to results_legacy;
        alter index if exists checks.results_pkey rename to results_legacy_pkey;
        alter index if exists checks.results_by_monitor_region rename to results_legacy_by_monitor_region;
    end if;
end
$$;

-- One row per check run; the primary key makes a redelivered result a no-op. A partitioned table's unique key must
-- hold the partition key, and a redelivered result carries the same started_at, so (check_id, started_at) still
-- recognises it.
create table if not exists checks.results (
    check_id       uuid not null,
    monitor_id     text not null,
    region         text not null,
    probe_instance text not null,
    started_at     timestamptz not null,
    duration_ms    double precision not null,
    outcome        text not null,           -- up | degraded | down
    status_code    integer null,
    failure_reason text null,
    timings        jsonb null,
    received_at    timestamptz not null default now(),
    primary key (check_id, started_at)
) partition by range (started_at);

-- A result whose day has no partition (a probe clock far off, maintenance not yet run) lands here instead of failing the fold.
create table if not exists checks.results_default partition of checks.results default;

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

-- Hourly rollups of the raw results for response-time charts, kept far longer than the raw rows (UTC hours).
-- count and failures (down results) cover every result the probe could vouch for; the latencies only those that got
-- an answer (up or degraded), null when none did.
create table if not exists checks.result_rollups_hourly (
    monitor_id text not null,
    region     text not null,
    hour       timestamptz not null,
    count      integer not null,
    failures   integer not null,
    p50_ms     double precision null,
    p95_ms     double precision null,
    max_ms     double precision null,
    primary key (monitor_id, region, hour)
);

create index if not exists result_rollups_hourly_by_hour on checks.result_rollups_hourly (hour);
