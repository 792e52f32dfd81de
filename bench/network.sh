#!/usr/bin/env bash
# Networking costs:
#  1. `run --rm busybox true` on the default bridge vs --network none (target: the bridge adds
#     <= 2 ms; docker's adds ~63 ms here), with hyperfine, plus the same with 1 published port.
#  2. Throughput: iperf3 from a container to the host (through veth + bridge) vs the host's own
#     loopback. The iperf3 client runs in the container's network namespace (nsenter on its
#     PID 1): the busybox image has no iperf3, the path measured is the container's.
# Usage: bench/network.sh   (RUNS=200 to change the number of runs)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-100}
M=$PWD/build/mydocker
command -v hyperfine >/dev/null && command -v iperf3 >/dev/null || { echo "needs hyperfine and iperf3 (scripts/setup.sh)"; exit 1; }
$M run --rm busybox true   # the default network exists before timing

out=$(mktemp -d /tmp/mdnetbench.XXXX)
trap 'rm -rf "$out"; [ -n "${cid:-}" ] && $M rm -f "$cid" >/dev/null 2>&1; [ -n "${srv:-}" ] && kill "$srv" 2>/dev/null; true' EXIT
hyperfine -N -w 10 -r "$RUNS" --export-json "$out/start.json" \
    -n none "$M run --rm --network none busybox true" \
    -n bridge "$M run --rm busybox true" \
    -n "bridge -p" "$M run --rm -p 18999:80 busybox true" >/dev/null
python3 - "$out/start.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
none = r["none"]["median"] * 1000
print(f"run --rm true, median over {len(r['none']['times'])} runs:")
for k in ("none", "bridge", "bridge -p"):
    m = r[k]["median"] * 1000
    print(f"  {k:10s} {m:7.2f} ms  (+{m - none:.2f} ms over none, stddev {r[k]['stddev'] * 1000:.2f})")
PY

# ---- throughput: container -> host vs host loopback
iperf3 -s -D -1 -p 15201 --logfile "$out/srv.log" >/dev/null 2>&1 || true
sleep 0.3
lo=$(iperf3 -c 127.0.0.1 -p 15201 -t 5 -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)')
cid=$($M run -d busybox sleep 60)
pid=$($M inspect -f '{{.State.Pid}}' "$cid")
gw=$($M inspect -f '{{.NetworkSettings.Gateway}}' "$cid")
iperf3 -s -D -1 -p 15202 >/dev/null 2>&1 || true
sleep 0.3
ct=$(nsenter -t "$pid" -n iperf3 -c "$gw" -p 15202 -t 5 -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)')
printf 'iperf3 5 s, one stream:\n  host loopback       %6.1f Gbit/s\n  container -> host   %6.1f Gbit/s (%.0f%%)\n' \
    "$lo" "$ct" "$(python3 -c "print($ct / $lo * 100)")"
