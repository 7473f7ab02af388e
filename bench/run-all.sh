#!/usr/bin/env bash
# Every benchmark in one run, with settings that keep it under about 28 minutes on a 2-core machine, and ONE table
# at the end (row, figure, reference, ratio, target, met?). Each benchmark's own output, the AppHost's log, the RSS
# samples and the table (summary.md, summary.json) go to bench/results/run-all-<time>/ (ignored by git).
#
#   bench/run-all.sh                 # build (Release) and run everything
#   bench/run-all.sh --no-build      # run what is built
#   bench/run-all.sh --quick         # small parameters: a check that the whole chain works (figures not comparable)
#   bench/run-all.sh --only ingestion,detection    # a subset: eventstore statusapi probe notify ingestion storm detection
#   bench/run-all.sh --outages 20 --detection-interval 10
#
# Needs what the benchmarks need (scripts/infra.sh up; nginx and wrk for StatusApi.Bench, Probe.Bench and Storm.Bench; python3) and
# the AppHost's fixed ports free (8080, 18080, 5101-5104) for the detection run.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

build=1 quick=0 only="eventstore statusapi probe notify ingestion storm detection" outages=20 interval=10
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0 ;;
    --quick) quick=1 ;;
    --only) only="${2//,/ }"; shift ;;
    --outages) outages="$2"; shift ;;
    --detection-interval) interval="$2"; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ " $only " == *" $1 "* ]]; }

bash scripts/infra.sh up >/dev/null || { echo "scripts/infra.sh up failed" >&2; exit 2; }
eval "$(bash scripts/infra.sh env)"

