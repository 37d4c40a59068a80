#!/usr/bin/env bash
# Builds the container image with podman from a locally bootstrapped Debian
# base (no registry access needed), then checks it:
#   - runs as a non-root user, holds the server and the emulator;
#   - runs with a read-only root filesystem and every capability dropped:
#     the emulator container as the upstream, the server container against
#     it, called with buf curl (reflection, health, RPCs) and curl /metrics;
#   - `podman stop` (SIGTERM to the server as PID 1) ends in a clean exit 0
#     well before podman's SIGKILL timeout;
#   - prints the image size (recorded in docs/operating.md).
# The debootstrapped base is cached in $TRACKTRY_IMAGE_CACHE
# (/var/cache/tracktry-grpc) so reruns skip the download; podman's layer
# cache keeps the toolchain layer between runs.
# TRACKTRY_SKIP_CONTAINER_TEST=1 skips this test (prints why).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ "${TRACKTRY_SKIP_CONTAINER_TEST:-0}" == 1 ]]; then
  echo "skipped: TRACKTRY_SKIP_CONTAINER_TEST=1"
  exit 0
fi
BUF="$PWD/node_modules/.bin/buf"
CACHE="${TRACKTRY_IMAGE_CACHE:-/var/cache/tracktry-grpc}"
BASE_TAR="$CACHE/bookworm-minbase-slim.tar"
BASE_IMAGE=localhost/tracktry-bookworm-base:latest
IMAGE=localhost/tracktry-grpc:test
SUFFIX="$$-$RANDOM"
EMULATOR="tracktry-test-emulator-$SUFFIX"
SERVER="tracktry-test-server-$SUFFIX"
KEY="container-key-$RANDOM$RANDOM"
work="$(mktemp -d)"
# runc (crun fails under this host's cgroup setup) and explicit ulimits
# (podman's defaults exceed what an unprivileged sandbox may set).
PODMAN=(podman --runtime runc)
LIMITS=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
cleanup() {
  podman rm -f -t 0 "$SERVER" "$EMULATOR" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  podman logs "$SERVER" 2>&1 | tail -n 20 >&2 || true
  exit 1
}
step() { echo "--- $* ($(date +%T))"; }

for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null || fail "$tool not installed (script/bootstrap installs it)"
done

# 1. Base image: Debian bookworm minbase, bootstrapped once and cached.
if [[ ! -s "$BASE_TAR" ]]; then
  step "debootstrap bookworm into $CACHE (once)"
  mkdir -p "$CACHE"
  rootfs="$CACHE/rootfs.$SUFFIX"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log"; rm -rf "$rootfs"; fail "debootstrap"; }
  # Slim it like debian:bookworm-slim: no downloaded packages, package
  # lists, documentation, man pages or translations, now or in later
  # installs.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/01-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
