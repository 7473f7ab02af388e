#!/usr/bin/env bash
# Browser tests of the status page, its live updates, the embeddable widget (ours and Atlassian's), the subscription
# flow, accessibility (axe-core) and the admin console, in real headless Chromium.
#   scripts/browser-tests.sh
# Installs Debian's chromium when missing (apt-get) and tests/Browser's npm packages from its lockfile (playwright-core,
# axe-core, @statuspage/status-widget; never a browser download), starts the local infrastructure (scripts/infra.sh),
# one StatusApi over a database of its own with a seeded read model, and one Notify.Service over another database of
# its own, both on a RabbitMQ virtual host of their own (Notify sends its confirmation mails to the local MailDev).
# For the console's end-to-end test it also starts a second, real suite: Incident.Service, Notify.Service and StatusApi
# sharing one more database and vhost, with a small configuration file (two components, a confirmed email subscriber of
# each). Then it runs tests/Browser/run.mjs, stops the services and removes the databases and vhosts again.
# Screenshots and the services' logs: tests/Browser/artifacts.
# Not part of scripts/test.sh. Exit code: the tests' (0 all passed, 1 a test failed, other: setup failed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
started=$SECONDS

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium"
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
(cd tests/Browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

bash scripts/infra.sh up >/dev/null
eval "$(bash scripts/infra.sh env)"

# The Npgsql connection string of the infrastructure, as the parts psql and StatusApi need.
part() { tr ';' '\n' <<<"$ConnectionStrings__statusdb" | sed -n "s/^$1=//Ip" | head -1; }
pg_host="$(part Host)"; pg_port="$(part Port)"; pg_user="$(part Username)"; pg_password="$(part Password)"; pg_db="$(part Database)"
db="sp_browser_$(date +%s)_$$"
admin_url="postgresql://${pg_user}:${pg_password}@${pg_host}:${pg_port:-5432}/${pg_db}"
db_url="postgresql://${pg_user}:${pg_password}@${pg_host}:${pg_port:-5432}/${db}"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$ROOT/tests/Browser/artifacts/statusapi.log"
mkdir -p "$(dirname "$log")"
api_pid=""
# Notify.Service owns the notify schema; a database of its own, so dropping it removes every subscriber the tests made.
notify_db="${db}_notify"
notify_db_url="postgresql://${pg_user}:${pg_password}@${pg_host}:${pg_port:-5432}/${notify_db}"
notify_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
notify_log="$ROOT/tests/Browser/artifacts/notify.log"
notify_pid=""
# The end-to-end suite: Incident.Service, Notify.Service and StatusApi on one database (a schema each) and one vhost.
e2e_db="${db}_e2e"
e2e_db_url="postgresql://${pg_user}:${pg_password}@${pg_host}:${pg_port:-5432}/${e2e_db}"
e2e_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
e2e_notify_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
e2e_incident_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
e2e_config="$(mktemp --suffix=.yaml)"
e2e_subscriber="wifi-$(date +%s)-$$@example.test"
e2e_bystander="printing-$(date +%s)-$$@example.test"
e2e_pids=()

# A RabbitMQ virtual host of its own, so the console tests' stand-in for Incident.Service (tests/Browser/fake-services.mjs)
# answers this StatusApi's commands only, and nothing else on the machine hears them.
amqp_rest="${ConnectionStrings__messaging#amqp://}"
rabbit_user="${amqp_rest%%:*}"; amqp_rest="${amqp_rest#*:}"; rabbit_password="${amqp_rest%%@*}"; amqp_rest="${amqp_rest#*@}"
rabbit_hostport="${amqp_rest%%/*}"
vhost="$db"
mgmt() { curl -fsS -u "$rabbit_user:$rabbit_password" -H 'content-type: application/json' -X "$1" "${SP_RABBIT_MANAGEMENT_URL%/}/api/$2" ${3:+-d "$3"}; }
console_password="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"

cleanup() {
  if [[ -n "$api_pid" ]]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  if [[ -n "$notify_pid" ]]; then kill "$notify_pid" 2>/dev/null || true; wait "$notify_pid" 2>/dev/null || true; fi
  for pid in "${e2e_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  psql "$admin_url" -q -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  psql "$admin_url" -q -c "drop database if exists $notify_db with (force)" >/dev/null 2>&1 || true
  psql "$admin_url" -q -c "drop database if exists $e2e_db with (force)" >/dev/null 2>&1 || true
  mgmt DELETE "vhosts/$vhost" >/dev/null 2>&1 || true
  mgmt DELETE "vhosts/${vhost}_e2e" >/dev/null 2>&1 || true
  rm -f "$e2e_config"
}
trap cleanup EXIT

psql "$admin_url" -q -v ON_ERROR_STOP=1 -c "create database $db"
psql "$admin_url" -q -v ON_ERROR_STOP=1 -c "create database $notify_db"
psql "$admin_url" -q -v ON_ERROR_STOP=1 -c "create database $e2e_db"
for v in "$vhost" "${vhost}_e2e"; do
  mgmt PUT "vhosts/$v" >/dev/null
  mgmt PUT "permissions/$v/$rabbit_user" '{"configure": ".*", "write": ".*", "read": ".*"}' >/dev/null
done
psql "$db_url" -q -v ON_ERROR_STOP=1 -f src/Incident.Service/Status/status-schema.sql >/dev/null
# The read model as Incident.Service's projections would leave it: a page, a website, a group of two, five days of history.
psql "$db_url" -q -v ON_ERROR_STOP=1 <<'SQL'
insert into status.page (id, name, url, time_zone, updated_at) values ('page', 'Browser Test Status', 'http://status.invalid', 'Europe/Berlin', now());
insert into status.components (id, name, status, created_at, updated_at, position, description, group_id, is_group) values
  ('website', 'Website', 'operational', now(), now(), 1, 'The public site', null, false),
  ('backend', 'Backend', 'operational', now(), now(), 2, null, null, true),
  ('api', 'API', 'operational', now(), now(), 1, null, 'backend', false),
  ('db', 'Database', 'operational', now(), now(), 2, null, 'backend', false);
insert into status.component_status_intervals (component_id, status, started_at, ended_at) values
  ('website', 'operational', now() - interval '5 days', null),
  ('api', 'operational', now() - interval '5 days', now() - interval '2 days'),
  ('api', 'major_outage', now() - interval '2 days', now() - interval '2 days' + interval '90 minutes'),
  ('api', 'operational', now() - interval '2 days' + interval '90 minutes', null),
  ('db', 'operational', now() - interval '5 days', null);
SQL

# Quiet unless it fails (other builds on the machine can hold a file for a moment: the message says so).
build() {
  local out
  out="$(dotnet build "$1" -nologo -v q 2>&1)" || { tail -n 30 <<<"$out" >&2; echo "building $1 failed" >&2; exit 3; }
}
build src/StatusApi
build src/Notify.Service
build src/Incident.Service
# The content root is the project folder, where wwwroot is. Refreshes every second, so a change shows within a few.
(cd src/StatusApi && \
  ASPNETCORE_URLS="http://127.0.0.1:$port" \
  ConnectionStrings__statusdb="Host=$pg_host;Port=${pg_port:-5432};Database=$db;Username=$pg_user;Password=$pg_password" \
  ConnectionStrings__messaging="amqp://$rabbit_user:$rabbit_password@$rabbit_hostport/$vhost" \
  Console__BootstrapUser=browser-admin Console__BootstrapPassword="$console_password" \
  PublicApi__RefreshInterval=00:00:01 StatusPage__ExtrasRefreshInterval=00:00:02 MASSTRANSIT_USAGE_TELEMETRY=false \
  exec dotnet bin/Debug/net10.0/StatusApi.dll >"$log" 2>&1) &
api_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/api/v2/status.json" >/dev/null 2>&1 && break
  kill -0 "$api_pid" 2>/dev/null || { echo "StatusApi did not start; see $log" >&2; exit 3; }
  sleep 0.5
done
# The console's tables and its bootstrap admin are created in the background after start-up.
for _ in $(seq 1 120); do
  [[ "$(psql "$db_url" -tAq -c "select count(*) from api.console_users" 2>/dev/null)" == 1 ]] && break
  sleep 0.5
done

# The real Notify.Service, for the subscription flow: it answers StatusApi's subscription commands on the same vhost and
# mails the confirmation link (Notify:PublicBaseUrl, this StatusApi) through MailDev's SMTP.
(cd src/Notify.Service && \
  ASPNETCORE_URLS="http://127.0.0.1:$notify_port" \
  ConnectionStrings__statusdb="Host=$pg_host;Port=${pg_port:-5432};Database=$notify_db;Username=$pg_user;Password=$pg_password" \
  ConnectionStrings__messaging="amqp://$rabbit_user:$rabbit_password@$rabbit_hostport/$vhost" \
  Smtp__Host="$Smtp__Host" Smtp__Port="$Smtp__Port" Notify__PublicBaseUrl="http://127.0.0.1:$port" MASSTRANSIT_USAGE_TELEMETRY=false \
  exec dotnet bin/Debug/net10.0/Notify.Service.dll >"$notify_log" 2>&1) &
notify_pid=$!
# Ready: its schema is migrated (the health check) and its subscription endpoint is bound on the broker.
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$notify_port/health" >/dev/null 2>&1 \
    && mgmt GET "queues/$vhost/notify-subscriptions" >/dev/null 2>&1 && break
  kill -0 "$notify_pid" 2>/dev/null || { echo "Notify.Service did not start; see $notify_log" >&2; exit 3; }
  sleep 0.5
done

# The end-to-end suite. Incident.Service first: it creates the read model and applies the configuration file (the page
# and its components); Notify.Service seeds the two subscribers from the same file as confirmed; StatusApi serves the
# public page and the console over them. An incident posted in this console travels as it does in production.
cat >"$e2e_config" <<YAML
page:
  name: Browser End-to-End
  url: http://127.0.0.1:$e2e_port
  time_zone: Europe/Berlin
components:
  - id: library-wifi
    name: Library Wi-Fi
  - id: printing
    name: Printing
subscribers:
  - email: $e2e_subscriber
    components: [library-wifi]
  - email: $e2e_bystander
    components: [printing]
YAML
e2e_env=(
  ConnectionStrings__statusdb="Host=$pg_host;Port=${pg_port:-5432};Database=$e2e_db;Username=$pg_user;Password=$pg_password"
  ConnectionStrings__messaging="amqp://$rabbit_user:$rabbit_password@$rabbit_hostport/${vhost}_e2e"
  StatusPlatform__ConfigFile="$e2e_config" MASSTRANSIT_USAGE_TELEMETRY=false
)
# start_e2e <project folder> <port> <log> [VAR=value...]: runs the service in the background and remembers its pid.
start_e2e() {
  local dir="$1" service_port="$2" service_log="$3"; shift 3
  (cd "$dir" && exec env "${e2e_env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$service_port" "$@" dotnet "bin/Debug/net10.0/$(basename "$dir").dll" >"$service_log" 2>&1) &
  e2e_pids+=($!)
}
# wait_for <what> <log> <command...>: until the command succeeds, or fail when the last started service died.
wait_for() {
  local what="$1" service_log="$2"; shift 2
  for _ in $(seq 1 180); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "${e2e_pids[-1]}" 2>/dev/null || { echo "$what: the service stopped; see $service_log" >&2; exit 3; }
    sleep 0.5
  done
  echo "$what: not ready after 90 s; see $service_log" >&2; exit 3
}
start_e2e src/Incident.Service "$e2e_incident_port" "$ROOT/tests/Browser/artifacts/e2e-incident.log"
wait_for "Incident.Service (end to end)" "$ROOT/tests/Browser/artifacts/e2e-incident.log" \
  bash -c "curl -fsS http://127.0.0.1:$e2e_incident_port/health && [[ \"\$(psql '$e2e_db_url' -tAq -c 'select count(*) from status.components')\" == 2 ]]"
start_e2e src/Notify.Service "$e2e_notify_port" "$ROOT/tests/Browser/artifacts/e2e-notify.log" \
  Smtp__Host="$Smtp__Host" Smtp__Port="$Smtp__Port" Notify__PublicBaseUrl="http://127.0.0.1:$e2e_port"
wait_for "Notify.Service (end to end)" "$ROOT/tests/Browser/artifacts/e2e-notify.log" \
  bash -c "curl -fsS http://127.0.0.1:$e2e_notify_port/health && [[ \"\$(psql '$e2e_db_url' -tAq -c 'select count(*) from notify.subscribers where confirmed')\" == 2 ]]"
start_e2e src/StatusApi "$e2e_port" "$ROOT/tests/Browser/artifacts/e2e-statusapi.log" \
  Console__BootstrapUser=browser-admin Console__BootstrapPassword="$console_password" PublicApi__RefreshInterval=00:00:01
wait_for "StatusApi (end to end)" "$ROOT/tests/Browser/artifacts/e2e-statusapi.log" \
  bash -c "curl -fsS http://127.0.0.1:$e2e_port/api/v2/status.json && [[ \"\$(psql '$e2e_db_url' -tAq -c 'select count(*) from api.console_users')\" == 1 ]]"
setup=$((SECONDS - started))

set +e
STATUS_URL="http://127.0.0.1:$port" STATUS_DB="$db_url" CONSOLE_USER=browser-admin CONSOLE_PASSWORD="$console_password" \
  RABBIT_MANAGEMENT_URL="$SP_RABBIT_MANAGEMENT_URL" RABBIT_USER="$rabbit_user" RABBIT_PASSWORD="$rabbit_password" RABBIT_VHOST="$vhost" \
  NOTIFY_DB="$notify_db_url" MAILDEV_URL="$MailDev__Url" \
  E2E_STATUS_URL="http://127.0.0.1:$e2e_port" E2E_DB="$e2e_db_url" E2E_SUBSCRIBER="$e2e_subscriber" E2E_BYSTANDER="$e2e_bystander" \
  node tests/Browser/run.mjs
rc=$?
set -e
echo "browser-tests.sh: ${setup} s setup, $((SECONDS - started)) s in all"
exit "$rc"
