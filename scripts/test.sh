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

set +e
dotnet test StatusPlatform.sln -c Release "$@"
rc=$?
set -e
exit "$rc"
