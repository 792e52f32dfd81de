#!/usr/bin/env bash
# mydocker at scale, in a private MYDOCKER_ROOT: the start latency (`run --rm --network none
# busybox true`) with no container running and with N detached ones running (ratio), the
# memory an idle detached container costs (its monitor's PSS and its records), `ps -a` with
# 2N containers, and P parallel `run --rm` (all must succeed, nothing may be left).
# Usage: bench/scale.sh [N] [P]   (default 500 and 200)
set -u
cd "$(dirname "$0")/.."
N=${1:-500}
P=${2:-200}
MD=$PWD/build/mydocker
[ "$(id -u)" -eq 0 ] || { echo "bench/scale.sh: run as root"; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/scale.sh: missing hyperfine (scripts/setup.sh)"; exit 1; }
W=$(mktemp -d /tmp/mydocker-bench-scale.XXXXXX)
export MYDOCKER_ROOT=$W/md
cleanup() {
    "$MD" ps -aq 2>/dev/null | xargs -r -n 50 -P 4 "$MD" rm -f >/dev/null 2>&1
    rm -rf "$W"
}
. tests/integration/lib.sh >/dev/null 2>&1
. tests/integration/reglib.sh
trap cleanup EXIT
mk_busybox_tar "$W/bb.tar"
"$MD" import "$W/bb.tar" busybox >/dev/null
median() { # hyperfine's median of one command, in ms
    hyperfine -N --warmup 3 --runs "$2" --style none --export-json "$W/h.json" "$1" >/dev/null 2>&1
    /usr/bin/python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1e3))' "$W/h.json"
}
RUN="$MD run --rm --network none busybox true"
idle=$(median "$RUN" 50)
echo "== start latency: run --rm --network none busybox true"
echo "  with no container running        median $idle ms"
t0=$(date +%s%N)
for i in $(seq "$N"); do "$MD" run -d --network none busybox sleep 3600 >/dev/null || echo "run -d $i failed"; done
t1=$(date +%s%N)
echo "  ($N detached containers started in $(( (t1 - t0) / 1000000 )) ms, $(( (t1 - t0) / N / 1000 )) us each)"
busy=$(median "$RUN" 50)
echo "  with $N running                  median $busy ms   $(/usr/bin/python3 -c "print('%.2fx' % ($busy / $idle))") the idle latency (goal <= 1.2x)"

echo "== memory of an idle detached container"
pss=0 n=0
for m in $(pgrep -f "^mydocker-monitor "); do
    p=$(awk '/^Pss:/ {print $2}' "/proc/$m/smaps_rollup" 2>/dev/null) && pss=$((pss + p)) && n=$((n + 1))
done
recs=$(du -sk "$MYDOCKER_ROOT/containers" | cut -f1)
runs=$(du -sk /run/mydocker/containers 2>/dev/null | cut -f1)
echo "  monitor PSS: $((pss / (n > 0 ? n : 1))) kB each ($n monitors); records: $((recs / N)) kB on disk + $((runs / N)) kB in /run each (goal < 1 MB together)"

for i in $(seq "$N"); do "$MD" create --network none busybox true >/dev/null; done
echo "== ps -a with $((2 * N)) containers"
echo "  mydocker ps -a                   median $(median "$MD ps -a" 20) ms (goal < 50 ms)"
echo "  mydocker ps (the $N running)     median $(median "$MD ps" 20) ms"
"$MD" ps -aq | xargs -r -n 50 -P 4 "$MD" rm -f >/dev/null 2>&1

echo "== $P parallel run --rm"
t0=$(date +%s%N)
seq "$P" | xargs -P "$P" -I{} sh -c "$RUN || echo FAILED {}" >"$W/par.log" 2>&1
t1=$(date +%s%N)
fails=$(grep -c FAILED "$W/par.log")
left=$("$MD" ps -aq | wc -l)
cgs=$(ls -d /sys/fs/cgroup/*/mydocker/*/ 2>/dev/null | wc -l)
mnts=$(grep -c "$W/" /proc/self/mountinfo)
echo "  $P runs in $(( (t1 - t0) / 1000000 )) ms: $((P - fails)) succeeded, $fails failed; left: $left containers, $cgs container cgroups, $mnts mounts"
if [ "$fails" -gt 0 ]; then head -5 "$W/par.log"; fi
