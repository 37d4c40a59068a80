#!/usr/bin/env bash
# Renders the kustomize base and every overlay under k8s/ with
# `kubectl kustomize` (offline) and validates every object against the
# Kubernetes schemas (npm kubernetes-models) plus the project's rules
# (tests/script/k8s_validate.mjs): hardened pods, gRPC probes and Service
# ports that match the container's, drain vs termination grace, egress only
# DNS + HTTPS + named peers, Secrets only in dev and only as mounted files
# (no subPath), the fleet-mode Redis (base, dev) or the operator's (prod),
# the fallback rate share x maxReplicas <= 1. Then breaks rendered manifests
# on purpose to show the validator fails, and checks that .dockerignore
# keeps secret files out of the image build context but no source file.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v kubectl >/dev/null || fail "kubectl not found"
validate() {  # OVERLAY FILE OUT
  node tests/script/k8s_validate.mjs "$1" "$2" >"$3" 2>&1
}

overlays=(k8s/base)
for dir in k8s/overlays/*/; do overlays+=("${dir%/}"); done
((${#overlays[@]} >= 3)) || fail "expected base + dev + prod, found ${overlays[*]}"
for overlay in "${overlays[@]}"; do
  name="$(basename "$overlay")"
  kubectl kustomize "$overlay" >"$work/$name.yaml" || fail "kustomize $overlay"
  validate "$name" "$work/$name.yaml" "$work/$name.out" || { cat "$work/$name.out"; fail "$overlay is invalid"; }
  echo "ok - $overlay renders and validates ($(grep -c '^ok' "$work/$name.out") checks)"
done
for name in base dev prod; do [[ -s "$work/$name.yaml" ]] || fail "no $name rendering"; done
grep -q 'kind: Deployment' "$work/dev.yaml" && grep -q 'tracktry-emulator' "$work/dev.yaml" \
  || fail "dev overlay does not run the emulator"
grep -q 'TRACKTRY_BASE_URL: http://tracktry-emulator:8080/v1' "$work/dev.yaml" \
  || fail "dev overlay does not point the server at the emulator"
echo "ok - dev overlay runs the emulator as the upstream"
grep -q 'TRACKTRY_AUTH_TOKENS_FILE' "$work/prod.yaml" || fail "prod overlay without caller auth"
echo "ok - prod overlay requires caller tokens"
for name in base prod; do
  if grep -q '^kind: Secret$' "$work/$name.yaml"; then fail "$name renders a Secret (apply would overwrite the real one)"; fi
done
grep -q '^kind: Secret$' "$work/dev.yaml" || fail "dev renders no Secret for the emulator"
echo "ok - only dev renders a Secret (base and prod use the operator's)"
for name in base dev; do
  grep -qE '^    app.kubernetes.io/name: tracktry-redis$' "$work/$name.yaml" || fail "$name deploys no Redis"
done
if grep -qE 'image: redis|name: tracktry-redis$' "$work/prod.yaml"; then fail "prod renders a Redis"; fi
echo "ok - base and dev deploy Redis, prod uses the operator's"

# The validator must catch broken manifests: MUTATE NAME OVERLAY COMMAND...
# runs COMMAND on the overlay's rendering (stdin) and expects the result
# (stdout) to fail validation as that overlay.
expect_invalid() {
  local what="$1" overlay="$2"
  shift 2
  "$@" <"$work/$overlay.yaml" >"$work/broken.yaml"
  cmp -s "$work/$overlay.yaml" "$work/broken.yaml" && fail "mutation '$what' changed nothing"
  if validate "$overlay" "$work/broken.yaml" "$work/broken.out"; then fail "validator accepted ($overlay): $what"; fi
  echo "ok - validator rejects ($overlay): $what [$(grep -m1 '^FAIL' "$work/broken.out" | cut -c8-)]"
}
append_secret() {  # a Secret object after the rendering
  cat
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: tracktry-grpc-secrets\ntype: Opaque\nstringData:\n  api-key: REPLACE-WITH-THE-TRACKTRY-API-KEY\n'
}
append_base_redis() {  # the base's Redis Deployment and Service
  cat
  awk 'BEGIN { RS = "\n---\n" } /\nkind: (Deployment|Service)\n/ && /\n  name: tracktry-redis\n/ { printf "---\n%s\n", $0 }' "$work/base.yaml"
}
b64() { printf '%s' "$1" | base64 -w0; }
redis_doc() { sed -E "/^  name: tracktry-redis\$/,/^---\$/ $1"; }        # Redis Deployment, Service, policy
egress_doc() { sed -E "/^  name: tracktry-grpc-to-redis\$/,/^---\$/ $1"; }  # server -> Redis policy

# Server and hardening.
expect_invalid "container gRPC port differs from the probes and Service" base sed -E 's/containerPort: 50051/containerPort: 50052/'
expect_invalid "writable root filesystem" base sed -E 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
expect_invalid "replicas of the wrong type (schema)" base sed -E 's/replicas: 2/replicas: two/'
expect_invalid "termination grace shorter than the drain" base sed -E 's/terminationGracePeriodSeconds: 30/terminationGracePeriodSeconds: 10/'
expect_invalid "egress to any port" base sed -E '/- port: 443/d'
# Secrets.
expect_invalid "a placeholder Secret rendered by base" base append_secret
expect_invalid "a placeholder Secret rendered by prod" prod append_secret
expect_invalid "secret mounted with subPath (never updates)" base \
  sed -E 's#^( +)- mountPath: /var/run/secrets/tracktry$#&\n\1  subPath: api-key#'
expect_invalid "secret passed to the server as env" base \
  sed -E 's#^( +)- envFrom:$#\1- env:\n\1  - name: TRACKTRY_API_KEY\n\1    valueFrom:\n\1      secretKeyRef:\n\1        key: api-key\n\1        name: tracktry-grpc-secrets\n\1  envFrom:#'
expect_invalid "Redis password file outside the secret mount" base \
  sed -E 's#TRACKTRY_REDIS_PASSWORD_FILE: /var/run/secrets/tracktry/redis-password#TRACKTRY_REDIS_PASSWORD_FILE: /etc/redis-password#'
expect_invalid "dev Secret holds a placeholder" dev \
  sed -E "s#^  redis-password: .*#  redis-password: $(b64 REPLACE-WITH-A-PASSWORD)#"
expect_invalid "dev Secret lacks a referenced key" dev sed -E '/^  redis-password: /d'
expect_invalid "dev emulator key differs from the Secret's" dev sed -E "s#^  api-key: .*#  api-key: $(b64 another-key)#"
# Fleet mode.
expect_invalid "server without TRACKTRY_REDIS_NAMESPACE" base sed -E '/TRACKTRY_REDIS_NAMESPACE/d'
expect_invalid "fallback share x maxReplicas > 1 (base: 0.5 x 6)" base sed -E 's/TRACKTRY_RATE_SHARE: "0.1666"/TRACKTRY_RATE_SHARE: "0.5"/'
expect_invalid "fallback share x maxReplicas > 1 (prod: 0.1 x 12)" prod sed -E 's/TRACKTRY_RATE_SHARE: "0.0833"/TRACKTRY_RATE_SHARE: "0.1"/'
expect_invalid "Redis without --maxmemory" base sed -E '/^ +- --maxmemory$/,+1d'
expect_invalid "Redis --maxmemory above 90% of its limit" base sed -E 's/^( +- )200mb$/\1250mb/'
expect_invalid "Redis evicts nothing (noeviction)" base sed -E 's/allkeys-lru/noeviction/'
expect_invalid "Redis with persistence" base sed -E '/^ +- --appendonly$/{n;s/"no"/"yes"/}'
expect_invalid "Redis as root" base sed -E 's/runAsUser: 999/runAsUser: 0/'
expect_invalid "Redis without a password" base sed -E 's/requirepass/masterauth/'
expect_invalid "Redis readiness ping without the password" base sed -E 's/REDISCLI_AUTH="[^"]*" //'
expect_invalid "Redis without a liveness probe" dev redis_doc 's/^( +)livenessProbe:$/\1startupProbe:/'
expect_invalid "Redis admits pods other than the server" base redis_doc 's#app.kubernetes.io/name: tracktry-grpc$#app.kubernetes.io/name: anyone#'
expect_invalid "Redis address port is not the Service's" base sed -E 's/tracktry-redis:6379/tracktry-redis:6380/'
expect_invalid "server egress misses the Redis port" dev egress_doc 's/port: 6379/port: 6380/'
expect_invalid "prod egress misses the operator's Redis port" prod egress_doc 's/port: 6379/port: 6380/'
expect_invalid "prod renders a Redis" prod append_base_redis

# .dockerignore: secret files stay out of the build context, sources stay in.
required=('**/tracktry-api-key' '**/tokens' '**/auth-tokens' '**/*api-key*' '**/*tokens*'
          '**/*secret*' '**/*.key' '**/*.pem' '**/.env')
