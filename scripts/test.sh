#!/usr/bin/env bash
# Run the test suite against the local infrastructure (scripts/infra.sh).
#   scripts/test.sh                         all tests
#   scripts/test.sh --filter 'FullyQualifiedName~EventStore'
# Extra arguments go to `dotnet test`; the exit code is dotnet test's.
# To use an existing PostgreSQL/RabbitMQ, export ConnectionStrings__statusdb /
# ConnectionStrings__messaging before running (see docs/infrastructure.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

bash scripts/infra.sh up >/dev/null
env_lines="$(bash scripts/infra.sh env)"
eval "$env_lines"

log="$(mktemp)"
set +e
dotnet test StatusPlatform.sln -c Release "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One closing line over all test assemblies, in the plain form CI reads: "N passed, N failed".
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) }
     } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit "$rc"
