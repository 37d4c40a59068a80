#!/usr/bin/env bash
# Smoke test of bench/'s tracktry-loadgen against the real emulator and
# server on 127.0.0.1: the batch import is split into 40-item upstream calls
# (counted by the emulator), gRPC and direct (REST) loads complete with
# every call OK and percentiles present, an unknown tracking is reported by
# its status code, server RSS/threads are sampled, and the start-up probe
# times a server to SERVING. A few seconds; stops what it starts by PID.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LOADGEN="$BIN_DIR/bench/tracktry-loadgen"
require_binaries "$LOADGEN" "$SERVER" "$EMULATOR"
export TRACKTRY_API_KEY=loadgen-test-key

start_emulator --api-key "$TRACKTRY_API_KEY"
emu="http://127.0.0.1:$emulator_port"
start_server server.log --base-url="$emu/v1" --rate-limit=off

# Import 100 trackings in one RPC: 3 upstream batch calls (40 + 40 + 20).
out="$("$LOADGEN" --json --target "127.0.0.1:$port" --rpc-mix batch:1 --batch-items 100 \
  --numbers 100 --requests 1 --concurrency 1 --emulator-admin "$emu")"
[[ "$(jq '.codes.OK' <<<"$out")" == 1 ]] || fail "import failed: $out"
[[ "$(jq '.upstream.by_route.batch' <<<"$out")" == 3 ]] || fail "expected 3 batch calls: $out"
echo "ok - 100 trackings import as 3 upstream batch calls"

out="$("$LOADGEN" --json --target "127.0.0.1:$port" --rpc-mix get:1 --numbers 100 \
  --concurrency 8 --requests 200 --watch-pid "$server_pid")"
[[ "$(jq '.codes.OK' <<<"$out")" == 200 ]] || fail "gRPC gets: $out"
jq -e '.latency_us.p50 > 0 and .latency_us.p99 >= .latency_us.p50 and .throughput > 0' \
  <<<"$out" >/dev/null || fail "gRPC percentiles: $out"
jq -e '.process.samples >= 1 and .process.rss_kb_max > 0 and .process.threads_max > 1' \
  <<<"$out" >/dev/null || fail "process sampling: $out"
# The server's CPU over the window (bench/run's CPU per call).
jq -e '.process.cpu_us >= 0' <<<"$out" >/dev/null || fail "server CPU time: $out"
echo "ok - gRPC closed loop: 200 OK, percentiles, server RSS/threads/CPU sampled"

out="$("$LOADGEN" --json --direct --upstream "$emu/v1" --rpc-mix get:1 --numbers 100 \
  --concurrency 8 --requests 200)"
[[ "$(jq '.codes.OK' <<<"$out")" == 200 ]] || fail "direct gets: $out"
echo "ok - direct (libcurl multi) closed loop: 200 OK"

# Numbers beyond the imported 100 are unknown upstream.
out="$("$LOADGEN" --json --target "127.0.0.1:$port" --rpc-mix get:1 --numbers 100 \
  --number-prefix ZZ --concurrency 4 --requests 20 --bypass-cache)"
[[ "$(jq '.codes.NOT_FOUND' <<<"$out")" == 20 ]] || fail "NOT_FOUND not counted: $out"
out="$("$LOADGEN" --json --direct --upstream "$emu/v1" --rpc-mix get:1 --number-prefix ZZ \
  --concurrency 4 --requests 20)"
[[ "$(jq '.codes.META_4017' <<<"$out")" == 20 ]] || fail "META_4017 not counted: $out"
echo "ok - failures are counted by status code (NOT_FOUND, META_4017)"

out="$("$LOADGEN" --json --target "127.0.0.1:$port" --rpc-mix health --rate 200 \
  --warmup 0s --duration 1s)"
jq -e '.codes.OK >= 150 and .codes.OK <= 250' <<<"$out" >/dev/null || fail "open loop: $out"
echo "ok - open loop at 200/s for 1 s"

out="$("$LOADGEN" --json --startup-runs 2 -- "$SERVER" --listen=127.0.0.1:{port} \
  --base-url="$emu/v1")"
jq -e '.ok_runs == 2 and .median_ms > 0' <<<"$out" >/dev/null || fail "start-up: $out"
echo "ok - start-up probe: $(jq .median_ms <<<"$out") ms to SERVING"
