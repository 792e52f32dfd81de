#!/usr/bin/env bash
# What resource limits cost at start: `run --rm busybox true` plain, with -m 64m (m64), and
# with five limits (limits5: memory, swap, cpus, pids, cpuset). Every container gets its own
# cgroup either way (mydocker/<id> in every hierarchy); the flags only add writes to it.
# --network none keeps the bridge/veth set-up out of the comparison. Prints medians, the
# difference to the plain run, and ratios. RUNS=N to change the count (default 200).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-200}
M=$PWD/build/mydocker
work=$(mktemp -d /tmp/mydocker-bench-cg.XXXXXX)
trap 'rm -rf "$work"' EXIT
run="$M run --rm --network none"
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$work/h.json" \
    -n plain "$run busybox true" \
    -n m64 "$run -m 64m busybox true" \
    -n limits5 "$run -m 64m --memory-swap 128m --cpus 1 --pids-limit 100 --cpuset-cpus 0 busybox true" \
    >/dev/null 2>&1
python3 - "$work/h.json" "$("$M" info 2>/dev/null | awk -F': ' '/Cgroup Version/ {print $2}')" <<'PY'
import json, sys
res = [(r["command"], sorted(r["times"])) for r in json.load(open(sys.argv[1]))["results"]]
med = {k: t[len(t) // 2] * 1000 for k, t in res}
base = med["plain"]
print(f"cgroup mode: {sys.argv[2]}")
print(f"{'command':<10} {'median ms':>10} {'+ms':>7} {'x plain':>8}")
for k, v in med.items():
    print(f"{k:<10} {v:10.2f} {v - base:7.2f} {v / base:8.3f}")
PY
