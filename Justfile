# iperf3-monitor recipes for `just` (from your package manager, or `cargo install just`); each is a thin wrapper of an npm script or a script under test/

# List the recipes
default:
    @just --list

# Bundle the runner into dist/iperf3-monitor.mjs
build:
    npm run build

# Type-check src/ and test/
typecheck:
    npx tsc --noEmit

# The whole test suite (what CI runs)
test:
    npm test

# The unit tests alone: no root, no network namespaces, no build
test-unit:
    npm run test:unit

# Prettier and ESLint on src/ (`npm run format` rewrites the formatting)
lint:
    npm run lint

# Only the test files whose path contains FILTER, e.g. `just test-only lab/`
test-only filter:
    npm run build && node test/run.mjs {{filter}}

# One full mesh cycle on a fresh local lab (root): the matrix, then the pushed metrics
demo:
    npm run demo

# Build a local lab and leave it running (root)
lab-up nodes="5":
    npm run build && node dist/iperf3-monitor.mjs lab up --nodes {{nodes}}

# Remove the local lab
lab-down:
    node dist/iperf3-monitor.mjs lab down

# --- Kubernetes test rig (test/k8s/) ---

# Build etcd, kube-apiserver/-controller-manager/-scheduler, kwok, helm, kubectl once per machine (cached in ~/.cache)
k8s-build:
    test/k8s/build.sh

# Start the control plane on loopback with fake nodes on lab namespaces; prints the start time
k8s-up *nodes="node-a node-b node-c":
    test/k8s/rig.sh up {{nodes}}

# Stop the control plane, remove the lab and the state dir
k8s-down:
    test/k8s/rig.sh down

# Shell exports for the running rig: eval "$(just k8s-env)"
k8s-env:
    @test/k8s/rig.sh env

# End-to-end tests against the real control plane (builds binaries on first use)
test-k8s:
    npm run build && node test/run.mjs k8s

# Lab part needs root; flags: --quick (simulation only), --sim-only, --lab-only, --full (slow N=1000 rows).
# Benchmarks vs the floor and a same-run baseline; writes bench-results/latest.json (`just bench --quick`)
bench *flags:
    npm run build && node --import tsx test/bench/main.ts {{flags}}

# --- Chart, alerts, dashboard, image ---

# Regenerate the chart's copies of alerts/ and dashboards/
chart-sync:
    node test/tools/chart-sync.mjs

# Regenerate the values table in charts/iperf3-monitor/README.md
chart-docs:
    node test/tools/chart-docs.mjs

# Fail when generated chart files are stale, then lint every ci scenario with the real helm
chart-check:
    node test/tools/chart-sync.mjs --check
    node test/tools/chart-docs.mjs --check
    for f in charts/iperf3-monitor/ci/*-values.yaml; do "$(test/tools/install-helm.sh)" lint --strict charts/iperf3-monitor -f "$f"; done

# Render the chart with a ci scenario, e.g. `just chart-template bundled-pushgateway`
chart-template scenario="defaults":
    "$(test/tools/install-helm.sh)" template iperf3-monitor charts/iperf3-monitor -f charts/iperf3-monitor/ci/{{scenario}}-values.yaml

# promtool check and unit-test the alert rules
alerts-test:
    promtool check rules alerts/iperf3-monitor.rules.yaml
    cd alerts/tests && promtool test rules *.test.yaml

# Lint the Dockerfile with hadolint
dockerfile-lint:
    "$(test/tools/install-hadolint.sh)" Dockerfile
