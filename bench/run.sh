#!/usr/bin/env bash
# Side-by-side start-up cost: mydocker run --rm busybox true, runc run and
# crun run on a bundle with the same rootfs, and the bare clone+pivot_root+exec
# floor. Prints medians and ratios, and the peak RSS of mydocker.
#
# crun refuses hybrid cgroup hosts (cgroup2 at /sys/fs/cgroup/unified), so the
# whole bench runs in a private mount namespace with that mount hidden: every
# contender sees the same (v1) host.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-100}
M=$PWD/build/mydocker

if [ "${1:-}" != "--inner" ]; then
    exec unshare -m --propagation private bash -c \
        "umount /sys/fs/cgroup/unified 2>/dev/null || true; exec \"$0\" --inner"
fi
# made after the exec above: the outer shell's trap would never run
work=$(mktemp -d /tmp/mydocker-bench.XXXXXX)
DPID=
P=(podman --root "$work/pm" --runroot "$work/pmrun" --cgroup-manager cgroupfs --events-backend file
   --tmpdir "$work/pmtmp")
cleanup() {
    [ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
    [ -d "$work/pm" ] && "${P[@]}" system reset -f >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -o "$work/floor" bench/floor.c
# one rootfs for everyone: the busybox image's layers, copied out of the store
mkdir -p "$work/bundle/rootfs"
python3 - "$work/bundle/rootfs" <<'PY'
import json, os, shutil, subprocess, sys
root = os.environ.get("MYDOCKER_ROOT", "/var/lib/mydocker") + "/image"
repos = json.load(open(root + "/repositories.json"))
ref = repos["busybox:latest"]
cfg = json.load(open(root + "/blobs/sha256/" + ref["id"].split(":")[1]))
for d in cfg["rootfs"]["diff_ids"]:
    subprocess.run(["cp", "-a", root + "/layers/" + d.split(":")[1] + "/.", sys.argv[1]], check=True)
PY
cd "$work/bundle"
runc spec
python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
c["root"]["readonly"] = False
json.dump(c, open("config.json", "w"))
PY
cd - >/dev/null

# runc and crun run the bundle with a new, empty network namespace (lo only):
# `--network none` is the like-for-like comparison; the default bridge network
# (veth, address, lease) is shown too (bench/network.sh has the details)
cmds=(-n floor "$work/floor $work/bundle/rootfs /bin/true"
      -n mydocker "$M run --rm --network none busybox true"
      -n mydocker-bridge "$M run --rm busybox true")
have() { command -v "$1" >/dev/null; }
i=0
rr=("floor=$work/floor $work/bundle/rootfs /bin/true" "mydocker=$M run --rm --network none busybox true"
    "mydocker-bridge=$M run --rm busybox true")
ref=mydocker
if have crun && crun --root "$work/crun" run --bundle "$work/bundle" bench-crun-$$ >/dev/null 2>&1; then
    cmds+=(-n crun "crun --root $work/crun run --bundle $work/bundle bench-crun-\$RANDOM\$RANDOM")
    rr+=("crun=$(command -v crun) --root $work/crun run --bundle $work/bundle rr-crun-{n}")
    ref=crun
else
    echo "crun: skipped ($(crun --root "$work/crun" run --bundle "$work/bundle" x 2>&1 | head -1))"
fi
if have runc; then
    cmds+=(-n runc "runc --root $work/runc run --bundle $work/bundle bench-runc-\$RANDOM\$RANDOM")
    rr+=("runc=$(command -v runc) --root $work/runc run --bundle $work/bundle rr-runc-{n}")
fi
hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$work/h.json" "${cmds[@]}" >/dev/null 2>&1 ||
hyperfine --shell=bash --warmup 10 --runs "$RUNS" --export-json "$work/h.json" "${cmds[@]}" >/dev/null

# docker (a private dockerd, no bridge) and podman (its own store, the same rootfs), each where
# it runs: a start costs them a hundred ms and more, so fewer runs
SLOW_RUNS=${SLOW_RUNS:-15}
slow=()
. bench/dockerd.sh
if have dockerd && [ -x /usr/bin/docker ] && "$M" save -o "$work/bb.tar" busybox && private_dockerd "$work"; then
    slow+=(-n docker "/usr/bin/docker -H unix://$work/dockerd.sock run --rm --network none busybox true")
else
    echo "docker: skipped (no dockerd, or it did not start: $work/dockerd.log)"
fi
U="--ulimit nofile=$(ulimit -Hn):$(ulimit -Hn) --ulimit nproc=4096:4096" # root lacks CAP_SYS_RESOURCE
if have podman && "${P[@]}" run --rm $U --network none --rootfs "$work/bundle/rootfs" /bin/true >/dev/null 2>&1; then
    slow+=(-n podman "${P[*]} run --rm $U --network none --rootfs $work/bundle/rootfs /bin/true")
else
    echo "podman: skipped"
fi
echo '{"results": []}' >"$work/slow.json"
[ ${#slow[@]} -gt 0 ] &&
    hyperfine -N --warmup 2 --runs "$SLOW_RUNS" --export-json "$work/slow.json" "${slow[@]}" >/dev/null 2>&1
python3 - "$work/h.json" "$work/slow.json" <<'PY'
import json, sys
res = {r["command"]: sorted(r["times"])[len(r["times"]) // 2] * 1000
       for f in sys.argv[1:] for r in json.load(open(f))["results"]}
# hyperfine names results after -n
floor = res.get("floor")
my = res.get("mydocker")
print(f"{'command':<16} {'median ms':>10} {'x floor':>8} {'x mydocker':>10}")
for k, v in res.items():
    print(f"{k:<16} {v:10.2f} {v / floor:8.2f} {v / my:10.2f}")
PY
# the fast contenders again, round-robin: hyperfine runs one command's runs, then the next's,
# and this host drifts between them by more than the differences (bench/interleave.py)
echo "round-robin, $RUNS rounds (bench/interleave.py):"
python3 bench/interleave.py "$RUNS" "$ref" "${rr[@]}"
python3 - "$M" <<'PY'
# VmHWM of the mydocker process itself (not of the container it starts),
# read from /proc while a short container runs
import subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "run", "--rm", "busybox", "sleep", "0.3"])
hwm = 0
while p.poll() is None:
    try:
        for line in open(f"/proc/{p.pid}/status"):
            if line.startswith("VmHWM:"):
                hwm = max(hwm, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.01)
print(f"peak RSS of the mydocker process: {hwm / 1024:.1f} MB")
PY
