#!/usr/bin/env bash
# `compose up -d` of three services on a local image, from nothing (each run after a `down`),
# and a second `up -d` with nothing changed: `mydocker compose` beside Debian's docker-compose
# 1.29 driving a private dockerd (docker.io), and the same docker-compose driving mydocker's
# API server. Prints hyperfine's medians and ratios.
# Usage: bench/compose.sh [RUNS]   (default 20)
set -u
cd "$(dirname "$0")/.."
RUNS=${1:-20}
MD=$PWD/build/mydocker
DK=/usr/bin/docker
DC=/usr/bin/docker-compose
[ "$(id -u)" -eq 0 ] || { echo "bench/compose.sh: run as root"; exit 1; }
for b in /usr/bin/hyperfine "$MD"; do
    [ -x "$b" ] || { echo "bench/compose.sh: missing $b (scripts/setup.sh installs it)"; exit 1; }
done
W=$(mktemp -d /tmp/mydocker-bench-compose.XXXXXX)
export DOCKER_CONFIG=$W/docker-config
SPID= DPID=
cleanup() {
    (cd "$W/p" && MYDOCKER_ROOT=$W/md "$MD" compose down -t 0 >/dev/null 2>&1)
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
    if [ -n "$DPID" ]; then
        (cd "$W/p" && DOCKER_HOST=unix://$W/dockerd.sock "$DC" down -t 0 >/dev/null 2>&1)
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
mkdir -p "$W/p"
cat >"$W/p/docker-compose.yml" <<'EOF'
services:
  web:
    image: busybox
    init: true
    command: sleep 3600
    depends_on: [db]
  db:
    image: busybox
    init: true
    command: sleep 3600
  worker:
    image: busybox
    init: true
    command: sleep 3600
EOF
mdc="cd $W/p && $MD compose"
runs=(--command-name "mydocker compose up -d" --prepare "sh -c '$mdc down -t 0 >/dev/null 2>&1'"
      "sh -c '$mdc up -d 2>/dev/null'")
"$MD" system service --time 0 "unix://$W/md.sock" &
SPID=$!
for _ in $(seq 50); do [ -S "$W/md.sock" ] && break; sleep 0.1; done
if [ -x "$DC" ]; then
    api="cd $W/p && DOCKER_HOST=unix://$W/md.sock $DC -p viaapi"
    runs+=(--command-name "docker-compose -> mydocker API" --prepare "sh -c '$api down -t 0 >/dev/null 2>&1'"
           "sh -c '$api up -d 2>/dev/null'")
fi
if [ -x "$DC" ] && command -v dockerd >/dev/null; then
    dkc="cd $W/p && DOCKER_HOST=unix://$W/dockerd.sock $DC"
    if private_dockerd "$W" &&
        sh -c "$dkc up -d" >/dev/null 2>&1; then
        runs+=(--command-name "docker-compose -> dockerd" --prepare "sh -c '$dkc down -t 0 >/dev/null 2>&1'"
               "sh -c '$dkc up -d 2>/dev/null'")
    else
        echo "dockerd: cannot run the project here, skipped"
    fi
fi
ratios() { /usr/bin/python3 bench/ratios.py "$1"; }
echo "== up -d of three services from nothing, $RUNS runs each"
hyperfine -N --warmup 2 --runs "$RUNS" --style basic --export-json "$W/up.json" "${runs[@]}" >/dev/null
ratios "$W/up.json"

echo "== up -d again, nothing changed, $RUNS runs each"
again=(--command-name "mydocker compose up -d" "sh -c '$mdc up -d 2>/dev/null'")
sh -c "$mdc up -d" >/dev/null 2>&1
if [ -x "$DC" ]; then
    sh -c "$api up -d" >/dev/null 2>&1
    again+=(--command-name "docker-compose -> mydocker API" "sh -c '$api up -d 2>/dev/null'")
fi
if [ -n "$DPID" ] && [ "${#runs[@]}" -gt 8 ]; then
    sh -c "$dkc up -d" >/dev/null 2>&1
    again+=(--command-name "docker-compose -> dockerd" "sh -c '$dkc up -d 2>/dev/null'")
fi
hyperfine -N --warmup 2 --runs "$RUNS" --style basic --export-json "$W/again.json" "${again[@]}" >/dev/null
ratios "$W/again.json"
[ -x "$DC" ] && sh -c "$api down -t 0" >/dev/null 2>&1
