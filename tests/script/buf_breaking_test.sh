#!/usr/bin/env bash
# Guards the tracktry.v1 proto against breaking changes: `buf breaking`
# (FILE rules) of proto/ against the newest released snapshot under
# proto-release/. Then shows the check can fail: a copy of the proto with a
# field removed and a field renumbered must be reported as breaking.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUF="$PWD/node_modules/.bin/buf"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

release="$(ls -d proto-release/v*/ | sort -V | tail -1)"
release="${release%/}"
[[ -f "$release/tracktry/v1/tracking_service.proto" ]] || fail "no released proto in $release"

"$BUF" breaking --against "$release" || fail "proto/ breaks $release"
echo "ok - proto/ is compatible with $release"

mkdir -p "$work/broken/tracktry/v1"
proto="$work/broken/tracktry/v1/tracking_service.proto"
cp proto/tracktry/v1/tracking_service.proto "$proto"
# Remove CreateTrackingRequest.request_id and renumber GetTrackingRequest's
# tracking_number.
sed -i -E '/^message CreateTrackingRequest/,/^}/{/string request_id = 2;/d}' "$proto"
sed -i -E '/^message GetTrackingRequest/,/^}/s/string tracking_number = ([0-9]+);/string tracking_number = 99;/' "$proto"
cmp -s "$proto" proto/tracktry/v1/tracking_service.proto && fail "mutation changed nothing"
if out="$("$BUF" breaking "$work/broken" --against "$release" 2>&1)"; then
  fail "buf breaking accepted a removed and a renumbered field"
fi
grep -q 'request_id' <<<"$out" || fail "removed field not reported: $out"
grep -q 'tracking_number' <<<"$out" || fail "renumbered field not reported: $out"
echo "ok - buf breaking reports a removed and a renumbered field"
