#!/usr/bin/env bash
# Lifecycle costs: `exec true` into a running container (vs `runc exec` on a
# runc container with the same rootfs), `run -d` return time, `ps -a` with
# 100 containers, and the monitor's RSS per detached container.
#
# Then docker (a private dockerd without a bridge) and podman (its own store) beside it, each
# where it runs. podman's crun refuses a hybrid cgroup host, so, as bench/run.sh, the whole
# bench runs in a private mount namespace with the cgroup2 mount hidden.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--inner" ]; then
    exec unshare -m --propagation private bash -c \
        "umount /sys/fs/cgroup/unified 2>/dev/null || true; exec \"$0\" --inner"
fi
M=$PWD/build/mydocker
RUNS=${RUNS:-50}
SLOW_RUNS=${SLOW_RUNS:-10}
tag=bench$$
work=$(mktemp -d /tmp/mydocker-bench-lc.XXXXXX)
DPID=
P=(podman --root "$work/pm" --runroot "$work/pmrun" --cgroup-manager cgroupfs --events-backend file
   --tmpdir "$work/pmtmp")
cleanup() {
    [ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
    [ -d "$work/pm" ] && "${P[@]}" rm -af -t 0 >/dev/null 2>&1 && "${P[@]}" system reset -f >/dev/null 2>&1
    "$M" rm -f "$tag-run" "$tag-rm" "$tag-rmn" "$tag-stop" >/dev/null 2>&1 || true
    for id in $("$M" ps -aq --no-trunc -f "name=$tag-c" 2>/dev/null); do "$M" rm -f "$id" >/dev/null 2>&1 || true; done
    for id in $("$M" ps -aq --no-trunc -f "name=$tag-d" 2>/dev/null); do "$M" rm -f "$id" >/dev/null 2>&1 || true; done
    runc --root "$work/runc" delete -f "$tag" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

"$M" run -d --network none --name "$tag-run" busybox sleep 600 >/dev/null
cmds=(-n "mydocker exec" "$M exec $tag-run true")
if command -v runc >/dev/null; then
    mkdir -p "$work/b/rootfs"
    "$M" export "$tag-run" | tar -C "$work/b/rootfs" -xf - 2>/dev/null || true
    (cd "$work/b" && runc spec && python3 - <<'PY'
import json
c = json.load(open("config.json")); c["process"]["terminal"] = False; c["process"]["args"] = ["sleep", "600"]
json.dump(c, open("config.json", "w"))
PY
    )
    runc --root "$work/runc" run -d --bundle "$work/b" "$tag" >/dev/null 2>&1 </dev/null &&
        cmds+=(-n "runc exec" "runc --root $work/runc exec $tag true")
fi
cmds+=(-n "mydocker run -d" "$M run -d --rm --network none busybox true")
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/h.json" "${cmds[@]}" >/dev/null 2>&1
# rm -f of a running container on the default bridge: the host veth is deleted before rm
# returns (the namespace teardown would leave it for some ms), so the cycle pays for it
hyperfine --shell=bash --warmup 3 --runs "$RUNS" --export-json "$work/rm.json" \
    --prepare "$M run -d --name $tag-rm busybox sleep 60 >/dev/null" \
    -n "mydocker rm -f (running, bridge)" "$M rm -f $tag-rm" >/dev/null 2>&1
# the same without a network, and stop -t 0 of a running container (the issue's 5 ms goals)
hyperfine --shell=bash --warmup 3 --runs "$RUNS" --export-json "$work/rmn.json" \
    --prepare "$M run -d --network none --name $tag-rmn busybox sleep 60 >/dev/null" \
    -n "mydocker rm -f (running, none)" "$M rm -f $tag-rmn" >/dev/null 2>&1
"$M" create --network none --name "$tag-stop" busybox sleep 60 >/dev/null
hyperfine --shell=bash --warmup 3 --runs "$RUNS" --export-json "$work/stop.json" \
    --prepare "$M start $tag-stop >/dev/null" \
    -n "mydocker stop -t 0 (running, none)" "$M stop -t 0 $tag-stop" >/dev/null 2>&1
"$M" rm -f "$tag-stop" >/dev/null
for i in $(seq 100); do "$M" create --network none --name "$tag-c$i" busybox true >/dev/null; done
hyperfine -N --warmup 3 --runs 20 --export-json "$work/ps.json" -n "mydocker ps -a (100+ containers)" "$M ps -a" >/dev/null 2>&1
python3 - "$work/h.json" "$work/rm.json" "$work/rmn.json" "$work/stop.json" "$work/ps.json" <<'PY'
import json, sys
for f in sys.argv[1:]:
    for r in json.load(open(f))["results"]:
        t = sorted(r["times"]); print(f"{r['command']:<34} median {t[len(t)//2]*1000:7.2f} ms")
PY
ids=()
for i in 1 2 3 4 5; do ids+=("$("$M" run -d --network none --name "$tag-d$i" busybox sleep 60)"); done
total=0
for id in "${ids[@]}"; do
    mon=$(python3 -c "import json;print(json.load(open('/run/mydocker/containers/$id/state.json'))['monitor'])")
    total=$((total + $(awk '/VmRSS/{print $2}' /proc/$mon/status)))
done
echo "monitor RSS per container: $((total / 5)) kB (conmon ~2100 kB, containerd-shim ~13000 kB here)"

# ---- docker and podman, each where it runs
have() { command -v "$1" >/dev/null; }
n=0
slow() { # NAME PREPARE COMMAND: one hyperfine result in $work/slow-N.json
    n=$((n + 1))
    local prep=(); [ -n "$2" ] && prep=(--prepare "$2")
    hyperfine --shell=bash --warmup 1 --runs "$SLOW_RUNS" "${prep[@]}" \
        --export-json "$work/slow-$n.json" -n "$1" "$3" >/dev/null 2>&1 || rm -f "$work/slow-$n.json"
}
. bench/dockerd.sh
if have dockerd && [ -x /usr/bin/docker ] && "$M" save -o "$work/bb.tar" busybox && private_dockerd "$work"; then
    D="/usr/bin/docker -H unix://$work/dockerd.sock"
    $D run -d --network none --name "$tag-dx" busybox sleep 600 >/dev/null
    $D create --network none --name "$tag-dstop" busybox sleep 600 >/dev/null
    slow "docker exec" "" "$D exec $tag-dx true"
    slow "docker run -d" "" "$D run -d --rm --network none busybox true"
    slow "docker rm -f (running, none)" "$D run -d --network none --name $tag-drm busybox sleep 60" "$D rm -f $tag-drm"
    slow "docker stop -t 0 (running, none)" "$D start $tag-dstop" "$D stop -t 0 $tag-dstop"
else
    echo "docker: skipped"
fi
U="--ulimit nofile=$(ulimit -Hn):$(ulimit -Hn) --ulimit nproc=4096:4096" # root lacks CAP_SYS_RESOURCE
if have podman && [ -d "$work/b/rootfs" ] &&
    "${P[@]}" run -d $U --network none --name "$tag-px" --rootfs "$work/b/rootfs" sleep 600 >/dev/null 2>&1; then
    PM="${P[*]}"
    "${P[@]}" create $U --network none --name "$tag-pstop" --rootfs "$work/b/rootfs" sleep 600 >/dev/null
    slow "podman exec" "" "$PM exec $tag-px true"
    slow "podman run -d" "" "$PM run -d --rm $U --network none --rootfs $work/b/rootfs true"
    slow "podman rm -f (running, none)" "$PM run -d $U --network none --name $tag-prm --rootfs $work/b/rootfs sleep 60" "$PM rm -f -t 0 $tag-prm"
    slow "podman stop -t 0 (running, none)" "$PM start $tag-pstop" "$PM stop -t 0 $tag-pstop"
else
    echo "podman: skipped"
fi
python3 - "$work"/slow-*.json <<'PY'
import json, os, sys
for f in sys.argv[1:]:
    if os.path.exists(f):
        for r in json.load(open(f))["results"]:
            t = sorted(r["times"]); print(f"{r['command']:<34} median {t[len(t)//2]*1000:7.2f} ms")
PY
