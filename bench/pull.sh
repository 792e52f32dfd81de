#!/usr/bin/env bash
# Pull of a ~100 MB multi-layer image from a loopback registry: mydocker pull (download,
# verify, unpack) side by side with `skopeo copy` to a local dir (download + verify only)
# and `podman pull` (download, verify, unpack), plus mydocker save/load throughput.
#
# The image is made here: busybox + 4 layers of 25 MB of random data, gzip-compressed
# (level 1) as OCI layers, copied into Debian's docker-registry on 127.0.0.1 by skopeo.
# Every run starts from an empty store. Usage: bench/pull.sh [RUNS]   (default 5)
set -u
cd "$(dirname "$0")/.."
RUNS=${1:-5}
MD=$PWD/build/mydocker
HERE=$PWD/tests/integration
[ "$(id -u)" -eq 0 ] || { echo "bench/pull.sh: run as root"; exit 1; }
for b in /usr/bin/docker-registry /usr/bin/skopeo /usr/bin/hyperfine "$MD"; do
    [ -x "$b" ] || { echo "bench/pull.sh: missing $b (scripts/setup.sh installs it)"; exit 1; }
done
W=$(mktemp -d /tmp/mydocker-bench-pull.XXXXXX)
REG_PID=
cleanup() {
    [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null
    umount -R "$W/podroot" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
at_exit() { :; }   # reglib.sh registers its own cleanup; ours is the trap above
. "$HERE/lib.sh" >/dev/null 2>&1
trap cleanup EXIT
. "$HERE/reglib.sh"
start_registry "$W/reg" || exit 1
IMG=$REG/bench/random:1

echo "== building the image (busybox + 4 x 25 MB random, gzip -1) and pushing it to $REG"
mk_busybox_tar "$W/l0.tar"
layers=("$W/l0.tar")
for i in 1 2 3 4; do
    mkdir -p "$W/l$i/data$i"
    head -c $((25 * 1024 * 1024)) /dev/urandom >"$W/l$i/data$i/blob"
    tar -C "$W/l$i" -cf "$W/l$i.tar" . && rm -rf "$W/l$i"
    layers+=("$W/l$i.tar")
done
python3 "$HERE/oci_layout.py" "$W/oci" one "${layers[@]}"
rm -f "$W"/l*.tar
skopeo copy --dest-tls-verify=false "oci:$W/oci:one" "docker://$IMG" >/dev/null || exit 1
du -sh "$W/reg/data" | awk '{print "registry storage: " $1}'

cmds=(--command-name "mydocker pull"
      --prepare "rm -rf $W/mdroot"
      "MYDOCKER_ROOT=$W/mdroot $MD pull -q $IMG"
      --command-name "skopeo copy (to dir)"
      --prepare "rm -rf $W/skdir"
      "skopeo copy -q --src-tls-verify=false docker://$IMG dir:$W/skdir")
if command -v podman >/dev/null && podman --root "$W/podroot" --runroot "$W/podrun" \
    --storage-driver overlay info >/dev/null 2>&1; then
    cmds+=(--command-name "podman pull"
           --prepare "podman --root $W/podroot --runroot $W/podrun --storage-driver overlay rmi -af >/dev/null 2>&1; true"
           "podman --root $W/podroot --runroot $W/podrun --storage-driver overlay pull -q --tls-verify=false $IMG")
else
    echo "podman: cannot run here (podman info failed), skipped"
fi
echo "== pull, $RUNS runs each, from an empty store"
hyperfine --runs "$RUNS" --style basic "${cmds[@]}"

echo "== save/load throughput (mydocker)"
MYDOCKER_ROOT=$W/mdroot "$MD" pull -q "$IMG" >/dev/null
size=$(MYDOCKER_ROOT=$W/mdroot "$MD" save "$IMG" | wc -c)
echo "archive: $((size / 1024 / 1024)) MB"
hyperfine --runs "$RUNS" --style basic \
    --command-name "mydocker save" --prepare "rm -f $W/save.tar" \
    "MYDOCKER_ROOT=$W/mdroot $MD save -o $W/save.tar $IMG" \
    --command-name "mydocker load" --prepare "rm -rf $W/loadroot" \
    "MYDOCKER_ROOT=$W/loadroot $MD load -q -i $W/save.tar"
