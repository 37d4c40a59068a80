#!/usr/bin/env bash
# Operations flags through the real binaries and standard tools:
#   - --reflection=false: buf curl cannot list services, but still calls
#     with the proto given as schema;
#   - --auth-tokens-file: reflection and health need no token, RPCs do
#     (Unauthenticated without, served with "authorization: Bearer");
#   - --metrics-listen: curl /metrics shows the RPC and upstream series
#     and the upstream API key appears nowhere in /metrics or the log.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BUF="$PWD/node_modules/.bin/buf"
KEY="ops-e2e-key-$RANDOM$RANDOM"
TOKEN="ops-e2e-token-$RANDOM$RANDOM"
on_fail() { tail -n 20 "$work"/server-*.log; }
require_binaries "$EMULATOR" "$SERVER"

start_emulator --api-key "$KEY"
BASE_URL="http://127.0.0.1:${emulator_port}/v1"

start_ops_server() {  # NAME FLAGS... -> sets $port and $metrics_port
  local name="$1"; shift
  TRACKTRY_API_KEY="$KEY" TRACKTRY_BASE_URL="$BASE_URL" start_server "server-$name.log" "$@"
  metrics_port="$(grep -o '"metrics_port":[0-9]*' "$work/server-$name.log" | head -1 | cut -d: -f2)"
}
curl_grpc() { "$BUF" curl --protocol grpc --http2-prior-knowledge "$@"; }
# The ErrorInfo reason in buf curl's error output (details are base64url).
error_reason() {
  local value
  value="$(grep -A1 '"type": "google.rpc.ErrorInfo"' <<<"$1" | grep -o '"value": "[^"]*"' | cut -d'"' -f4)"
  while (( ${#value} % 4 )); do value+="="; done
  printf '%s' "$value" | tr -- '-_' '+/' | base64 -d 2>/dev/null | tr -c '[:alnum:]_' '\n' | grep -m1 -E '^[A-Z_]{4,}$' || true
}

# 1. Reflection off.
start_ops_server noreflect --reflection=false
URL="http://127.0.0.1:$port"
if curl_grpc --list-services "$URL" >"$work/out" 2>&1; then fail "reflection still served: $(cat "$work/out")"; fi
echo "ok - --reflection=false: buf curl cannot list services"
out="$(curl_grpc --schema proto -d '{}' "$URL/tracktry.v1.TrackingService/ListCarriers")"
grep -q '"dhl"' <<<"$out" || fail "call with a local schema failed: $out"
echo "ok - --reflection=false: calls with the proto as schema still work"

# 2. Caller authentication + metrics.
printf '# callers\n%s\n' "$TOKEN" >"$work/tokens"
start_ops_server auth --auth-tokens-file "$work/tokens" --metrics-listen 127.0.0.1:0
URL="http://127.0.0.1:$port"
[[ -n "$metrics_port" && "$metrics_port" != 0 ]] || fail "no metrics port"
services="$(curl_grpc --list-services "$URL")" || fail "reflection needs no token"
grep -q tracktry.v1.TrackingService <<<"$services" || fail "services: $services"
health="$(curl_grpc -d '{"service":"tracktry.v1.TrackingService"}' "$URL/grpc.health.v1.Health/Check")"
grep -q SERVING <<<"$health" || fail "health: $health"
echo "ok - reflection and health need no token"
if out="$(curl_grpc -d '{}' "$URL/tracktry.v1.TrackingService/ListCarriers" 2>&1)"; then
  fail "call without token succeeded: $out"
fi
grep -qi 'unauthenticated' <<<"$out" || fail "expected unauthenticated: $out"
[[ "$(error_reason "$out")" == MISSING_CREDENTIALS ]] || fail "expected ErrorInfo MISSING_CREDENTIALS: $out"
if out="$(curl_grpc -H "authorization: Bearer wrong-$TOKEN" -d '{}' "$URL/tracktry.v1.TrackingService/ListCarriers" 2>&1)"; then
  fail "call with a wrong token succeeded"
fi
[[ "$(error_reason "$out")" == INVALID_CREDENTIALS ]] || fail "expected ErrorInfo INVALID_CREDENTIALS: $out"
out="$(curl_grpc -H "authorization: Bearer $TOKEN" -d '{}' "$URL/tracktry.v1.TrackingService/ListCarriers")"
grep -q '"dhl"' <<<"$out" || fail "call with token: $out"
curl_grpc -H "authorization: Bearer $TOKEN" -H "x-request-id: ops-e2e-1" \
  -d '{"tracking":{"carrier_code":"dhl","tracking_number":"1234567890","customer_email":"hidden@example.org","customer_phone":"+15550100999"}}' \
  "$URL/tracktry.v1.TrackingService/CreateTracking" >/dev/null
echo "ok - RPCs need a valid bearer token"

metrics="$(curl -fsS "http://127.0.0.1:$metrics_port/metrics")" || fail "scrape failed"
for series in 'grpc_server_handled_total{grpc_code="UNAUTHENTICATED",grpc_method="ListCarriers"' \
              'grpc_server_handled_total{grpc_code="OK",grpc_method="CreateTracking"' \
              'grpc_server_handling_seconds_bucket{grpc_method="ListCarriers"' \
              'tracktry_upstream_requests_total{endpoint="carriers",http_status="200",meta_code="200"}' \
              'tracktry_upstream_request_duration_seconds_count{endpoint="create"}' \
              'tracktry_rpcs_in_flight' 'tracktry_upstream_in_flight' 'tracktry_ready 1'; do
  grep -qF "$series" <<<"$metrics" || fail "missing series $series in: $metrics"
done
echo "ok - /metrics has RPC, upstream, in-flight and readiness series"
sleep 0.2
grep -q '"request_id":"ops-e2e-1"' "$work/server-auth.log" || fail "no access line with the request id"
for secret in "$KEY" "$TOKEN" hidden@example.org +15550100999; do
  if grep -qF -- "$secret" "$work"/server-*.log <<<"$metrics"; then fail "secret $secret leaked"; fi
  if grep -qF -- "$secret" <<<"$metrics"; then fail "secret $secret in /metrics"; fi
done
echo "ok - key, token, e-mail and phone appear in no log line and not in /metrics"
