# Shared by the tests/script/*_test.sh that run the real binaries. Sourced,
# never run on its own (script/test runs only *_test.sh):
#
#   set -euo pipefail
#   source "$(dirname "$0")/lib.sh"
#
# leaves the script at the repository root with:
#   BIN_DIR, EMULATOR, SERVER  the build's binaries (BIN_DIR defaults to
#                              build/release)
#   work                       a temporary directory, removed on exit
#   pids                       every process started here; stopped by PID
#                              (SIGTERM, then reaped) on exit
#   fail MESSAGE               prints "FAIL: MESSAGE" and whatever the
#                              script's own on_fail function prints (a log,
#                              say) to stderr, then exits 1
#   require_binaries PATH...   fails unless each PATH is executable
#   start_emulator FLAGS...    tracktry-emulator on 127.0.0.1:0, output in
#                              $work/emulator.log; sets emulator_port
#   start_server LOG FLAGS...  tracktry-server on 127.0.0.1:0, output in
#                              $work/LOG; waits for the port it logs; sets
#                              server_pid and port (environment for the
#                              server: VAR=value start_server ...)
#   stop_process PID           SIGTERM, waits; returns the exit status and
#                              forgets the PID

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BIN_DIR="${BIN_DIR:-build/release}"
EMULATOR="$BIN_DIR/emulator/tracktry-emulator"
SERVER="$BIN_DIR/service/server/tracktry-server"
work="$(mktemp -d)"
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if declare -F on_fail >/dev/null; then on_fail >&2 || true; fi
  exit 1
}

require_binaries() {
  local binary
  for binary in "$@"; do
    [[ -x "$binary" ]] || fail "$binary is missing (build first)"
  done
}

start_emulator() {
  "$EMULATOR" --listen 127.0.0.1:0 --port-file "$work/emulator.port" "$@" \
    >"$work/emulator.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do [[ -s "$work/emulator.port" ]] && break; sleep 0.05; done
  [[ -s "$work/emulator.port" ]] || fail "emulator did not start"
  emulator_port="$(cat "$work/emulator.port")"
}

start_server() {
  local log="$work/$1"; shift
  "$SERVER" --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  port=""
  for _ in $(seq 200); do
    port="$(grep -o '"port":[0-9]*' "$log" 2>/dev/null | head -1 | cut -d: -f2 || true)"
    [[ -n "$port" ]] && break
    sleep 0.05
  done
  [[ -n "$port" ]] || fail "server did not start (${log##*/})"
}

stop_process() {
  local pid="$1" status=0 kept=() other
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || status=$?
  for other in "${pids[@]}"; do [[ "$other" == "$pid" ]] || kept+=("$other"); done
  pids=("${kept[@]}")
  return "$status"
}
