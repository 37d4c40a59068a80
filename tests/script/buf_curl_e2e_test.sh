#!/usr/bin/env bash
# End to end through the real binaries: tracktry-emulator <- tracktry-server
# <- buf curl over server reflection (no proto files given to buf). Checks
# every RPC, the health service, a mapped error, a clean SIGTERM exit, and
# that the API key appears in no log line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUF="$PWD/node_modules/.bin/buf"
KEY="e2e-secret-key-$RANDOM$RANDOM"
on_fail() { echo "--- server log"; cat "$work/server.log"; }
require_binaries "$EMULATOR" "$SERVER"

start_emulator --api-key "$KEY"
TRACKTRY_API_KEY="$KEY" TRACKTRY_BASE_URL="http://127.0.0.1:${emulator_port}/v1" \
  start_server server.log
URL="http://127.0.0.1:${port}"
SVC="$URL/tracktry.v1.TrackingService"

call() {  # call METHOD JSON -> stdout
  "$BUF" curl --protocol grpc --http2-prior-knowledge -d "$2" "$SVC/$1"
}
expect() {  # expect NAME OUTPUT PATTERN
  grep -q -- "$3" <<<"$2" || fail "$1: expected /$3/ in: $2"
  echo "ok - $1"
}

services="$("$BUF" curl --protocol grpc --http2-prior-knowledge --list-services "$URL")"
expect "list services" "$services" "tracktry.v1.TrackingService"
expect "health listed" "$services" "grpc.health.v1.Health"
methods="$("$BUF" curl --protocol grpc --http2-prior-knowledge --list-methods "$URL")"
for method in CreateTracking GetTracking UpdateTracking DeleteTracking BatchCreateTrackings \
              ListTrackings GetRealtimeTracking ListCarriers DetectCarrier; do
  expect "method $method listed" "$methods" "tracktry.v1.TrackingService/$method"
done

health="$("$BUF" curl --protocol grpc --http2-prior-knowledge -d '{"service":"tracktry.v1.TrackingService"}' \
  "$URL/grpc.health.v1.Health/Check")"
expect "health SERVING" "$health" '"SERVING"'
health="$("$BUF" curl --protocol grpc --http2-prior-knowledge -d '{}' "$URL/grpc.health.v1.Health/Check")"
expect "overall health SERVING" "$health" '"SERVING"'

out="$(call ListCarriers '{}')"
expect "ListCarriers" "$out" '"code": *"dhl"'
out="$(call DetectCarrier '{"tracking_number":"RR123456789CN"}')"
expect "DetectCarrier" "$out" '"code": *"china-post"'
out="$(call CreateTracking '{"tracking":{"tracking_number":"RR123456789CN","carrier_code":"china-post","title":"e2e","customer_email":"buyer@example.com"}}')"
expect "CreateTracking" "$out" '"trackingNumber": *"RR123456789CN"'
out="$(call GetTracking '{"carrier_code":"china-post","tracking_number":"RR123456789CN"}')"
expect "GetTracking" "$out" '"carrierCode": *"china-post"'
out="$(call UpdateTracking '{"carrier_code":"china-post","tracking_number":"RR123456789CN","tracking":{"title":"renamed"},"update_mask":"title"}')"
expect "UpdateTracking" "$out" '"title": *"renamed"'
out="$(call ListTrackings '{"page_size":10}')"
expect "ListTrackings" "$out" '"RR123456789CN"'
out="$(call GetRealtimeTracking '{"carrier_code":"ups","tracking_number":"1Z999AA10123456784"}')"
expect "GetRealtimeTracking" "$out" '"trackingNumber": *"1Z999AA10123456784"'
out="$(call BatchCreateTrackings '{"trackings":[{"tracking_number":"LB181539674SG","carrier_code":"cainiao"},{"tracking_number":"RR123456789CN","carrier_code":"china-post"}]}')"
expect "BatchCreateTrackings created" "$out" '"createdCount": *1'
expect "BatchCreateTrackings duplicate" "$out" 'ALREADY_EXISTS\|"code": *6'
out="$(call DeleteTracking '{"carrier_code":"china-post","tracking_number":"RR123456789CN"}')"
expect "DeleteTracking" "$out" '{}'

if out="$(call GetTracking '{"carrier_code":"china-post","tracking_number":"RR123456789CN"}' 2>&1)"; then
  fail "GetTracking after delete succeeded: $out"
fi
expect "GetTracking after delete is NOT_FOUND" "$out" 'not_found'
if out="$(call GetTracking '{"carrier_code":"dhl","tracking_number":"x"}' 2>&1)"; then
  fail "invalid request succeeded: $out"
fi
expect "validation names the field" "$out" 'tracking_number'

status=0; stop_process "$server_pid" || status=$?
[[ "$status" == 0 ]] || fail "server exited with $status after SIGTERM"
echo "ok - clean exit on SIGTERM"

grep -q '"rpc":"GetTracking"' "$work/server.log" || fail "no access log line"
if grep -qF "$KEY" "$work/server.log" "$work/emulator.log"; then
  fail "API key found in a log"
fi
echo "ok - API key appears in no log line"
