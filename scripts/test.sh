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
# Fault tests: after the solution and alone (they load the machine and stop a broker and a database of their own,
# tests/Faults/fault-infra.sh, never the shared ones); xunit.runner.json runs their tests one at a time.
dotnet test tests/Faults/Faults.csproj -c Release "$@" 2>&1 | tee -a "$log"
faults_rc=${PIPESTATUS[0]}
bash tests/Faults/fault-infra.sh down >/dev/null 2>&1 # also after a crash of the test host
if [[ $rc -eq 0 ]]; then rc=$faults_rc; fi
# The browser tests (headless Chromium against a StatusApi of their own) run after the .NET suite, not beside it: the
# two cores are the limit. Skipped when a filter narrows the run to some tests.
browser_rc=0
if [[ $# -eq 0 ]]; then
  bash scripts/browser-tests.sh 2>&1 | tee -a "$log"
  browser_rc=${PIPESTATUS[0]}
fi
set -e
# One closing line over all test assemblies and the browser tests, in the plain form CI reads: "N passed, N failed".
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) }
     }
     /^browser tests: [0-9]+ passed, [0-9]+ failed/ { p += $3; f += $5 }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
if [[ "$rc" -eq 0 && "$browser_rc" -ne 0 ]]; then rc=$browser_rc; fi
exit "$rc"
