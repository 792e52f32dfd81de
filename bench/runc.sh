#!/usr/bin/env bash
# mydocker-runc against runc and crun on one bundle (runc's default spec,
# the busybox rootfs, /bin/true): `run` (create + start + wait + delete in
# one process) and the create / start / delete cycle the way containerd
# and podman drive a runtime (three processes). Prints medians, ratios to
# mydocker-runc, and each runtime's peak RSS.
#
# crun refuses hybrid cgroup hosts (cgroup2 at /sys/fs/cgroup/unified), so
# the bench runs in a private mount namespace with that mount hidden: every
# runtime sees the same (v1) host. It also runs under a child subreaper:
# after `create` exits, the container's init is reparented and must be
# reaped by someone (containerd-shim and conmon do that in real use).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-100}
MR=$PWD/build/mydocker-runc

if [ "${1:-}" != "--inner" ]; then
    exec python3 tests/integration/runc_subreaper.py unshare -m --propagation private bash -c \
        "umount /sys/fs/cgroup/unified 2>/dev/null || true; exec \"$0\" --inner"
fi
work=$(mktemp -d /tmp/mydocker-runc-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/bundle/rootfs"
. tests/integration/lib.sh >/dev/null
at_exit "rm -rf '$work'" # lib.sh replaces the EXIT trap
mk_rootfs "$work/bundle/rootfs"
(cd "$work/bundle" && "$MR" spec)
python3 - "$work/bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(sys.argv[1], "w"))
PY

declare -A bin=([mydocker-runc]=$MR)
command -v runc >/dev/null && bin[runc]=$(command -v runc)
command -v crun >/dev/null && bin[crun]=$(command -v crun)
order=(mydocker-runc runc crun)
run_cmds=() cycle_cmds=() rr=()
for n in "${order[@]}"; do
    [ -n "${bin[$n]:-}" ] || continue
    r="${bin[$n]} --root $work/state-$n"
    if ! $r run --bundle "$work/bundle" "probe-$n" >/dev/null 2>&1; then
        echo "$n: skipped ($($r run --bundle "$work/bundle" "probe2-$n" 2>&1 | head -1))"
        continue
    fi
    id="b-$n-\$RANDOM\$RANDOM"
    run_cmds+=(-n "$n" "$r run --bundle $work/bundle $id")
    rr+=("$n=$r run --bundle $work/bundle rr-$n-{n}")
    cycle_cmds+=(-n "$n" "id=$id; $r create --bundle $work/bundle \$id && $r start \$id && $r delete --force \$id")
done

hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$work/run.json" "${run_cmds[@]}" >/dev/null 2>&1 ||
    hyperfine --shell=bash --warmup 10 --runs "$RUNS" --export-json "$work/run.json" "${run_cmds[@]}" >/dev/null
hyperfine --shell=bash --warmup 10 --runs "$RUNS" --export-json "$work/cycle.json" "${cycle_cmds[@]}" >/dev/null

python3 - "$work/run.json" "$work/cycle.json" <<'PY'
import json, sys
for title, path in (("run (one process)", sys.argv[1]), ("create + start + delete (bash, 3 processes)", sys.argv[2])):
    res = {r["command"]: sorted(r["times"])[len(r["times"]) // 2] * 1000 for r in json.load(open(path))["results"]}
    me = res.get("mydocker-runc")
    print(f"{title}")
    print(f"  {'runtime':<14} {'median ms':>10} {'x mydocker-runc':>16}")
    for k, v in res.items():
        print(f"  {k:<14} {v:10.2f} {v / me:16.2f}")
PY

# `run` again, round-robin: equal conditions for each runtime (bench/interleave.py)
echo "run, round-robin, $RUNS rounds (bench/interleave.py):"
python3 bench/interleave.py "$RUNS" mydocker-runc "${rr[@]}" | sed 's/^/  /'

gcc -O2 -o "$work/maxrss" bench/maxrss.c
echo "peak RSS (the runtime's largest process during a run, wait4 ru_maxrss):"
for n in "${order[@]}"; do
    [ -n "${bin[$n]:-}" ] && [ -d "$work/state-$n" ] || continue
    kb=$("$work/maxrss" "${bin[$n]}" --root "$work/state-$n" run --bundle "$work/bundle" "rss-$n" 2>/dev/null)
    awk -v n="$n" -v kb="$kb" 'BEGIN { printf "  %-14s %6.1f MB\n", n, kb / 1024 }'
done
