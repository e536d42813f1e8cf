# syntax=docker/dockerfile:1
# Two images: the runner (`iperf3-monitor run`, the default target) and the iperf3-only server (`--target
# server`, the chart's default server image). No shell, no package manager in either: pods/exec into a
# server can start iperf3 (through iperf3-bounded) and nothing else.
# Build: docker build -t iperf3-monitor . && docker build --target server -t iperf3-monitor-server .
# Here, without Docker or a registry: npm run image (buildah, with stand-in bases: test/images/).

# --- 1. The bundle: dist/iperf3-monitor.mjs, with every dependency inlined by esbuild.
FROM node:22-trixie-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# --- 2. iperf3 >= 3.16 from Debian trixie (bookworm has 3.12, which a silent client can hold), with the
# shared libraries it needs beyond glibc, collected under /out at their real paths. libgcc_s is not in
# ldd's list but glibc loads it for pthread_cancel, which iperf3 >= 3.16 calls at the end of every test:
# without it (distroless base has no libgcc) iperf3 aborts after its first test.
FROM debian:trixie-slim AS iperf3
# trixie is a stable release: its iperf3 only changes for fixes, so the package is not pinned to a build.
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iperf3 \
 && rm -rf /var/lib/apt/lists/*
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN iperf3 --version | grep -E '^iperf 3\.(1[6-9]|[2-9][0-9])' \
 && mkdir -p /out \
 && for f in /usr/bin/iperf3 /usr/lib/*-linux-gnu/libgcc_s.so.1 $(ldd /usr/bin/iperf3 | awk '$3 ~ /^\// {print $3}' | grep -vE '/(libc|libm|ld-linux[^/]*)\.so'); do \
      cp -L --parents "$(realpath "$(dirname "$f")")/$(basename "$f")" /out/; \
    done \
 && ls -lR /out

# --- 3. iperf3-bounded (src/bounded-client/): runs the mesh's `iperf3 -c` as its child and stops it when
# the pods/exec stream closes (its stdin ends), on SIGTERM or at a deadline, so no client outlives a test
# (kubernetes#89031). Static, so it runs in the shell-less images below.
FROM debian:trixie-slim AS bounded-client
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
COPY src/bounded-client/iperf3-bounded.c /src/
RUN gcc -Os -static -s -Wall -Wextra -Werror -o /usr/bin/iperf3-bounded /src/iperf3-bounded.c

# --- 4. The server image (`docker build --target server`, the chart's default server.image): iperf3, its
# libraries and iperf3-bounded; no Node.js, no shell.
FROM gcr.io/distroless/base-debian13:nonroot AS server
COPY --from=iperf3 /out/usr/ /usr/
COPY --from=bounded-client /usr/bin/iperf3-bounded /usr/bin/iperf3-bounded
USER 65532:65532
EXPOSE 5201/tcp 5201/udp
ENTRYPOINT ["/usr/bin/iperf3"]
CMD ["-s"]
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="iperf3-monitor-server" \
      org.opencontainers.image.description="iperf3 server for iperf3-monitor (iperf3 and iperf3-bounded only)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/iperf3-monitor/iperf3-monitor" \
      org.opencontainers.image.base.name="gcr.io/distroless/base-debian13:nonroot"

# --- 5. Runtime (the default target): distroless Node.js on the same Debian release, running as the
# numeric nonroot user. It has iperf3 too (star mode runs it; a server may run this image).
FROM gcr.io/distroless/nodejs22-debian13:nonroot
COPY --from=iperf3 /out/usr/ /usr/
COPY --from=bounded-client /usr/bin/iperf3-bounded /usr/bin/iperf3-bounded
COPY --from=build /src/dist/iperf3-monitor.mjs /src/dist/iperf3-monitor.mjs.map /app/
ENV NODE_ENV=production
WORKDIR /app
USER 65532:65532
EXPOSE 5201/tcp 5201/udp
ENTRYPOINT ["/nodejs/bin/node", "/app/iperf3-monitor.mjs"]
CMD ["run"]
# Labels last: CREATED changes every build and must not invalidate the layers above.
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="iperf3-monitor" \
      org.opencontainers.image.description="Continuous N×N iperf3 bandwidth checks between Kubernetes nodes, pushed to a Prometheus Pushgateway" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/iperf3-monitor/iperf3-monitor" \
      org.opencontainers.image.base.name="gcr.io/distroless/nodejs22-debian13:nonroot"