CFG
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/usr/share/groff/* "$rootfs"/usr/share/lintian/*
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  tar -C "$rootfs" -cf "$BASE_TAR.$SUFFIX" . && mv "$BASE_TAR.$SUFFIX" "$BASE_TAR"
  rm -rf "$rootfs"
fi
if ! podman image exists "$BASE_IMAGE" || [[ "$BASE_TAR" -nt "$CACHE/imported" ]]; then
  step "import the base image"
  podman import "$BASE_TAR" "$BASE_IMAGE" >/dev/null 2>&1 || fail "podman import"
  touch "$CACHE/imported"
fi

# 2. Build (compiles the server and the emulator in the build stage; the
# tests run outside the image, in script/test).
step "podman build"
start=$SECONDS
if ! podman build --runtime runc --format docker --network=host "${LIMITS[@]}" \
     --build-arg BASE="$BASE_IMAGE" -t "$IMAGE" . >"$work/build.log" 2>&1; then
  tail -n 60 "$work/build.log" >&2
  fail "podman build"
fi
echo "ok - image built ($((SECONDS - start)) s)"

# 3. Static properties.
user="$(podman image inspect --format '{{.Config.User}}' "$IMAGE")"
[[ -n "$user" && "$user" != root && "$user" != 0 && "${user%%:*}" != 0 ]] || fail "image user is '$user'"
uid="$("${PODMAN[@]}" run --rm "${LIMITS[@]}" --entrypoint /usr/bin/id "$IMAGE" -u)"
[[ "$uid" != 0 ]] || fail "container runs as root"
echo "ok - runs as non-root user $user (uid $uid)"
out="$("${PODMAN[@]}" run --rm "${LIMITS[@]}" --entrypoint /usr/local/bin/tracktry-server "$IMAGE" --help 2>&1)" \
  || fail "server --help: $out"
grep -q -- '--metrics-listen' <<<"$out" || fail "server --help: $out"
out="$("${PODMAN[@]}" run --rm "${LIMITS[@]}" --entrypoint /usr/local/bin/tracktry-emulator "$IMAGE" --help 2>&1 || true)"
grep -q -- '--listen' <<<"$out" || fail "emulator --help: $out"
if "${PODMAN[@]}" run --rm "${LIMITS[@]}" --entrypoint /bin/sh "$IMAGE" -c 'command -v g++ || command -v cmake || test -d /usr/include/grpcpp' >/dev/null 2>&1; then
  fail "the runtime image contains build tools or headers"
fi
echo "ok - runtime stage holds the server and the emulator, no toolchain"

# 4. Run: emulator + server, both hardened, on the host network.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
emulator_port="$(free_port)"; grpc_port="$(free_port)"; metrics_port="$(free_port)"
HARDENED=(--read-only --cap-drop=ALL --security-opt=no-new-privileges --network=host "${LIMITS[@]}")
"${PODMAN[@]}" run -d --name "$EMULATOR" "${HARDENED[@]}" --entrypoint /usr/local/bin/tracktry-emulator \
  "$IMAGE" --listen "127.0.0.1:$emulator_port" --api-key "$KEY" >/dev/null || fail "emulator container"
"${PODMAN[@]}" run -d --name "$SERVER" "${HARDENED[@]}" \
  -e TRACKTRY_API_KEY="$KEY" -e TRACKTRY_BASE_URL="http://127.0.0.1:$emulator_port/v1" \
  -e TRACKTRY_LISTEN="127.0.0.1:$grpc_port" -e TRACKTRY_METRICS_LISTEN="127.0.0.1:$metrics_port" \
  -e TRACKTRY_SHUTDOWN_DELAY=500ms -e TRACKTRY_SHUTDOWN_GRACE=5s \
  "$IMAGE" >/dev/null || fail "server container"
URL="http://127.0.0.1:$grpc_port"
for _ in $(seq 100); do
  podman logs "$SERVER" 2>/dev/null | grep -q '"message":"serving"' && break
  sleep 0.1
done
podman logs "$SERVER" 2>/dev/null | grep -q '"message":"serving"' || fail "server did not start"
pid1="$("${PODMAN[@]}" exec "$SERVER" /bin/cat /proc/1/cmdline | tr '\0' ' ')"
[[ "$pid1" == /usr/local/bin/tracktry-server* ]] || fail "PID 1 is '$pid1'"
echo "ok - the server runs as PID 1 with a read-only root filesystem and no capabilities"

curl_grpc() { "$BUF" curl --protocol grpc --http2-prior-knowledge "$@"; }
out="$(curl_grpc -d '{"service":"tracktry.v1.TrackingService"}' "$URL/grpc.health.v1.Health/Check")" || fail "health: $out"
grep -q '"SERVING"' <<<"$out" || fail "health: $out"
out="$(curl_grpc --list-services "$URL")" || fail "reflection: $out"
grep -q tracktry.v1.TrackingService <<<"$out" || fail "services: $out"
out="$(curl_grpc -d '{"tracking":{"carrier_code":"dhl","tracking_number":"1234567890","title":"container"}}' \
  "$URL/tracktry.v1.TrackingService/CreateTracking")" || fail "CreateTracking: $out"
grep -q '"trackingNumber": *"1234567890"' <<<"$out" || fail "CreateTracking: $out"
out="$(curl_grpc -d '{"carrier_code":"dhl","tracking_number":"1234567890"}' \
  "$URL/tracktry.v1.TrackingService/GetTracking")" || fail "GetTracking: $out"
grep -q '"title": *"container"' <<<"$out" || fail "GetTracking: $out"
echo "ok - buf curl: health, reflection, CreateTracking, GetTracking"
metrics="$(curl -fsS "http://127.0.0.1:$metrics_port/metrics")" || fail "/metrics unreachable"
grep -q 'grpc_server_handled_total{grpc_code="OK",grpc_method="GetTracking"' <<<"$metrics" || fail "/metrics: $metrics"
echo "ok - /metrics served from the container"

# 5. SIGTERM (podman stop) -> drain -> exit 0, long before the SIGKILL at 30 s.
start=$SECONDS
podman stop -t 30 "$SERVER" >/dev/null || fail "podman stop"
elapsed=$((SECONDS - start))
code="$(podman inspect --format '{{.State.ExitCode}}' "$SERVER")"
[[ "$code" == 0 ]] || fail "exit code $code after SIGTERM"
((elapsed < 20)) || fail "stop took ${elapsed}s (SIGKILL?)"
logs="$(podman logs "$SERVER" 2>&1)"
grep -q '"message":"draining".*"signal":"SIGTERM"' <<<"$logs" || fail "no drain on SIGTERM"
grep -q '"message":"stopped"' <<<"$logs" || fail "no clean stop"
if grep -qF "$KEY" <<<"$logs"; then fail "API key in the container log"; fi
echo "ok - podman stop: SIGTERM drained, exit 0 in ${elapsed}s"

size="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
base_size="$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE")"
echo "image size: $((size / 1000000)) MB ($((size / 1048576)) MiB; base $((base_size / 1048576)) MiB)"
