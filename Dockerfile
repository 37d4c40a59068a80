# tracktry-grpc container image: tracktry-server (PID 1, handles SIGTERM)
# plus tracktry-emulator (the dev overlay's upstream).
#
#   podman build --build-arg BASE=localhost/bookworm-base -t tracktry-grpc .
#
# BASE must be Debian 12 (bookworm); the default pulls debian:bookworm-slim.
# Stage "build" installs the toolchain from script/bootstrap's package list
# and compiles only what the image ships (tracktry-server and
# tracktry-emulator); the test suite runs on the host (script/test), not
# again here.
# Stage "runtime" gets only the shared libraries the two binaries link
# against (found with ldd + dpkg -S in the build stage), CA certificates and
# a non-root user.
ARG BASE=debian:bookworm-slim

FROM ${BASE} AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV DEBIAN_FRONTEND=noninteractive
# Only the bootstrap script first, so the toolchain layer stays cached until
# the package list changes.
COPY script/bootstrap /src/script/bootstrap
RUN TRACKTRY_BOOTSTRAP_IMAGE=1 /src/script/bootstrap && rm -rf /var/lib/apt/lists/*
COPY . /src
WORKDIR /src
# ccache in a build-cache mount: rebuilds on the same machine only compile
# what changed (the cache is not part of any image layer).
ENV CCACHE_DIR=/ccache CCACHE_MAXSIZE=2G
RUN --mount=type=cache,target=/ccache \
    cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRACKTRY_BUILD_TESTS=OFF \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null \
    && { ninja -C /build -j"$(nproc)" tracktry-server tracktry-emulator >/tmp/ninja.log 2>&1 \
         || { tail -n 60 /tmp/ninja.log; exit 1; }; } \
    && { ccache --show-stats | grep -iE 'hits|misses' | head -n 3 || true; }
RUN mkdir -p /out/bin \
    && install -s /build/service/server/tracktry-server /build/emulator/tracktry-emulator /out/bin/ \
    && for binary in /out/bin/*; do ldd "$binary" | awk '/=> \//{print $3}'; done | sort -u \
       | while read -r lib; do dpkg -S "$(realpath "$lib")" 2>/dev/null || dpkg -S "$lib"; done \
       | cut -d: -f1 | sort -u > /out/runtime-packages \
    && cat /out/runtime-packages

FROM ${BASE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive
COPY --from=build /out/runtime-packages /tmp/runtime-packages
RUN apt-get update -qq \
    && xargs apt-get install -y -qq --no-install-recommends ca-certificates < /tmp/runtime-packages >/dev/null \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* /tmp/runtime-packages \
    && groupadd --gid 10001 tracktry \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin tracktry
COPY --from=build /out/bin/ /usr/local/bin/
USER 10001:10001
ENV TRACKTRY_LISTEN=0.0.0.0:50051 \
    TRACKTRY_METRICS_LISTEN=0.0.0.0:9464
EXPOSE 50051 9464
# Exec form: the server is PID 1 and gets SIGTERM directly (it drains and
# exits 0). The emulator: --entrypoint /usr/local/bin/tracktry-emulator.
ENTRYPOINT ["/usr/local/bin/tracktry-server"]
