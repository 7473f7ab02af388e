#!/usr/bin/env bash
# Local infrastructure for StatusPlatform: PostgreSQL, RabbitMQ (with the
# management plugin) and MailDev, installed from Debian / npm and run directly
# on this machine (no Docker, no systemd needed).
#
#   scripts/infra.sh [up]     install what is missing, start everything, wait until
#                             it accepts connections, create users/database/vhost
#   scripts/infra.sh down     stop all three (harmless when already stopped)
#   scripts/infra.sh status   one line per service; exit 0 only if all are running
#   scripts/infra.sh reset    drop + recreate the database and vhost (and leftover
#                             sp_test_* databases/vhosts), clear MailDev's inbox
#   scripts/infra.sh env      print only the export lines:  eval "$(scripts/infra.sh env)"
#
# Ports and credentials: SP_* variables below. If ConnectionStrings__statusdb or
# ConnectionStrings__messaging is already set to a non-local value, that server is
# used as is and the local PostgreSQL / RabbitMQ is left alone.
# Runs as root, or as a normal user with sudo. See docs/infrastructure.md.
set -euo pipefail

# ---------------------------------------------------------------- settings --
# Everything below can be overridden from the environment.
SP_HOST="${SP_HOST:-127.0.0.1}"

SP_PG_VERSION="${SP_PG_VERSION:-}"            # default: newest installed, else 15
SP_PG_CLUSTER="${SP_PG_CLUSTER:-main}"
SP_PG_PORT="${SP_PG_PORT:-5432}"
SP_PG_USER="${SP_PG_USER:-statusplatform}"
SP_PG_PASSWORD="${SP_PG_PASSWORD:-statusplatform}"
SP_PG_DB="${SP_PG_DB:-statusplatform}"
SP_PG_MAX_CONNECTIONS="${SP_PG_MAX_CONNECTIONS:-300}"

SP_AMQP_PORT="${SP_AMQP_PORT:-5672}"
SP_RABBIT_MGMT_PORT="${SP_RABBIT_MGMT_PORT:-15672}"
SP_RABBIT_USER="${SP_RABBIT_USER:-statusplatform}"
SP_RABBIT_PASSWORD="${SP_RABBIT_PASSWORD:-statusplatform}"
SP_RABBIT_VHOST="${SP_RABBIT_VHOST:-statusplatform}"

SP_SMTP_PORT="${SP_SMTP_PORT:-1025}"
SP_MAILDEV_WEB_PORT="${SP_MAILDEV_WEB_PORT:-1080}"

# Upper bounds (seconds) for the waits.
SP_APT_WAIT="${SP_APT_WAIT:-900}"             # another apt/dpkg holding the lock
SP_PG_TIMEOUT="${SP_PG_TIMEOUT:-60}"
SP_RABBIT_TIMEOUT="${SP_RABBIT_TIMEOUT:-180}"
SP_MAILDEV_TIMEOUT="${SP_MAILDEV_TIMEOUT:-30}"

# Prefix of the per-test databases and vhosts that `reset` removes.
SP_TEST_PREFIX="sp_test_"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
DATA_DIR="$ROOT/.data"
LOG_DIR="$ROOT/.logs"
MAILDEV_DIR="$ROOT/tools/maildev"
MAILDEV_PID_FILE="$DATA_DIR/maildev.pid"
MAILDEV_LOG="$LOG_DIR/maildev.log"
MAILDEV_TMP="$DATA_DIR/maildev-tmp"
STEP_LOG="$LOG_DIR/infra.log"                  # output of the commands run below

RABBIT_LOG_DIR=/var/log/rabbitmq
RABBIT_ENABLED_PLUGINS=/etc/rabbitmq/enabled_plugins
RABBIT_CONF=/etc/rabbitmq/rabbitmq.conf

# ----------------------------------------------------------------- helpers --
step() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'infra.sh: warning: %s\n' "$*" >&2; }
die() { printf 'infra.sh: error: %s\n' "$*" >&2; exit 1; }

# die_with_log MESSAGE FILE...: error out, showing the tail of the given logs.
die_with_log() {
  local msg="$1" f
  shift
  printf 'infra.sh: error: %s\n' "$msg" >&2
  for f in "$@"; do
    [[ -n "$f" ]] || continue
    if as_root test -r "$f" 2>/dev/null; then
      printf -- '----- last 40 lines of %s -----\n' "$f" >&2
      as_root tail -n 40 "$f" >&2 || true
    fi
  done
  exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -- "$@"
  else
    die "not root and sudo is not installed; run this script as root"
  fi
}