OUT="bench/results/run-all-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
echo none >"$OUT/phase"
log() { printf '[run-all %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
started=$(date +%s)
{
  echo "run-all.sh $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo ' + uncommitted changes')$([[ $quick == 1 ]] && echo ', QUICK settings (not comparable)')"
  echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/run-info.txt"

B=bench
dll() { echo "$B/$1/bin/Release/net10.0/$1.dll"; }

if [[ $build == 1 ]]; then
  # One build at a time: the machine is shared. Each bench builds the services it starts, in Release.
  for project in EventStore.Bench StatusApi.Bench Probe.Bench Notify.Bench Ingestion.Bench Storm.Bench; do
    log "building $project"
    dotnet build -c Release "$B/$project" -v q -nologo >"$OUT/build-$project.log" 2>&1 || { log "build of $project failed: $OUT/build-$project.log"; exit 2; }
  done
  log "building src/AppHost (Release, with the four services)"
  dotnet build -c Release src/AppHost -v q -nologo >"$OUT/build-AppHost.log" 2>&1 || { log "build of AppHost failed: $OUT/build-AppHost.log"; exit 2; }
fi

python3 "$B/run-all/rss_sampler.py" --root-pid $$ --phase-file "$OUT/phase" --out "$OUT/rss.log" &
sampler=$!
apphost="" detection_db="" detection_vhost=""
mgmt() { curl -sf -u "statusplatform:statusplatform" -H 'content-type: application/json' "$@"; }
cleanup() {
  [[ -n "$apphost" ]] && kill -TERM "$apphost" 2>/dev/null && wait "$apphost" 2>/dev/null
  [[ -n "$detection_db" ]] && PGPASSWORD=statusplatform psql -h 127.0.0.1 -U statusplatform -d statusplatform -qc "drop database if exists $detection_db with (force)" >/dev/null 2>&1
  [[ -n "$detection_vhost" ]] && mgmt -X DELETE "${SP_RABBIT_MANAGEMENT_URL%/}/api/vhosts/$detection_vhost" >/dev/null
  kill "$sampler" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# step NAME COMMAND...: runs one benchmark with its phase set for the RSS sampler; stdout to NAME.txt, stderr to NAME.err.
step() {
  local name="$1"; shift
  echo "$name" >"$OUT/phase"
  log "$name: $*"
  local t0=$(date +%s)
  "$@" >"$OUT/$name.txt" 2>"$OUT/$name.err"
  local rc=$?
  echo "$name $(( $(date +%s) - t0 )) s, exit $rc, load average after $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/timings.txt"
  log "$name: exit $rc after $(( $(date +%s) - t0 )) s"
  echo none >"$OUT/phase"
}

if [[ $quick == 1 ]]; then
  es=(--seconds 2 --rounds 2 --warmup 1 --lag-rate 1000)
  api=(--seconds 2 --warmup 1 --connections 64 --changes 5 --samples 100 --change-rate 0)
  probe=(--monitors 2000 --interval 10 --measured-intervals 1 --reference-seconds 2 --under-load 0 --no-restart)
  notify=(--emails 2000 --webhooks 500 --reference-seconds 2)
  ingestion=(--monitors 100 --results 3000 --idle-seconds 2)
  storm=(--components 40 --quiet-seconds 5 --reference-seconds 3 --limit 40)
else
  es=(--seconds 5 --rounds 5 --warmup 1)
  api=(--seconds 8 --warmup 2 --connections 64,256 --changes 20 --samples 500 --change-rate 0)
  probe=(--monitors 20000 --interval 30 --measured-intervals 2 --reference-seconds 5 --under-load 0 --no-restart)
  notify=(--emails 30000 --webhooks 10000)
  ingestion=(--monitors 1000 --results 30000 --publishers 32 --idle-seconds 10)
  storm=()  # its defaults: 1,000 monitors, 2 x 32 connections at <= 500 requests/s each, 2 to 3 minutes
fi

wants eventstore && step eventstore dotnet "$(dll EventStore.Bench)" "${es[@]}" --json "$OUT/eventstore.json"
wants statusapi && step statusapi dotnet "$(dll StatusApi.Bench)" "${api[@]}"
wants probe && step probe dotnet "$(dll Probe.Bench)" "${probe[@]}" --json "$OUT/probe.json"
wants notify && step notify dotnet "$(dll Notify.Bench)" "${notify[@]}"
wants ingestion && step ingestion dotnet "$(dll Ingestion.Bench)" "${ingestion[@]}" --json "$OUT/ingestion.json"
wants storm && step storm dotnet "$(dll Storm.Bench)" "${storm[@]}" --json "$OUT/storm.json"

if wants detection; then
  # The whole suite from the AppHost (Release build) on a database and virtual host of its own, with a config file
  # that differs from config/statusplatform.yaml only in the subscriber the script counts (unique per run, so mail
  # from anyone else's run in the shared MailDev is not counted) and, with --detection-interval, the interval.
  for port in 8080 18080 5101 5102 5103 5104; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      log "port $port is taken (another AppHost?); skipping the detection run"
      echo "detection skipped: port $port taken" >>"$OUT/timings.txt"
      only="${only/detection/}"
      break
    fi
  done
fi
if wants detection; then
  suffix="$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  detection_db="sp_bench_det_$suffix" detection_vhost="sp_bench_det_$suffix" subscriber="bench-det-$suffix@example.com"
  PGPASSWORD=statusplatform psql -h 127.0.0.1 -U statusplatform -d statusplatform -qc "create database $detection_db" >/dev/null
  mgmt -X PUT "${SP_RABBIT_MANAGEMENT_URL%/}/api/vhosts/$detection_vhost" -d '{}' >/dev/null
  mgmt -X PUT "${SP_RABBIT_MANAGEMENT_URL%/}/api/permissions/$detection_vhost/statusplatform" -d '{"configure":".*","write":".*","read":".*"}' >/dev/null
  sed -e "s/website-fans@example.com/$subscriber/" -e "s/^\(    interval:\) 10s/\1 ${interval}s/" config/statusplatform.yaml >"$OUT/detection-config.yaml"
  echo apphost-start >"$OUT/phase"
  t0=$(date +%s)
  ConnectionStrings__statusdb="Host=127.0.0.1;Port=5432;Database=$detection_db;Username=statusplatform;Password=statusplatform" \
  ConnectionStrings__messaging="amqp://statusplatform:statusplatform@127.0.0.1:5672/$detection_vhost" \
  StatusPlatform__ConfigFile="$ROOT/$OUT/detection-config.yaml" \
  Notify__Policy__AnnounceAutomaticOutages=true \
    dotnet src/AppHost/bin/Release/net10.0/AppHost.dll --external >"$OUT/apphost.log" 2>&1 &
  apphost=$!
  log "AppHost pid $apphost (log $OUT/apphost.log); waiting for summary.json"
  for _ in $(seq 1 180); do
    curl -sf http://127.0.0.1:8080/api/v2/summary.json 2>/dev/null | grep -q '"demo-website"' && break
    kill -0 "$apphost" 2>/dev/null || break
    sleep 1
  done
  echo "apphost-start $(( $(date +%s) - t0 )) s to summary.json" >>"$OUT/timings.txt"
  # Idle: the suite with its two demo monitors, after it settled.
  sleep 20
  echo idle >"$OUT/phase"; log "idle: sampling RSS for 20 s"; sleep 20
  step detection python3 "$B/detection/detection_latency.py" --outages "$outages" --interval "$interval" --threshold 2 \
    --subscriber "$subscriber" --json "$OUT/detection.json"
fi

echo "total $(( $(date +%s) - started )) s" >>"$OUT/timings.txt"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); run took $(( ($(date +%s) - started) / 60 )) min $(( ($(date +%s) - started) % 60 )) s" >>"$OUT/run-info.txt"
cleanup; trap - EXIT
apphost="" detection_db="" detection_vhost=""
python3 "$B/run-all/summarize.py" "$OUT"
log "figures, logs and the table: $OUT"
