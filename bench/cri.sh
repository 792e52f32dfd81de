#!/usr/bin/env bash
# A pod's start through containerd's CRI (RunPodSandbox + CreateContainer + StartContainer of
# one busybox container) with mydocker-runc as the runtime handler beside runc, in the private
# containerd of tests/integration/cri/env.sh. Prints medians and the ratio to mydocker's.
# Usage: bench/cri.sh [RUNS]   (default 20)
set -u
cd "$(dirname "$0")/.."
RUNS=${1:-20}
[ "$(id -u)" -eq 0 ] || { echo "bench/cri.sh: run as root"; exit 1; }
for b in containerd ctr protoc; do
    command -v "$b" >/dev/null || { echo "bench/cri.sh: missing $b (scripts/setup.sh installs it)"; exit 1; }
done
. tests/integration/lib.sh >/dev/null 2>&1
. tests/integration/cri/env.sh
W=$(mktemp -d /tmp/mydocker-bench-cri.XXXXXX)
at_exit "rm -rf '$W'"
cri_env_up "$W" "$PWD/build/mydocker-runc" >"$W/env.log" 2>&1 || { tail "$W/env.log" "$W/containerd.log"; exit 1; }
echo "== pod start (sandbox + one container), $RUNS runs each, alternating"
/usr/bin/python3 tests/integration/cri/podbench.py "$GEN" "$CSOCK" "$IMG" "$CG" "$W" "$RUNS" mydocker runc
cri_env_down >/dev/null