as_postgres() {
  # psql etc. as the postgres OS user; `cd /` avoids "could not change directory" noise.
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && sudo -u postgres -- "$@")
  fi
}

# run_logged DESCRIPTION CMD...: run quietly, output appended to $STEP_LOG;
# on failure show the tail of that output and exit.
run_logged() {
  local desc="$1"
  shift
  local cmdline
  cmdline="$(printf ' %q' "$@")"
  cmdline="${cmdline//"$SP_RABBIT_PASSWORD"/***}" # keep passwords out of the log
  {
    printf '\n### %s  %s\n' "$(date '+%F %T')" "$desc"
    printf '### $%s\n' "$cmdline"
  } >>"$STEP_LOG"
  if ! "$@" >>"$STEP_LOG" 2>&1 </dev/null; then
    printf 'infra.sh: error: %s failed; last lines of %s:\n' "$desc" "$STEP_LOG" >&2
    tail -n 30 "$STEP_LOG" >&2
    exit 1
  fi
}

port_open() { # port_open PORT [HOST]
  timeout 1 bash -c ">/dev/tcp/${2:-$SP_HOST}/$1" 2>/dev/null
}

http_code() { # http_code URL [curl args...] -> prints the status code (000 when down)
  local url="$1"
  shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" 2>/dev/null || true
}

# wait_until DESCRIPTION TIMEOUT 'LOG FILES' CMD...: poll CMD every 0.5 s.
wait_until() {
  local desc="$1" timeout="$2" logs="$3" deadline
  shift 3
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      # shellcheck disable=SC2086
      die_with_log "timed out after ${timeout}s waiting for $desc" $logs
    fi
    sleep 0.5
  done
}

# pids_matching REGEX: pids whose command line matches (no pgrep dependency).
pids_matching() {
  if command -v pgrep >/dev/null; then
    pgrep -f -- "$1" || true
    return 0
  fi
  local d cmd
  for d in /proc/[0-9]*; do
    cmd="$(tr '\0' ' ' 2>/dev/null <"$d/cmdline")" || continue
    [[ -n "$cmd" && "$cmd" =~ $1 ]] && printf '%s\n' "${d#/proc/}"
  done
  return 0
}

shq() { # single-quote for the shell
  printf "'%s'" "${1//\'/\'\\\'\'}"
}

urlencode() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [a-zA-Z0-9.~_-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}

ensure_dirs() { mkdir -p "$DATA_DIR" "$LOG_DIR"; }

# ---------------------------------------------------------------- packages --
pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

apt_busy_pid() { # prints the pid of a running apt/dpkg, if any
  local f c
  for f in /proc/[0-9]*/comm; do
    read -r c 2>/dev/null <"$f" || continue
    case "$c" in
      apt | apt-get | aptitude | dpkg | unattended-upgr | apt.systemd.dai)
        f="${f#/proc/}"
        printf '%s\n' "${f%/comm}"
        return 0
        ;;
    esac
  done
  return 1
}

wait_for_apt_idle() {
  local pid deadline=$((SECONDS + SP_APT_WAIT)) said=""
  while pid="$(apt_busy_pid)"; do
    if [[ -z "$said" ]]; then
      step "waiting for another apt/dpkg process (pid $pid) to finish$([[ -f /tmp/rabbit-install.log ]] && printf ' (see /tmp/rabbit-install.log)')"
      said=1
    fi
    ((SECONDS < deadline)) || die "apt/dpkg (pid $pid) still busy after ${SP_APT_WAIT}s"
    sleep 2
  done
}

