#!/usr/bin/env bash
# A private RabbitMQ node and PostgreSQL cluster for the fault tests, on ports of their own, so that stopping
# them never touches the shared broker and database other test runs use (scripts/infra.sh).
#
#   fault-infra.sh up              create (once) and start both; wait until they answer
#   fault-infra.sh down            stop both and remove their data
#   fault-infra.sh broker-stop     stop the broker application (connections drop, the port closes)
#   fault-infra.sh broker-start    start it again and wait until it answers
#   fault-infra.sh database-stop   stop PostgreSQL (fast shutdown: sessions are cut)
#   fault-infra.sh database-start  start it again and wait until it answers
#
# Ports: AMQP 5673, management 15673, Erlang distribution 25673, PostgreSQL 5433 (SP_FAULTS_* to override).
# User statusplatform / statusplatform on both. Runs as root, or with sudo.
set -euo pipefail

AMQP_PORT="${SP_FAULTS_AMQP_PORT:-5673}"
MGMT_PORT="${SP_FAULTS_MGMT_PORT:-15673}"
DIST_PORT="${SP_FAULTS_DIST_PORT:-25673}"
PG_PORT="${SP_FAULTS_PG_PORT:-5433}"
PG_CLUSTER=spfaults
NODE=spfaults@localhost
RABBIT_DIR=/tmp/sp-faults-rabbit
USER_NAME=statusplatform
PASSWORD=statusplatform
TIMEOUT="${SP_FAULTS_TIMEOUT:-120}"

as_root() { if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo -- "$@"; fi; }
pg_version() { find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n 1; }

wait_until() { # wait_until DESCRIPTION CMD...
  local desc="$1" deadline=$((SECONDS + TIMEOUT))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "fault-infra.sh: timed out waiting for $desc" >&2; exit 1; }
    sleep 0.5
  done
}

broker_answers() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -u "$USER_NAME:$PASSWORD" "http://127.0.0.1:$MGMT_PORT/api/overview")" == 200 ]] \
    && timeout 1 bash -c ">/dev/tcp/127.0.0.1/$AMQP_PORT"
}
database_answers() { PGPASSWORD="$PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U "$USER_NAME" -d postgres -tAc 'select 1' | grep -q 1; }
rabbitmqctl_() { as_root rabbitmqctl -q -n "$NODE" "$@"; }

broker_up() {
  if as_root rabbitmqctl -n "$NODE" ping >/dev/null 2>&1; then
    rabbitmqctl_ start_app >/dev/null
  else
    as_root mkdir -p "$RABBIT_DIR"
    as_root tee "$RABBIT_DIR/rabbitmq.conf" >/dev/null <<CONF
listeners.tcp.default = $AMQP_PORT
management.tcp.port = $MGMT_PORT
default_user = $USER_NAME
default_pass = $PASSWORD
default_user_tags.administrator = true
loopback_users = none
CONF
    as_root chown -R rabbitmq:rabbitmq "$RABBIT_DIR"
    (cd /tmp && as_root runuser -u rabbitmq -- env RABBITMQ_NODENAME="$NODE" RABBITMQ_DIST_PORT="$DIST_PORT" \
      RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf" RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia" RABBITMQ_LOG_BASE="$RABBIT_DIR/log" \
      RABBITMQ_PID_FILE="$RABBIT_DIR/pid" RABBITMQ_ENABLED_PLUGINS_FILE=/etc/rabbitmq/enabled_plugins rabbitmq-server -detached)
  fi
  wait_until "the private RabbitMQ node on $AMQP_PORT" broker_answers
}

database_up() {
  local v
  v="$(pg_version)"
  if ! pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2 == c { f = 1 } END { exit !f }'; then
    as_root pg_createcluster "$v" "$PG_CLUSTER" -p "$PG_PORT" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    as_root pg_ctlcluster "$v" "$PG_CLUSTER" start
    (cd / && as_root runuser -u postgres -- psql -q -p "$PG_PORT" -c "create role $USER_NAME login createdb password '$PASSWORD'")
  else
    as_root pg_ctlcluster "$v" "$PG_CLUSTER" start 2>/dev/null || true
  fi
  wait_until "the private PostgreSQL on $PG_PORT" database_answers
}

case "${1:-up}" in
  up) broker_up; database_up ;;
  down)
    rabbitmqctl_ stop >/dev/null 2>&1 || true
    as_root rm -rf "$RABBIT_DIR"
    pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2 == c { f = 1 } END { exit !f }' \
      && as_root pg_dropcluster "$(pg_version)" "$PG_CLUSTER" --stop
    true
    ;;
  broker-stop) rabbitmqctl_ stop_app >/dev/null ;;
  broker-start) broker_up ;;
  database-stop) as_root pg_ctlcluster "$(pg_version)" "$PG_CLUSTER" stop -m fast ;;
  database-start) database_up ;;
  *) echo "usage: $0 up|down|broker-stop|broker-start|database-stop|database-start" >&2; exit 2 ;;
esac
