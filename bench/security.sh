#!/usr/bin/env bash
# What the default confinement costs (docs/security.md):
#  1. `mydocker run --rm --network none busybox true` by default (docker's seccomp allowlist,
#     device allowlist), with --security-opt seccomp=unconfined, and with --privileged (no
#     filter, "allow all" devices): the difference is the seccomp and device set-up.
#  2. One bundle with docker's default profile (the one mydocker gives a default container,
#     taken from a created container's config.json) and runc's default device rules, under
#     mydocker-runc, runc and crun; the same bundle without linux.seccomp.
# Prints medians and ratios. crun refuses hybrid hosts: part 2 runs in a private mount
# namespace with /sys/fs/cgroup/unified hidden, under a child subreaper (as bench/runc.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-100}
M=$PWD/build/mydocker
MR=$PWD/build/mydocker-runc

if [ "${1:-}" != "--inner" ]; then
    work=$(mktemp -d /tmp/mydocker-bench-sec.XXXXXX)
    trap 'rm -rf "$work"; "$M" rm -f "bench-sec-$$" >/dev/null 2>&1 || true' EXIT
    run="$M run --rm --network none"
    hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$work/engine.json" \
        -n default "$run busybox true" \
        -n seccomp-unconfined "$run --security-opt seccomp=unconfined busybox true" \
        -n privileged "$run --privileged busybox true" >/dev/null 2>&1
    python3 - "$work/engine.json" <<'PY'
import json, sys
res = {r["command"]: sorted(r["times"])[len(r["times"]) // 2] * 1000 for r in json.load(open(sys.argv[1]))["results"]}
base = res["seccomp-unconfined"]
print("mydocker run --rm --network none busybox true")
print(f"  {'variant':<20} {'median ms':>10} {'+ms vs unconfined':>18}")
for k, v in res.items():
    print(f"  {k:<20} {v:10.2f} {v - base:18.2f}")
PY
    # docker's profile as mydocker generates it for a default container
    "$M" create --name "bench-sec-$$" --network none busybox true >/dev/null
    id=$("$M" inspect -f '{{.Id}}' "bench-sec-$$")
    python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["linux"]["seccomp"], open(sys.argv[2], "w"))' \
        "/var/lib/mydocker/containers/$id/config.json" "$work/profile.json"
    cp "$work/profile.json" /tmp/mydocker-bench-sec-profile.json
    "$M" rm -f "bench-sec-$$" >/dev/null   # exec drops the trap
    rm -rf "$work"
    exec python3 tests/integration/runc_subreaper.py unshare -m --propagation private bash -c \
        "umount /sys/fs/cgroup/unified 2>/dev/null || true; exec \"$0\" --inner"
fi

work=$(mktemp -d /tmp/mydocker-bench-sec2.XXXXXX)
trap 'rm -rf "$work"' EXIT
mv /tmp/mydocker-bench-sec-profile.json "$work/profile.json"
. tests/integration/lib.sh >/dev/null
at_exit "rm -rf '$work'" # lib.sh replaces the EXIT trap
for b in with without; do
    mkdir -p "$work/$b/rootfs"
    mk_rootfs "$work/$b/rootfs"
    (cd "$work/$b" && "$MR" spec)
    python3 - "$work/$b/config.json" "$work/profile.json" "$b" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
if sys.argv[3] == "with":
    c["linux"]["seccomp"] = json.load(open(sys.argv[2]))
json.dump(c, open(sys.argv[1], "w"))
PY
done

declare -A bin=([mydocker-runc]=$MR)
command -v runc >/dev/null && bin[runc]=$(command -v runc)
command -v crun >/dev/null && bin[crun]=$(command -v crun)
cmds=()
for n in mydocker-runc runc crun; do
    [ -n "${bin[$n]:-}" ] || continue
    r="${bin[$n]} --root $work/state-$n"
    if ! $r run --bundle "$work/with" "probe-$n" >/dev/null 2>&1; then
        echo "$n: skipped ($($r run --bundle "$work/with" "probe2-$n" 2>&1 | head -1))"
        continue
    fi
    cmds+=(-n "$n docker-profile" "$r run --bundle $work/with b-$n-w")
    cmds+=(-n "$n no-seccomp" "$r run --bundle $work/without b-$n-n")
done
hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$work/rt.json" "${cmds[@]}" >/dev/null 2>&1
python3 - "$work/rt.json" <<'PY'
import json, sys
res = {r["command"]: sorted(r["times"])[len(r["times"]) // 2] * 1000 for r in json.load(open(sys.argv[1]))["results"]}
me = res["mydocker-runc docker-profile"]
print("runtime run of one bundle (/bin/true), docker's default profile vs none")
print(f"  {'runtime':<30} {'median ms':>10} {'x mydocker-runc':>16} {'profile +ms':>12}")
for k, v in res.items():
    rt = k.split()[0]
    extra = v - res.get(rt + " no-seccomp", v) if k.endswith("docker-profile") else 0.0
    print(f"  {k:<30} {v:10.2f} {v / me:16.2f} {extra:12.2f}")
PY
