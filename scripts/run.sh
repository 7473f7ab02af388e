#!/usr/bin/env bash
# Start the local infrastructure (scripts/infra.sh), then the whole platform
# through the AppHost. Extra arguments go to the AppHost.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

bash scripts/infra.sh up >/dev/null
env_lines="$(bash scripts/infra.sh env)"
eval "$env_lines"

exec dotnet run --project src/AppHost -- "$@"
