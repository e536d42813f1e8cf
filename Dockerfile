# syntax=docker/dockerfile:1
# One image for the runner (`iperf3-monitor run`, the default command) and the server (the chart runs
# `iperf3 -s` in it by overriding the command). No shell, no package manager: pods/exec can start iperf3
# and little else. Build: docker build -t iperf3-monitor .

# --- 1. The bundle: dist/iperf3-monitor.mjs, with every dependency inlined by esbuild.
FROM node:22-trixie-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# --- 2. iperf3 >= 3.15 from Debian trixie (bookworm has 3.12, which a silent client can hold), with the
# shared libraries it needs beyond glibc, collected under /out at their real paths.
FROM debian:trixie-slim AS iperf3
# trixie is a stable release: its iperf3 only changes for fixes, so the package is not pinned to a build.
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iperf3 \
 && rm -rf /var/lib/apt/lists/*
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN iperf3 --version | grep -E '^iperf 3\.(1[5-9]|[2-9][0-9])' \
 && mkdir -p /out \
 && for f in /usr/bin/iperf3 $(ldd /usr/bin/iperf3 | awk '$3 ~ /^\// {print $3}' | grep -vE '/(libc|libm|ld-linux[^/]*)\.so'); do \
      cp -L --parents "$(realpath "$(dirname "$f")")/$(basename "$f")" /out/; \
    done \
 && ls -lR /out

# --- 3. Optional server-only image (`docker build --target server`): iperf3 and its libraries, no Node.js,
# no shell — pods/exec into a server can start iperf3 and nothing else. The chart uses it when
# server.image.repository is set; by default the servers run the one image below.
FROM gcr.io/distroless/base-debian13:nonroot AS server
LABEL org.opencontainers.image.title="iperf3-monitor-server" \
      org.opencontainers.image.description="iperf3 server for iperf3-monitor (iperf3 only)" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/iperf3-monitor/iperf3-monitor" \
      org.opencontainers.image.base.name="gcr.io/distroless/base-debian13:nonroot"
COPY --from=iperf3 /out/usr/ /usr/
USER 65532:65532
EXPOSE 5201/tcp 5201/udp
ENTRYPOINT ["/usr/bin/iperf3"]
CMD ["-s"]

# --- 4. Runtime (the default target): distroless Node.js on the same Debian release, running as the
# numeric nonroot user.
FROM gcr.io/distroless/nodejs22-debian13:nonroot
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
COPY --from=iperf3 /out/usr/ /usr/
COPY --from=build /src/dist/iperf3-monitor.mjs /src/dist/iperf3-monitor.mjs.map /app/
ENV NODE_ENV=production
WORKDIR /app
USER 65532:65532
EXPOSE 5201/tcp 5201/udp
ENTRYPOINT ["/nodejs/bin/node", "/app/iperf3-monitor.mjs"]
CMD ["run"]
