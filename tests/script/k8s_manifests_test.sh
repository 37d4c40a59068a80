#!/usr/bin/env bash
# Renders the kustomize base and every overlay under k8s/ with
# `kubectl kustomize` (offline) and validates every object against the
# Kubernetes schemas (npm kubernetes-models) plus the project's rules
# (tests/script/k8s_validate.mjs): hardened pods, gRPC probes and Service
# ports that match the container's, drain vs termination grace, egress only
# DNS + HTTPS, no real key in the Secret template. Then breaks a rendered
# manifest on purpose to show the validator fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v kubectl >/dev/null || fail "kubectl not found"
validate() { node tests/script/k8s_validate.mjs "$1" "$2" >"$work/$1.out" 2>&1; }

overlays=(k8s/base)
for dir in k8s/overlays/*/; do overlays+=("${dir%/}"); done
((${#overlays[@]} >= 3)) || fail "expected base + dev + prod, found ${overlays[*]}"
for overlay in "${overlays[@]}"; do
  name="$(basename "$overlay")"
  kubectl kustomize "$overlay" >"$work/$name.yaml" || fail "kustomize $overlay"
  validate "$name" "$work/$name.yaml" || { cat "$work/$name.out"; fail "$overlay is invalid"; }
  echo "ok - $overlay renders and validates ($(grep -c '^ok' "$work/$name.out") checks)"
done
grep -q 'kind: Deployment' "$work/dev.yaml" && grep -q 'tracktry-emulator' "$work/dev.yaml" \
  || fail "dev overlay does not run the emulator"
grep -q 'TRACKTRY_BASE_URL: http://tracktry-emulator:8080/v1' "$work/dev.yaml" \
  || fail "dev overlay does not point the server at the emulator"
echo "ok - dev overlay runs the emulator as the upstream"
grep -q 'TRACKTRY_AUTH_TOKENS_FILE' "$work/prod.yaml" || fail "prod overlay without caller auth"
echo "ok - prod overlay requires caller tokens"

# The validator must catch broken manifests.
expect_invalid() {  # NAME SED_EXPRESSION
  sed -E "$2" "$work/base.yaml" >"$work/broken.yaml"
  cmp -s "$work/base.yaml" "$work/broken.yaml" && fail "mutation '$1' changed nothing"
  if validate broken "$work/broken.yaml"; then fail "validator accepted: $1"; fi
  echo "ok - validator rejects: $1"
}
expect_invalid "container gRPC port differs from the probes and Service" 's/containerPort: 50051/containerPort: 50052/'
expect_invalid "writable root filesystem" 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
expect_invalid "replicas of the wrong type (schema)" 's/replicas: 2/replicas: two/'
expect_invalid "termination grace shorter than the drain" 's/terminationGracePeriodSeconds: 30/terminationGracePeriodSeconds: 10/'
expect_invalid "egress to any port" '/- port: 443/d'
expect_invalid "a real-looking key in the Secret" 's/REPLACE-WITH-THE-TRACKTRY-API-KEY/0a1b2c3d-4e5f-6789-abcd-ef0123456789/'
