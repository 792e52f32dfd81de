#!/usr/bin/env bash
# `build` side by side: FROM busybox + 10 RUN steps + one COPY (the issue's measure), cold (no
# cache) and fully cached, for mydocker, buildah (--layers) and, when Debian's docker.io is
# installed, a private dockerd with BuildKit and with the classic builder. Each tool gets the
# same busybox image from a docker-archive made by `mydocker save`; each runs in its own state
# directory, removed at the end. Every tool's RUN steps get no network (`--network none`): a
# container start and a layer diff per step; mydocker's default (the bridge: a veth per step,
# whose namespace's teardown the kernel makes the next step wait for) is shown as a row of its
# own. Prints hyperfine's medians and the ratios to mydocker.
# Usage: bench/build.sh [RUNS]   (default 5; the cached case runs 2x as many)
set -u
cd "$(dirname "$0")/.."
RUNS=${1:-5}
MD=$PWD/build/mydocker
[ "$(id -u)" -eq 0 ] || { echo "bench/build.sh: run as root"; exit 1; }
for b in /usr/bin/hyperfine "$MD"; do
    [ -x "$b" ] || { echo "bench/build.sh: missing $b (scripts/setup.sh installs it)"; exit 1; }
done
W=$(mktemp -d /tmp/mydocker-bench-build.XXXXXX)
export DOCKER_CONFIG=$W/docker-config # the docker CLI writes there (BuildKit node id), not in ~
DPID=
cleanup() {
    [ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
    if command -v buildah >/dev/null; then
        buildah --root "$W/bh" --runroot "$W/bhrun" rm -a >/dev/null 2>&1
        buildah --root "$W/bh" --runroot "$W/bhrun" rmi -af >/dev/null 2>&1
    fi
    umount -R "$W/bh" "$W/dk" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
. tests/integration/lib.sh >/dev/null 2>&1
trap cleanup EXIT
. tests/integration/reglib.sh
. bench/dockerd.sh

mkdir -p "$W/ctx"
{
    echo "FROM busybox"
    for i in $(seq 1 10); do echo "RUN echo $i > /f$i"; done
    echo "COPY data /data"
} >"$W/ctx/Dockerfile"
head -c 65536 /dev/urandom >"$W/ctx/data"
mk_busybox_tar "$W/bb-rootfs.tar"
export MYDOCKER_ROOT=$W/md
"$MD" import "$W/bb-rootfs.tar" busybox >/dev/null
"$MD" save -o "$W/bb.tar" busybox

cold=(--command-name mydocker "$MD build -q --no-cache --network none $W/ctx"
      --command-name "mydocker (bridge)" "$MD build -q --no-cache $W/ctx")
warm=(--command-name mydocker "$MD build -q --network none $W/ctx")
"$MD" build -q --network none "$W/ctx" >/dev/null

BH=(buildah --root "$W/bh" --runroot "$W/bhrun" --storage-driver vfs)
if command -v buildah >/dev/null && "${BH[@]}" pull -q docker-archive:"$W/bb.tar" >/dev/null 2>&1 &&
    "${BH[@]}" tag "$("${BH[@]}" images -q | head -1)" busybox >/dev/null 2>&1 &&
    "${BH[@]}" bud -q --layers --network none --isolation oci --runtime /usr/sbin/runc -t warm "$W/ctx" >/dev/null 2>&1; then
    cold+=(--command-name "buildah --layers" "${BH[*]} bud -q --layers --no-cache --network none --isolation oci --runtime /usr/sbin/runc $W/ctx")
    warm+=(--command-name "buildah --layers" "${BH[*]} bud -q --layers --network none --isolation oci --runtime /usr/sbin/runc $W/ctx")
else
    echo "buildah: cannot build here, skipped"
fi

if command -v dockerd >/dev/null && [ -x /usr/bin/docker ]; then
    D=(/usr/bin/docker -H "unix://$W/dockerd.sock")
    if private_dockerd "$W" &&
        DOCKER_BUILDKIT=1 "${D[@]}" build -q --network none "$W/ctx" >/dev/null 2>&1 &&
        DOCKER_BUILDKIT=0 "${D[@]}" build -q --network none "$W/ctx" >/dev/null 2>&1; then
        for kit in 1 0; do
            name=$([ $kit = 1 ] && echo "docker BuildKit" || echo "docker classic")
            cold+=(--command-name "$name" "DOCKER_BUILDKIT=$kit ${D[*]} build -q --no-cache --network none $W/ctx")
            warm+=(--command-name "$name" "DOCKER_BUILDKIT=$kit ${D[*]} build -q --network none $W/ctx")
        done
    else
        echo "docker: the private dockerd cannot build here (see its log below), skipped"
        tail -3 "$W/dockerd.log"
    fi
else
    echo "docker: no dockerd (Debian's docker.io not installed), skipped"
fi

ratios() { /usr/bin/python3 bench/ratios.py "$1" mydocker; }
echo "== cold: FROM busybox + 10 RUN + COPY, no cache, $RUNS runs each"
hyperfine --runs "$RUNS" --style basic --export-json "$W/cold.json" "${cold[@]}" >/dev/null
ratios "$W/cold.json"
echo "== fully cached: the same build again, $((RUNS * 2)) runs each"
hyperfine --warmup 1 --runs $((RUNS * 2)) --style basic --export-json "$W/warm.json" "${warm[@]}" >/dev/null
ratios "$W/warm.json"