for pattern in "${required[@]}"; do
  grep -qxF -- "$pattern" .dockerignore || fail ".dockerignore lacks $pattern"
done
echo "ok - .dockerignore lists the secret patterns (${#required[@]})"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Every tracked file under what the Dockerfile COPYs from the context
  # (".": everything) must reach the build.
  mapfile -t sources < <(awk 'toupper($1) == "COPY" && $0 !~ /--from/ {
      for (i = 2; i < NF; i++) if ($i !~ /^--/) print $i }' Dockerfile)
  ((${#sources[@]} > 0)) || fail "no COPY in Dockerfile"
  pathspecs=()
  for source in "${sources[@]}"; do
    source="${source#./}"; source="${source%/}"
    [[ "$source" == . ]] && source=""
    pathspecs+=(":/$source")  # from the top of the work tree; ":/" = all
  done
  excluded="$(git ls-files -i -c --exclude-from=.dockerignore -- "${pathspecs[@]}")"
  [[ -z "$excluded" ]] || fail ".dockerignore excludes files the Dockerfile copies: $excluded"
  echo "ok - .dockerignore excludes none of the tracked files the Dockerfile copies (${sources[*]})"
else
  echo "skip - no git work tree for the tracked-files check"
fi
# Probe files: secrets are ignored, source-like names are not.
probe="$work/dockerignore-probe"
mkdir -p "$probe" && cp .dockerignore "$probe/" && git -C "$probe" init -q
secret_files=(tracktry-api-key tokens auth-tokens caller-tokens k8s/secret.yaml service/tls.key server.pem .env
              deploy/.env config/my-api-key.txt redis-password)
source_files=(service/ops/secret_file_watcher.cc service/ops/bearer_tokens.h service/ops/CMakeLists.txt
              proto/tracktry/v1/api_key.proto cmake/secrets.cmake Dockerfile script/bootstrap)
for f in "${secret_files[@]}" "${source_files[@]}"; do mkdir -p "$probe/$(dirname "$f")"; : >"$probe/$f"; done
ignored="$(git -C "$probe" ls-files -o -i --exclude-from=.dockerignore)"
for f in "${secret_files[@]}"; do grep -qxF "$f" <<<"$ignored" || fail ".dockerignore lets $f into the build context"; done
for f in "${source_files[@]}"; do if grep -qxF "$f" <<<"$ignored"; then fail ".dockerignore drops source $f"; fi; done
echo "ok - .dockerignore drops ${#secret_files[@]} secret-like files and keeps ${#source_files[@]} source-like ones"
