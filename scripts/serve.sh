#!/usr/bin/env bash
# `make serve`: a local Prefect server (its own SQLite under .prefect/), a process worker, every
# deployment of prefect.yaml and the project's automations. Ctrl-C stops the server and the worker.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
PORT="${PREFECT_PORT:-4200}"
export PREFECT_HOME="${PREFECT_HOME:-$PWD/.prefect}"
export PREFECT_API_URL="http://127.0.0.1:${PORT}/api"
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
export COPYTRACE_HOME="$PWD"
export COPYTRACE_LANDING_DIR="${COPYTRACE_LANDING_DIR:-$PWD/landing}"
export COPYTRACE_DATABASE_URL="${COPYTRACE_DATABASE_URL:-sqlite:///$PWD/copytrace.db}"
# The worker (and so every flow run) inherits this environment: with COPYTRACE_DASHBOARD_URL set, the
# findings artifacts link each copy to the dashboard's page of it (docs/operations.md).
export COPYTRACE_DASHBOARD_URL="${COPYTRACE_DASHBOARD_URL:-}"
# Every setting checked before anything starts (an invalid dashboard URL would fail each run).
DASHBOARD="$("$BIN/python" -c '
import sys
from pydantic import ValidationError
from copytrace.settings import load_settings
try:
    print(load_settings().dashboard_url or "")
except ValidationError as exc:
    sys.exit(f"make serve: {exc}")
')" || exit 1
POOL=copytrace
mkdir -p "$PREFECT_HOME" "$COPYTRACE_LANDING_DIR"

pids=()
# Stop one process: politely, then for good after 15 s (a worker can hang retrying a gone server).
terminate() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 15); do kill -0 "$1" 2>/dev/null || return 0; sleep 1; done
  kill -9 "$1" 2>/dev/null || true
}
# The worker first (it still needs the server to report), then the server.
stop() {
  trap - EXIT INT TERM
  echo "stopping the Prefect worker and server"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do terminate "${pids[i]}"; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

"$BIN/prefect" server start --host 127.0.0.1 --port "$PORT" >"$PREFECT_HOME/server.log" 2>&1 &
pids+=($!)
echo -n "waiting for the Prefect server on port $PORT "
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:${PORT}/api/health" >/dev/null 2>&1 && break
  echo -n "."; sleep 1
done
curl -fs "http://127.0.0.1:${PORT}/api/health" >/dev/null || { echo " the server did not start; see $PREFECT_HOME/server.log"; exit 1; }
echo " up"

"$BIN/prefect" work-pool inspect "$POOL" >/dev/null 2>&1 || "$BIN/prefect" work-pool create "$POOL" --type process >/dev/null
"$BIN/prefect" --no-prompt deploy --all
# The deployments read the database URL from this Secret block (never a plain parameter).
"$BIN/python" scripts/store_database_secret.py
# Alerts: a notification block (a webhook to COPYTRACE_ALERT_WEBHOOK_URL unless COPYTRACE_ALERT_BLOCK
# names one of yours) and the automations that send through it; see docs/operations.md.
"$BIN/python" scripts/create_automations.py

"$BIN/prefect" worker start --pool "$POOL" >"$PREFECT_HOME/worker.log" 2>&1 &
pids+=($!)

cat <<MSG

  Prefect UI:      http://127.0.0.1:${PORT}/
  landing folder:  $COPYTRACE_LANDING_DIR   (ingest-copies runs every 10 minutes)
  database:        $("$BIN/python" -c 'import os; from copytrace.redact import redact_url; print(redact_url(os.environ["COPYTRACE_DATABASE_URL"]))')   (Secret block copytrace-database)
  dashboard links: ${DASHBOARD:-none (set COPYTRACE_DASHBOARD_URL, e.g. http://127.0.0.1:8050, to link findings)}
  logs:            $PREFECT_HOME/server.log, $PREFECT_HOME/worker.log
  Ctrl-C stops the server and the worker.
MSG
wait