APT_UPDATED=""
apt_install() { # apt_install PKG...: install the packages that are missing
  local missing=() p
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  # A package may be half-way through an install started elsewhere: wait for it.
  wait_for_apt_idle
  local still=()
  for p in "${missing[@]}"; do pkg_installed "$p" || still+=("$p"); done
  ((${#still[@]})) || return 0
  command -v apt-get >/dev/null || die "apt-get not found (this script supports Debian/Ubuntu)"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout="$SP_APT_WAIT")
  if [[ -z "$APT_UPDATED" ]]; then
    step "apt-get update"
    run_logged "apt-get update" as_root "${apt[@]}" update
    APT_UPDATED=1
  fi
  step "apt-get install ${still[*]}"
  run_logged "apt-get install ${still[*]}" as_root "${apt[@]}" install --no-install-recommends "${still[@]}"
}

ensure_tools() {
  local need=()
  command -v curl >/dev/null || need+=(curl)
  command -v runuser >/dev/null || need+=(util-linux)
  ((${#need[@]} == 0)) || apt_install "${need[@]}"
}

# -------------------------------------------------------------- postgresql --
pg_detect_version() {
  if [[ -z "$SP_PG_VERSION" ]]; then
    SP_PG_VERSION="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -n | tail -n 1 || true)"
    SP_PG_VERSION="${SP_PG_VERSION:-15}"
  fi
}

pg_log() { printf '/var/log/postgresql/postgresql-%s-%s.log' "$SP_PG_VERSION" "$SP_PG_CLUSTER"; }

pg_cluster_exists() {
  pg_lsclusters -h 2>/dev/null | awk -v v="$SP_PG_VERSION" -v c="$SP_PG_CLUSTER" '$1 == v && $2 == c { f = 1 } END { exit !f }'
}

pg_cluster_port() {
  pg_lsclusters -h 2>/dev/null | awk -v v="$SP_PG_VERSION" -v c="$SP_PG_CLUSTER" '$1 == v && $2 == c { print $3 }'
}

pg_running() { # exit 0 when the cluster's postmaster is running
  as_root pg_ctlcluster "$SP_PG_VERSION" "$SP_PG_CLUSTER" status >/dev/null 2>&1
}

pg_ready() { pg_isready -q -h "$SP_HOST" -p "$SP_PG_PORT" -t 2; }

psql_admin() { # SQL on stdin, run as the postgres superuser over the unix socket
  as_postgres psql -X -q -At -v ON_ERROR_STOP=1 -p "$SP_PG_PORT" -d postgres "$@"
}

psql_app() { # the application user over TCP with its password
  PGPASSWORD="$SP_PG_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -At -v ON_ERROR_STOP=1 \
    -h "$SP_HOST" -p "$SP_PG_PORT" -U "$SP_PG_USER" -d "$SP_PG_DB" "$@"
}

pg_start() {
  step "postgresql: starting cluster $SP_PG_VERSION/$SP_PG_CLUSTER"
  if ! as_root pg_ctlcluster "$SP_PG_VERSION" "$SP_PG_CLUSTER" start >>"$STEP_LOG" 2>&1 </dev/null; then
    run_logged "service postgresql start" as_root service postgresql start
  fi
}

pg_restart() {
  step "postgresql: restarting cluster $SP_PG_VERSION/$SP_PG_CLUSTER ($1)"
  run_logged "pg_ctlcluster restart" as_root pg_ctlcluster "$SP_PG_VERSION" "$SP_PG_CLUSTER" restart
}

pg_wait() {
  wait_until "PostgreSQL on $SP_HOST:$SP_PG_PORT" "$SP_PG_TIMEOUT" "$(pg_log)" pg_ready
}

pg_up() {
  apt_install postgresql
  pg_detect_version
  if ! pg_cluster_exists; then
    step "postgresql: creating cluster $SP_PG_VERSION/$SP_PG_CLUSTER (port $SP_PG_PORT)"
    run_logged "pg_createcluster" as_root pg_createcluster -p "$SP_PG_PORT" "$SP_PG_VERSION" "$SP_PG_CLUSTER"
  fi
  local port
  port="$(pg_cluster_port)"
  if [[ "$port" != "$SP_PG_PORT" ]]; then
    step "postgresql: setting port $SP_PG_PORT (was $port)"
    run_logged "pg_conftool set port" as_root pg_conftool "$SP_PG_VERSION" "$SP_PG_CLUSTER" set port "$SP_PG_PORT"
    if pg_running; then pg_restart "port changed"; fi
  fi
  if pg_running; then
    step "postgresql: cluster $SP_PG_VERSION/$SP_PG_CLUSTER running on port $SP_PG_PORT"
  else
    pg_start
  fi
  pg_wait

  # Server settings: listen on 127.0.0.1, enough connections for parallel test pools.
  local settings listen maxconn restart=""
  settings="$(psql_admin -F '|' -c "select current_setting('listen_addresses'), current_setting('max_connections')")"
  IFS='|' read -r listen maxconn <<<"$settings"
  if ! [[ ",${listen// /}," =~ ,(\*|localhost|$SP_HOST|0\.0\.0\.0), ]]; then
    step "postgresql: listen_addresses = 'localhost' (was '$listen')"
    psql_admin -c "alter system set listen_addresses = 'localhost'"
    restart="listen_addresses"
  fi
  if ((maxconn < SP_PG_MAX_CONNECTIONS)); then
    step "postgresql: max_connections = $SP_PG_MAX_CONNECTIONS (was $maxconn)"
    psql_admin -c "alter system set max_connections = $SP_PG_MAX_CONNECTIONS"
    restart="${restart:+$restart, }max_connections"
  fi
  if [[ -n "$restart" ]]; then
    pg_restart "$restart"
    pg_wait
  fi

  # Role and database (idempotent).
  step "postgresql: role '$SP_PG_USER' (LOGIN CREATEDB) and database '$SP_PG_DB'"
  psql_admin -v user="$SP_PG_USER" -v pass="$SP_PG_PASSWORD" -v db="$SP_PG_DB" <<'SQL'
SELECT format('CREATE ROLE %I', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN CREATEDB PASSWORD %L', :'user', :'pass') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'user') \gexec
SQL

  # Password authentication over TCP from 127.0.0.1 (Debian's default pg_hba has
  # "host all all 127.0.0.1/32 scram-sha-256"); add a rule only if login fails.
  local err
  if ! err="$(psql_app -c 'select 1' 2>&1 >/dev/null)"; then
    if [[ "$err" == *pg_hba.conf* || "$err" == *authentication* ]]; then
      local hba
      hba="$(psql_admin -c 'show hba_file')"
      step "postgresql: adding '$SP_HOST/32 scram-sha-256' for $SP_PG_USER to $hba"
      as_root sed -i "1i host    all    $SP_PG_USER    $SP_HOST/32    scram-sha-256    # added by StatusPlatform scripts/infra.sh" "$hba"
      run_logged "pg_ctlcluster reload" as_root pg_ctlcluster "$SP_PG_VERSION" "$SP_PG_CLUSTER" reload
      sleep 0.5
      err="$(psql_app -c 'select 1' 2>&1 >/dev/null)" ||
        die_with_log "cannot log in as $SP_PG_USER over TCP $SP_HOST:$SP_PG_PORT: $err" "$(pg_log)"
    else
      die_with_log "cannot log in as $SP_PG_USER over TCP $SP_HOST:$SP_PG_PORT: $err" "$(pg_log)"
    fi
  fi
  local auth
  auth="$(psql_admin -v user="$SP_PG_USER" -v db="$SP_PG_DB" <<'SQL'
SELECT auth_method FROM pg_hba_file_rules
 WHERE type IN ('host', 'hostssl', 'hostnossl') AND error IS NULL
   AND (address = '127.0.0.1' OR address = 'samehost' OR address = 'all')
   AND ('all' = ANY(database) OR :'db' = ANY(database))
   AND ('all' = ANY(user_name) OR :'user' = ANY(user_name))
 ORDER BY line_number LIMIT 1;
SQL
)"
  case "$auth" in
    scram-sha-256 | md5 | password) ;;
    *) warn "pg_hba: first rule for $SP_PG_USER from 127.0.0.1 uses '${auth:-?}', not scram-sha-256/md5" ;;
  esac
}

pg_down() {
  pg_detect_version
  if ! command -v pg_ctlcluster >/dev/null || ! pg_cluster_exists; then
    step "postgresql: not installed"
    return 0
  fi
  if pg_running; then
    step "postgresql: stopping cluster $SP_PG_VERSION/$SP_PG_CLUSTER"
    run_logged "pg_ctlcluster stop" as_root pg_ctlcluster "$SP_PG_VERSION" "$SP_PG_CLUSTER" stop
  else
    step "postgresql: already stopped"
  fi
}

# ---------------------------------------------------------------- rabbitmq --
rabbit_logs() {
  local f
  f="$(as_root sh -c "ls -t $RABBIT_LOG_DIR/rabbit@*.log 2>/dev/null | grep -v upgrade | head -n 1" || true)"
  printf '%s %s %s' "$f" "$RABBIT_LOG_DIR/startup_log" "$RABBIT_LOG_DIR/startup_err"
}

rmqctl() { as_root rabbitmqctl "$@"; }

rabbit_process_running() { [[ -n "$(pids_matching 'beam.*-s rabbit|beam.*rabbit@')" ]]; }

mgmt_url() { printf 'http://%s:%s%s' "$SP_HOST" "$SP_RABBIT_MGMT_PORT" "$1"; }

mgmt() { # mgmt METHOD PATH [curl args]: management API as the app user, prints the body
  local method="$1" path="$2"
  shift 2
  curl -sf --max-time 10 -u "$SP_RABBIT_USER:$SP_RABBIT_PASSWORD" -X "$method" \
    -H 'content-type: application/json' "$@" "$(mgmt_url "$path")"
}

mgmt_listening() { [[ "$(http_code "$(mgmt_url /api/overview)")" =~ ^(200|401)$ ]]; }

mgmt_ok() { [[ "$(http_code "$(mgmt_url /api/overview)" -u "$SP_RABBIT_USER:$SP_RABBIT_PASSWORD")" == 200 ]]; }

# Non-default ports need rabbitmq.conf entries (managed lines only).
rabbit_configure_ports() {
  local want=() changed=""
  [[ "$SP_AMQP_PORT" == 5672 ]] || want+=("listeners.tcp.default = $SP_AMQP_PORT")
  [[ "$SP_RABBIT_MGMT_PORT" == 15672 ]] || want+=("management.tcp.port = $SP_RABBIT_MGMT_PORT")
  ((${#want[@]})) || return 1
  local line key
  for line in "${want[@]}"; do
    if ! as_root grep -qxF "$line" "$RABBIT_CONF" 2>/dev/null; then
      key="${line%% =*}"
      as_root touch "$RABBIT_CONF"
      as_root sed -i "/^${key//./\\.} *=/d" "$RABBIT_CONF"
      printf '%s\n' "$line" | as_root tee -a "$RABBIT_CONF" >/dev/null
      changed=1
    fi
  done
  [[ -n "$changed" ]]
}

rabbit_start() {
  step "rabbitmq: starting rabbitmq-server"
  if ! as_root timeout "$SP_RABBIT_TIMEOUT" service rabbitmq-server start >>"$STEP_LOG" 2>&1 </dev/null; then
    if ! rabbit_process_running; then
      step "rabbitmq: 'service rabbitmq-server start' failed; trying rabbitmq-server -detached"
      as_root rabbitmq-server -detached >>"$STEP_LOG" 2>&1 </dev/null || true
    fi
  fi
}

rabbit_stop() {
  # `rabbitmqctl shutdown` works however the node was started and waits for it to exit.
  run_logged "rabbitmqctl shutdown" rmqctl shutdown
  as_root rm -f /var/run/rabbitmq/pid
}

rabbit_setup_user() {
  step "rabbitmq: user '$SP_RABBIT_USER' (administrator)"
  if rmqctl -q list_users 2>/dev/null | awk '{ print $1 }' | grep -qxF "$SP_RABBIT_USER"; then
    run_logged "rabbitmqctl change_password" rmqctl change_password "$SP_RABBIT_USER" "$SP_RABBIT_PASSWORD"
  else
    run_logged "rabbitmqctl add_user" rmqctl add_user "$SP_RABBIT_USER" "$SP_RABBIT_PASSWORD"
  fi
  run_logged "rabbitmqctl set_user_tags" rmqctl set_user_tags "$SP_RABBIT_USER" administrator
}

rabbit_full_permissions() { # rabbit_full_permissions VHOST (via the management API)
  local v
  v="$(urlencode "$1")"
  mgmt PUT "/api/permissions/$v/$(urlencode "$SP_RABBIT_USER")" \
    -d '{"configure":".*","write":".*","read":".*"}' >/dev/null ||
    die "could not set permissions on vhost '$1' for $SP_RABBIT_USER"
}

rabbit_has_full_permissions() {
  local body
  body="$(mgmt GET "/api/permissions/$(urlencode "$1")/$(urlencode "$SP_RABBIT_USER")" 2>/dev/null)" || return 1
  [[ "$body" == *'"configure":".*"'* && "$body" == *'"write":".*"'* && "$body" == *'"read":".*"'* ]]
}

rabbit_create_vhost() {
  mgmt PUT "/api/vhosts/$(urlencode "$1")" >/dev/null || die "could not create vhost '$1'"
}

rabbit_up() {
  apt_install rabbitmq-server
  local restart=""
  if rabbit_configure_ports; then
    step "rabbitmq: ports set in $RABBIT_CONF"
    restart=1
  fi
  if ! as_root grep -qs 'rabbitmq_management' "$RABBIT_ENABLED_PLUGINS"; then
    step "rabbitmq: enabling rabbitmq_management"
    if rabbit_process_running; then
      run_logged "rabbitmq-plugins enable" as_root rabbitmq-plugins enable rabbitmq_management
    else
      run_logged "rabbitmq-plugins enable --offline" as_root rabbitmq-plugins enable --offline rabbitmq_management
    fi
  fi
  if [[ -n "$restart" ]] && rabbit_process_running; then
    step "rabbitmq: restarting (configuration changed)"
    rabbit_stop
  fi

  local started=""
  if ! port_open "$SP_AMQP_PORT"; then
    rabbit_process_running || { rabbit_start; started=1; }
    # shellcheck disable=SC2046
    wait_until "RabbitMQ AMQP port $SP_HOST:$SP_AMQP_PORT" "$SP_RABBIT_TIMEOUT" "$STEP_LOG $(rabbit_logs)" port_open "$SP_AMQP_PORT"
  fi

  if [[ -n "$started" ]] || ! mgmt_ok; then
    step "rabbitmq: waiting for the node to finish booting"
    if ! as_root timeout "$((SP_RABBIT_TIMEOUT + 10))" rabbitmqctl await_startup --timeout "$SP_RABBIT_TIMEOUT" >>"$STEP_LOG" 2>&1 </dev/null; then
      # shellcheck disable=SC2046
      die_with_log "RabbitMQ did not finish booting (rabbitmqctl await_startup)" "$STEP_LOG" $(rabbit_logs)
    fi
    # shellcheck disable=SC2046
    wait_until "RabbitMQ management API on $(mgmt_url /)" "$SP_RABBIT_TIMEOUT" "$STEP_LOG $(rabbit_logs)" mgmt_listening
  fi

  # When the app user already reaches the management API with the administrator
  # tag and full permissions, skip rabbitmqctl (each call costs about a second).
  if mgmt_ok && [[ "$(mgmt GET /api/whoami 2>/dev/null)" == *administrator* ]] &&
    rabbit_has_full_permissions "$SP_RABBIT_VHOST" && rabbit_has_full_permissions /; then
    step "rabbitmq: running; user, vhost '$SP_RABBIT_VHOST' and permissions in place"
    return 0
  fi

  rabbit_setup_user
  # shellcheck disable=SC2046
  wait_until "RabbitMQ management API $(mgmt_url /api/overview) as $SP_RABBIT_USER" "$SP_RABBIT_TIMEOUT" "$STEP_LOG $(rabbit_logs)" mgmt_ok
  step "rabbitmq: vhost '$SP_RABBIT_VHOST', full permissions on it and on '/'"
  rabbit_create_vhost "$SP_RABBIT_VHOST"
  rabbit_full_permissions "$SP_RABBIT_VHOST"
  rabbit_full_permissions /
}

rabbit_down() {
  if ! command -v rabbitmqctl >/dev/null; then
    step "rabbitmq: not installed"
  elif rabbit_process_running || port_open "$SP_AMQP_PORT"; then
    step "rabbitmq: stopping"
    rabbit_stop
  else
    step "rabbitmq: already stopped"
  fi
}

# ----------------------------------------------------------------- maildev --
maildev_url() { printf 'http://%s:%s%s' "$SP_HOST" "$SP_MAILDEV_WEB_PORT" "${1:-}"; }

maildev_pid() { # prints the pid from the pid file if that process is our MailDev
  local pid
  pid="$(cat "$MAILDEV_PID_FILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ "$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" == *maildev* ]] || return 1
  printf '%s\n' "$pid"
}

maildev_ok() { [[ "$(http_code "$(maildev_url /api/healthz)")" == 200 ]]; }

maildev_install() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    die "node and npm (Node.js >= 20) are required for MailDev; install them first"
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  ((major >= 20)) || die "MailDev needs Node.js >= 20 (found $(node -v))"
  if [[ ! -x "$MAILDEV_DIR/node_modules/.bin/maildev" ]]; then
    step "maildev: npm ci in tools/maildev"
    # shellcheck disable=SC2016
    run_logged "npm ci (tools/maildev)" bash -c 'cd "$1" && npm ci --no-audit --no-fund' _ "$MAILDEV_DIR"
  fi
}

maildev_selftest() { # send one message, check the API lists it, delete it again
  local id subject="infra.sh self-test $$-$RANDOM" tmp
  tmp="$(mktemp)"
  printf 'From: infra@statusplatform.test\r\nTo: check@statusplatform.test\r\nSubject: %s\r\n\r\nself-test\r\n' "$subject" >"$tmp"
  if ! curl -sS --max-time 10 "smtp://$SP_HOST:$SP_SMTP_PORT" --mail-from infra@statusplatform.test \
    --mail-rcpt check@statusplatform.test -T "$tmp" >>"$STEP_LOG" 2>&1; then
    rm -f "$tmp"
    die_with_log "MailDev did not accept mail on smtp://$SP_HOST:$SP_SMTP_PORT" "$MAILDEV_LOG"
  fi
  rm -f "$tmp"
  local list
  list="$(curl -sf --max-time 5 "$(maildev_url /api/email)")" || true
  [[ "$list" == *"\"subject\":\"$subject\""* ]] ||
    die_with_log "mail sent to MailDev is not listed by $(maildev_url /api/email)" "$MAILDEV_LOG"
  # Each message is {"id":"...",...,"subject":"...",...}: take the id of ours and delete only it.
  id="$(tr '{' '\n' <<<"$list" | grep -F "\"subject\":\"$subject\"" | sed -n 's/^"id":"\([^"]*\)".*/\1/p' | head -n 1)" || true
  if [[ -z "$id" ]] || ! curl -sf --max-time 5 -X DELETE "$(maildev_url "/api/email/$id")" >/dev/null; then
    warn "could not delete the MailDev self-test message '$subject'"
  fi
}

maildev_up() {
  ensure_dirs
  # Installed even when a MailDev is already running: tests/Faults starts private ones from this checkout.
  maildev_install
  if maildev_pid >/dev/null && maildev_ok; then
    step "maildev: running (pid $(maildev_pid))"
    return 0
  fi
  # Another checkout's MailDev on the same ports serves this one just as well (they share the machine's inbox).
  if ! maildev_pid >/dev/null && port_open "$SP_SMTP_PORT" && maildev_ok; then
    step "maildev: running (started by another checkout)"
    return 0
  fi
  local pid
  if pid="$(maildev_pid)"; then # alive but not answering: restart it
    kill "$pid" 2>/dev/null || true
    sleep 1
  fi
  local p
  for p in "$SP_SMTP_PORT" "$SP_MAILDEV_WEB_PORT"; do
    ! port_open "$p" || die "port $p on $SP_HOST is already in use by another process (not our MailDev)"
  done
  step "maildev: starting (smtp $SP_HOST:$SP_SMTP_PORT, web $(maildev_url))"
  printf '\n### %s starting maildev\n' "$(date '+%F %T')" >>"$MAILDEV_LOG"
  # Messages are kept in memory, but MailDev also writes each one to
  # $TMPDIR/maildev; give it a private TMPDIR so that instances of different
  # users/checkouts do not share (or fight over permissions on) /tmp/maildev.
  rm -rf "$MAILDEV_TMP"
  mkdir -p "$MAILDEV_TMP"
  (
    cd "$MAILDEV_DIR"
    export TMPDIR="$MAILDEV_TMP"
    exec setsid node_modules/.bin/maildev --smtp "$SP_SMTP_PORT" --ip "$SP_HOST" \
      --web "$SP_MAILDEV_WEB_PORT" --web-ip "$SP_HOST"
  ) </dev/null >>"$MAILDEV_LOG" 2>&1 &
  echo "$!" >"$MAILDEV_PID_FILE"
  wait_until "MailDev on $(maildev_url /api/healthz)" "$SP_MAILDEV_TIMEOUT" "$MAILDEV_LOG" maildev_ok
  maildev_selftest
}

maildev_down() {
  local pid i
  if pid="$(maildev_pid)"; then
    step "maildev: stopping (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
      [[ -d "/proc/$pid" ]] || break
      sleep 0.25
    done
    [[ ! -d "/proc/$pid" ]] || kill -9 "$pid" 2>/dev/null || true
  else
    step "maildev: already stopped"
  fi
  rm -f "$MAILDEV_PID_FILE"
  rm -rf "$MAILDEV_TMP"
}

# ---------------------------------------------------------------- commands --
local_statusdb() {
  printf 'Host=%s;Port=%s;Database=%s;Username=%s;Password=%s' \
    "$SP_HOST" "$SP_PG_PORT" "$SP_PG_DB" "$SP_PG_USER" "$SP_PG_PASSWORD"
}

local_messaging() {
  printf 'amqp://%s:%s@%s:%s/%s' "$(urlencode "$SP_RABBIT_USER")" "$(urlencode "$SP_RABBIT_PASSWORD")" \
    "$SP_HOST" "$SP_AMQP_PORT" "$(urlencode "$SP_RABBIT_VHOST")"
}

# A ConnectionStrings__* variable already set to something else than the local
# default points at an existing server: leave that service alone.
pg_external() { [[ -n "${ConnectionStrings__statusdb:-}" && "$ConnectionStrings__statusdb" != "$(local_statusdb)" ]]; }
rabbit_external() { [[ -n "${ConnectionStrings__messaging:-}" && "$ConnectionStrings__messaging" != "$(local_messaging)" ]]; }

print_env() {
  local db mq
  if pg_external; then db="$ConnectionStrings__statusdb"; else db="$(local_statusdb)"; fi
  if rabbit_external; then mq="$ConnectionStrings__messaging"; else mq="$(local_messaging)"; fi
  printf 'export ConnectionStrings__statusdb=%s\n' "$(shq "$db")"
  printf 'export ConnectionStrings__messaging=%s\n' "$(shq "$mq")"
  printf 'export Smtp__Host=%s\n' "$(shq "$SP_HOST")"
  printf 'export Smtp__Port=%s\n' "$(shq "$SP_SMTP_PORT")"
  printf 'export MailDev__Url=%s\n' "$(shq "$(maildev_url)")"
  # tests/TestSupport creates a vhost per fixture through the management API.
  printf 'export SP_RABBIT_MANAGEMENT_URL=%s\n' "$(shq "${SP_RABBIT_MANAGEMENT_URL:-$(mgmt_url /)}")"
}

cmd_up() {
  ensure_dirs
  ensure_tools
  if pg_external; then
    step "postgresql: using ConnectionStrings__statusdb from the environment (not managed here)"
  else
    pg_up
  fi
  if rabbit_external; then
    step "rabbitmq: using ConnectionStrings__messaging from the environment (not managed here)"
  else
    rabbit_up
  fi
  maildev_up
}

cmd_down() {
  ensure_dirs
  maildev_down
  rabbit_down
  pg_down
}

cmd_status() {
  local all=0 state
  pg_detect_version
  if command -v pg_isready >/dev/null && pg_ready; then state=running; else state=stopped; all=1; fi
  printf '%-11s %-8s postgres://%s:%s (cluster %s/%s)\n' postgresql "$state" "$SP_HOST" "$SP_PG_PORT" "$SP_PG_VERSION" "$SP_PG_CLUSTER"
  if port_open "$SP_AMQP_PORT" && [[ "$(http_code "$(mgmt_url /api/overview)")" =~ ^(200|401)$ ]]; then
    state=running
  elif port_open "$SP_AMQP_PORT"; then
    state="running (management API not answering)"
    all=1
  else
    state=stopped
    all=1
  fi
  printf '%-11s %-8s amqp://%s:%s, management %s\n' rabbitmq "$state" "$SP_HOST" "$SP_AMQP_PORT" "$(mgmt_url /)"
  if maildev_ok; then state=running; else state=stopped; all=1; fi
  printf '%-11s %-8s smtp://%s:%s, web %s\n' maildev "$state" "$SP_HOST" "$SP_SMTP_PORT" "$(maildev_url)"
  return "$all"
}

cmd_reset() {
  cmd_up
  if pg_external; then
    step "postgresql: external (ConnectionStrings__statusdb), not reset"
  else
    step "postgresql: dropping and recreating database '$SP_PG_DB' (and ${SP_TEST_PREFIX}* databases)"
    psql_admin -v user="$SP_PG_USER" -v db="$SP_PG_DB" -v prefix="$SP_TEST_PREFIX" <<'SQL'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname)
  FROM pg_database
 WHERE datname = :'db' OR starts_with(datname, :'prefix') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') \gexec
SQL
  fi
  if rabbit_external; then
    step "rabbitmq: external (ConnectionStrings__messaging), not reset"
  else
    step "rabbitmq: deleting and recreating vhost '$SP_RABBIT_VHOST' (and ${SP_TEST_PREFIX}* vhosts)"
    local v
    while IFS= read -r v; do
      [[ "$v" == "$SP_RABBIT_VHOST" || "$v" == "$SP_TEST_PREFIX"* ]] || continue
      mgmt DELETE "/api/vhosts/$(urlencode "$v")" >/dev/null || die "could not delete vhost '$v'"
    done < <(mgmt GET '/api/vhosts?columns=name' | grep -o '"name":"[^"]*"' | sed 's/^"name":"//; s/"$//' || true)
    rabbit_create_vhost "$SP_RABBIT_VHOST"
    rabbit_full_permissions "$SP_RABBIT_VHOST"
  fi
  step "maildev: clearing the inbox"
  curl -sf --max-time 5 -X DELETE "$(maildev_url /api/email/all)" >/dev/null || die "could not clear MailDev's inbox"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

main() {
  local cmd="${1:-up}"
  [[ $# -eq 0 ]] || shift
  case "$cmd" in
    up)
      cmd_up
      printf '\n'
      print_env | sed 's/^export //'
      printf 'MailDev web UI: %s\n' "$(maildev_url)"
      ;;
    down) cmd_down ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    env) print_env ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
