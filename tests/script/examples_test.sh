#!/usr/bin/env bash
# Polyglot clients against a live server: starts tracktry-emulator and
# tracktry-server (with caller authentication on) on 127.0.0.1, then runs
#   - examples/python (stubs generated with protoc + grpc_python_plugin,
#     Debian python3-grpcio),
#   - examples/node (@grpc/grpc-js + @grpc/proto-loader),
#   - examples/cpp, a separate CMake project built against the C++ client
#     library installed with `cmake --install` (find_package), 
# each creating, getting and listing trackings with a bearer token.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
KEY="examples-key-$RANDOM$RANDOM"
TOKEN="examples-token-$RANDOM$RANDOM"
on_fail() { echo "--- server log"; tail -n 20 "$work/server.log"; }
require_binaries "$EMULATOR" "$SERVER"

start_emulator --api-key "$KEY"
printf '%s\n' "$TOKEN" >"$work/tokens"
TRACKTRY_API_KEY="$KEY" TRACKTRY_BASE_URL="http://127.0.0.1:${emulator_port}/v1" \
  start_server server.log --rate-limit=off --auth-tokens-file "$work/tokens"
TARGET="127.0.0.1:$port"

run_example() {  # NAME COMMAND...
  local name="$1"; shift
  local start=$SECONDS
  if ! out="$("$@" 2>&1)"; then fail "$name example: $out"; fi
  grep -q '^created dhl/' <<<"$out" || fail "$name: no create: $out"
  grep -q '^got .* title=' <<<"$out" || fail "$name: no get: $out"
  grep -q 'ours included' <<<"$out" || fail "$name: list misses the tracking: $out"
  echo "ok - $name example creates, gets and lists ($((SECONDS - start)) s)"
}

run_example python examples/python/run.sh "$TARGET" "$TOKEN"
run_example node node examples/node/tracktry_example.mjs "$TARGET" "$TOKEN"

# Without the token the server refuses (the examples really authenticate).
if out="$(examples/python/run.sh "$TARGET" 2>&1)"; then fail "python example without token succeeded"; fi
grep -q 'UNAUTHENTICATED' <<<"$out" || fail "expected UNAUTHENTICATED: $out"
echo "ok - calls without the token are UNAUTHENTICATED"

# C++: install the client package, build the separate example project.
cmake --install "$BIN_DIR" --prefix "$work/prefix" >"$work/install.log" || fail "cmake --install: $(tail "$work/install.log")"
[[ -f "$work/prefix/lib/cmake/tracktry_client/tracktry_clientConfig.cmake" ]] \
  || [[ -f "$work/prefix/lib/x86_64-linux-gnu/cmake/tracktry_client/tracktry_clientConfig.cmake" ]] \
  || fail "no package config installed"
[[ -f "$work/prefix/include/client/tracking_client.h" ]] || fail "headers not installed"
echo "ok - cmake --install installs the tracktry_client package"
cmake -S examples/cpp -B "$work/cpp" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/cpp-configure.log" 2>&1 \
  || fail "examples/cpp configure: $(cat "$work/cpp-configure.log")"
cmake --build "$work/cpp" >"$work/cpp-build.log" 2>&1 || fail "examples/cpp build: $(tail -n 30 "$work/cpp-build.log")"
echo "ok - examples/cpp builds with find_package(tracktry_client)"
run_example cpp "$work/cpp/tracktry_example" "$TARGET" "$TOKEN"
