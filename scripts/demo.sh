#!/usr/bin/env bash
# `make demo`: migrate the SQLite database in ./var, build the demo city (a quick no-op when it
# is already there), then serve the console on http://127.0.0.1:8000 with the Huey worker
# beside it. Ctrl-C stops both.
#
#   ELDERS=20000 SEED=2026 bash scripts/demo.sh   build if needed, then serve
#   bash scripts/demo.sh --serve-only             serve what is there (`make serve`)
#
# HOST and PORT change where it listens; DATABASE_URL points it at PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."

YIYANG=${YIYANG:-.venv/bin/yiyang}
ELDERS=${ELDERS:-20000}
SEED=${SEED:-2026}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export YIYANG_DATA_DIR=${YIYANG_DATA_DIR:-$PWD/var}
mkdir -p "$YIYANG_DATA_DIR/static"

serve_only=0
case "${1:-}" in
  --serve-only) serve_only=1 ;;
  "") ;;
  *) echo "usage: $0 [--serve-only]" >&2; exit 2 ;;
esac

"$YIYANG" migrate --noinput -v 0
if [ "$serve_only" -eq 0 ]; then
  "$YIYANG" demo-city --elders "$ELDERS" --seed "$SEED"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# Background work (imports of many rows): Huey's consumer on the embedded SQLite queue.
"$YIYANG" run_huey --logfile "$YIYANG_DATA_DIR/huey.log" >/dev/null 2>&1 &
pids+=("$!")

echo
echo "Yiyang demo:    http://$HOST:$PORT/"
echo "Demo accounts:  docs/demo-accounts.md (every account's password: Yiyang@2026demo)"
echo "Stop with Ctrl-C."
echo
# Django's own server, threaded, without the autoreloader; WhiteNoise serves the static files.
"$YIYANG" runserver "$HOST:$PORT" --noreload &
pids+=("$!")
wait -n "${pids[@]}"
