#!/usr/bin/env bash
# The Engine API's cost: `docker run --rm busybox true` through `mydocker system service` beside
# `mydocker run --rm busybox true`, and beside a private dockerd when Debian's docker.io is
# installed; `docker ps` with 100 containers (through mydocker's socket, and `mydocker ps`);
# the server's RSS idle and after the runs. `docker version` through the socket is the docker
# CLI's own floor (a Go binary's start and one request). The server's own share is measured
# without the CLI: docker's run requests replayed (bench/api_replay.py) and the list by curl.
# Prints hyperfine's medians and ratios.
# Usage: bench/api.sh [RUNS]   (default 30)
set -u
cd "$(dirname "$0")/.."
RUNS=${1:-30}
MD=$PWD/build/mydocker
DK=/usr/bin/docker
[ "$(id -u)" -eq 0 ] || { echo "bench/api.sh: run as root"; exit 1; }
for b in /usr/bin/hyperfine "$MD" "$DK"; do
    [ -x "$b" ] || { echo "bench/api.sh: missing $b (scripts/setup.sh installs it)"; exit 1; }
done
W=$(mktemp -d /tmp/mydocker-bench-api.XXXXXX)
export DOCKER_CONFIG=$W/docker-config # the docker CLI writes there, not in ~
SPID= DPID=
cleanup() {
    MYDOCKER_ROOT=$W/md "$MD" rm -f $(MYDOCKER_ROOT=$W/md "$MD" ps -aq) >/dev/null 2>&1
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
    if [ -n "$DPID" ]; then
        "$DK" -H "unix://$W/dockerd.sock" rm -f $("$DK" -H "unix://$W/dockerd.sock" ps -aq) >/dev/null 2>&1
        kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
    fi
    umount -R "$W/dk" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
. tests/integration/lib.sh >/dev/null 2>&1
trap cleanup EXIT
. tests/integration/reglib.sh
. bench/dockerd.sh
bench_store "$W"
"$MD" system service --time 0 "unix://$W/md.sock" &
SPID=$!
for _ in $(seq 50); do [ -S "$W/md.sock" ] && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$1/status"; }
echo "server RSS idle: $(rss $SPID)"

runs=(--command-name "mydocker run" "$MD run --rm --network none busybox true"
      --command-name "docker CLI -> mydocker" "$DK -H unix://$W/md.sock run --rm --network none busybox true"
      --command-name "docker version (the CLI)" "$DK -H unix://$W/md.sock version -f '{{.Server.Version}}'")
if command -v dockerd >/dev/null; then
    if private_dockerd "$W" &&
        "$DK" -H "unix://$W/dockerd.sock" run --rm --network none busybox true >/dev/null 2>&1; then
        runs+=(--command-name "docker CLI -> dockerd" "$DK -H unix://$W/dockerd.sock run --rm --network none busybox true")
    else
        echo "dockerd: cannot run containers here, skipped"
    fi
fi
ratios() { /usr/bin/python3 bench/ratios.py "$1"; }
echo "== run --rm busybox true, $RUNS runs each"
hyperfine -N --warmup 3 --runs "$RUNS" --style basic --export-json "$W/run.json" "${runs[@]}" >/dev/null
ratios "$W/run.json"
echo "== the server's share: docker's run requests replayed without the CLI (bench/api_replay.py)"
/usr/bin/python3 bench/api_replay.py "$W/md.sock" "$RUNS"
echo "server RSS after the runs: $(rss $SPID)"

for i in $(seq 100); do "$MD" create --network none busybox true >/dev/null; done
echo "== ps with 100 containers, $RUNS runs each"
hyperfine -N --warmup 3 --runs "$RUNS" --style basic --export-json "$W/ps.json" \
    --command-name "mydocker ps -a" "$MD ps -a" \
    --command-name "docker ps -a -> mydocker" "$DK -H unix://$W/md.sock ps -a" \
    --command-name "docker version (the CLI)" "$DK -H unix://$W/md.sock version -f '{{.Server.Version}}'" >/dev/null
ratios "$W/ps.json"
echo "== the server's share: GET /containers/json?all=1 with 100 containers (curl's time_total)"
for i in $(seq "$RUNS"); do
    curl -s -o /dev/null -w '%{time_total}\n' --unix-socket "$W/md.sock" "http://x/v1.41/containers/json?all=1"
done | sort -n | awk '{v[NR] = $1} END {printf "  %-24s median %8.2f ms   fastest %6.2f ms\n", "list 100 containers", v[int((NR + 1) / 2)] * 1e3, v[1] * 1e3}'
