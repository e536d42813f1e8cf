
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
