#!/usr/bin/env bash
# Generates Python stubs from the proto into a temporary folder and runs the
# example against TARGET (default 127.0.0.1:50051).
#   examples/python/run.sh [TARGET] [BEARER_TOKEN]
# Needs Debian's python3-grpcio and python3-protobuf, protoc and
# grpc_python_plugin (protobuf-compiler, protobuf-compiler-grpc).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
stubs="$(mktemp -d)"
trap 'rm -rf "$stubs"' EXIT
protoc -I "$root/proto" -I /usr/include \
  --python_out="$stubs" --grpc_python_out="$stubs" \
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin \
  "$root/proto/tracktry/v1/tracking_service.proto"
# /usr/bin/python3: Debian's interpreter, the one python3-grpcio belongs to.
PYTHONPATH="$stubs" /usr/bin/python3 "$here/tracktry_example.py" "$@"
