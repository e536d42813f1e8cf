# iperf3-monitor recipes. `just` itself comes with `npm install` (npx just …), or from your package manager.

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
