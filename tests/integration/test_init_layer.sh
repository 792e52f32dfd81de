#!/usr/bin/env bash
# An image's init layer (image/init/<id>: empty /etc/hosts, /etc/hostname, /etc/resolv.conf
# where the image has none) and the store's lighter bookkeeping: a container's own mounts of
# those files leave its upper dir empty; an image with its own files, or with /etc not a
# directory, gets no such layer; rmi takes the layer along; the container lock is the
# directory (no lock file); `run --rm` leaves no trash and no runtime dir behind.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/reglib.sh"
if [ "$(id -u)" -ne 0 ]; then echo "FAIL - needs root"; echo "0 passed, 1 failed"; exit 1; fi
T=$(mktemp -d /tmp/mydocker-initlayer-test.XXXXXX)
export MYDOCKER_ROOT=$T/root MYDOCKER_RUN_ROOT=$T/run
at_exit "rm -rf '$T'"
at_exit "md rm -f \$(md ps -aq) >/dev/null 2>&1"
S=$MYDOCKER_ROOT/image
hex_of() { md images -q --no-trunc "$1" | head -n 1 | cut -c8-; }

mk_busybox_tar "$T/bb.tar"
md import "$T/bb.tar" plain:1 >/dev/null
check_eq "the plain image has no /etc/hosts" "$(tar -tf "$T/bb.tar" | grep -c '^\./etc/hosts$')" "0"

# ---------------------------------------------------------------- the layer
out=$(md run --name c1 --hostname h1 --network none plain:1 sh -c 'cat /etc/hostname; grep -c localhost /etc/hosts' 2>&1)
check_eq "the container's /etc/hostname and /etc/hosts are its own" "$out" "$(printf 'h1\n2')"
init=$S/init/$(hex_of plain:1)
check_eq "init layer: the three missing files, empty" \
    "$(cd "$init/etc" 2>/dev/null && stat -c '%n %s %a' * | tr '\n' ' ')" "hostname 0 644 hosts 0 644 resolv.conf 0 644 "
lower_etc=$(find "$S/layers" -mindepth 2 -maxdepth 2 -name etc -type d | head -n 1)
check_eq "init layer: /etc keeps the image's owner and mode" \
    "$(stat -c '%u:%g %a' "$init/etc")" "$(stat -c '%u:%g %a' "$lower_etc")"
id=$(md inspect -f '{{.Id}}' c1)
check_eq "the container's upper dir is empty (no copy-up for the mounts)" \
    "$(find "$MYDOCKER_ROOT/containers/$id/upper" -mindepth 1 | wc -l)" "0"
check_eq "diff shows nothing" "$(md diff c1 2>&1)" ""
check_match "inspect's LowerDir starts with the init layer" "$(md inspect -f '{{.GraphDriver.Data.LowerDir}}' c1)" "^$init:"
check_eq "no lock file: the directory is the lock" "$(test -e "$MYDOCKER_ROOT/containers/$id/lock" && echo file || echo none)" "none"
check_rc "start/stop still serialize on the lock" 0 md start -a c1
md rm c1 >/dev/null

# ---------------------------------------------------------------- images that need none
R=$T/own; mkdir -p "$R"; tar -C "$R" -xf "$T/bb.tar"
printf '10.9.9.9 imagehost\n' >"$R/etc/hosts"; echo img >"$R/etc/hostname"; : >"$R/etc/resolv.conf"
tar --numeric-owner -C "$R" -cf "$T/own.tar" . && md import "$T/own.tar" own:1 >/dev/null
check_eq "own files: the container's /etc/hosts is mounted over the image's" \
    "$(md run --rm --network none own:1 grep -c imagehost /etc/hosts 2>&1)" "0"
check_eq "own files: no init layer directory" "$(test -d "$S/init/$(hex_of own:1)" && echo dir || echo none)" "none"
R=$T/link; mkdir -p "$R"; tar -C "$R" -xf "$T/bb.tar"
mv "$R/etc" "$R/etc.real" && ln -s etc.real "$R/etc"
tar --numeric-owner -C "$R" -cf "$T/link.tar" . && md import "$T/link.tar" link:1 >/dev/null
check_eq "/etc a symlink: runs, hostname mounted" "$(md run --rm --network none --hostname h2 link:1 cat /etc/hostname 2>&1)" "h2"
check_eq "/etc a symlink: no init layer directory (the image's /etc is kept)" \
    "$(test -d "$S/init/$(hex_of link:1)" && echo dir || echo none)" "none"
check_eq "/etc a symlink: still a symlink inside" "$(md run --rm --network none link:1 readlink /etc 2>&1)" "etc.real"

# ---------------------------------------------------------------- removal
md rmi plain:1 >/dev/null
check_eq "rmi removes the image's init layer" "$(test -e "$init" && echo left || echo gone)" "gone"
for i in 1 2 3; do MD_REMOVER_PROBE=$UNIQ md run --rm --network none own:1 true; done
# each poll lists again (a $(...) here would be expanded once, before the wait)
check "run --rm: no trash left in the store" \
    wait_for 5 sh -c "test -z \"\$(ls -A '$MYDOCKER_ROOT/containers')\""
check "run --rm: no runtime dir left" \
    wait_for 5 sh -c "test -z \"\$(ls -A '$MYDOCKER_RUN_ROOT/containers' 2>/dev/null)\""
check_eq "run --rm: ps -a is empty" "$(md ps -aq)" ""
# the remover (forked while the container ran) holds the container's mount namespace until it
# deletes the files, then ends: no process of this store is left
check "run --rm: the remover ends (no process with this store left)" \
    wait_for 5 sh -c "! grep -qszxF 'MD_REMOVER_PROBE=$UNIQ' /proc/[0-9]*/environ"
summary
