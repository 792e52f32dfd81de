#!/usr/bin/env bash
# cp between host and container (running and stopped), both directions: files, dirs,
# "SRC/.", into existing dirs; symlinks in the container pointing out of it (absolute,
# relative "../..", to host paths) never let a copy read or write the host; export of a
# running and a stopped container (flat tar of the merged fs, no /proc contents), and
# import of the export.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/reglib.sh"
if [ "$(id -u)" -ne 0 ]; then echo "FAIL - needs root"; echo "0 passed, 1 failed"; exit 1; fi
T=$(mktemp -d /tmp/mydocker-cp-test.XXXXXX)
BASE=cp-base-$UNIQ:1
RUN=cp-run-$UNIQ
STOP=cp-stop-$UNIQ
HOSTSECRET=/tmp/mydocker-cp-secret-$UNIQ
HOSTDIR=/tmp/mydocker-cp-hostdir-$UNIQ
at_exit "rm -rf '$T' $HOSTSECRET $HOSTDIR; md rm -f $RUN $STOP; md rmi -f $BASE cp-imported-$UNIQ:1"
py() { python3 -c "$1"; }

mk_busybox_tar "$T/bb.tar"
md import -c 'CMD ["sh"]' "$T/bb.tar" "$BASE" >/dev/null
echo "host secret" >"$HOSTSECRET"
mkdir -p "$HOSTDIR"
# in the container: /abs -> / (absolute), /rel -> ../../../../.. (relative), /sec -> the host
# secret's path, /tmpl -> /tmp; plus a dir with content
setup='mkdir -p /data/sub; echo one >/data/one; echo two >/data/sub/two; ln -s /data/one /data/link
       ln -s / /abs; ln -s ../../../../.. /rel; ln -s '"$HOSTSECRET"' /sec; ln -s /tmp /tmpl; ln -s '"$HOSTDIR"' /hd'
md run --name "$STOP" "$BASE" sh -c "$setup" >/dev/null
md run -d --name "$RUN" "$BASE" sh -c "$setup; sleep 120" >/dev/null
wait_for 5 md exec "$RUN" test -L /hd

for c in "$RUN" "$STOP"; do
    k=${c%%-*}-$( [ "$c" = "$RUN" ] && echo running || echo stopped )
    o=$T/$k
    mkdir -p "$o"
    # ---- container -> host ----
    check "$k: cp file out" md cp "$c:/data/one" "$o/one"
    check_eq "$k: file content" "$(cat "$o/one")" one
    check "$k: cp dir out" md cp "$c:/data" "$o/datadir"
    check_eq "$k: dir content" "$(cat "$o/datadir/sub/two")" two
    check_eq "$k: symlink copied as a link" "$(readlink "$o/datadir/link")" /data/one
    mkdir -p "$o/into"
    check "$k: cp into an existing dir" md cp "$c:/data/one" "$o/into"
    check_eq "$k: lands under its name" "$(cat "$o/into/one")" one
    check "$k: cp SRC/. copies contents" md cp "$c:/data/." "$o/contents"
    check_eq "$k: contents copied" "$(ls "$o/contents" | tr '\n' ' ')" "link one sub "
    check "$k: -L follows the link inside the container" md cp -L "$c:/data/link" "$o/followed"
    check_eq "$k: -L content" "$(cat "$o/followed")" one
    # escapes: reading through links that point out of the container
    check "$k: cp /abs/etc/passwd reads the container's" md cp "$c:/abs/etc/passwd" "$o/passwd"
    check_eq "$k: container passwd, not the host's" "$(cmp -s "$o/passwd" /etc/passwd && echo host || echo container)" container
    check "$k: cp /rel/etc/passwd stays inside" md cp "$c:/rel/etc/passwd" "$o/passwd2"
    check_eq "$k: relative escape gives the container's file" "$(cmp -s "$o/passwd2" "$o/passwd" && echo same)" same
    check_rc "$k: link to a host path does not read the host file" 1 md cp -L "$c:/sec" "$o/secret"
    check "$k: no host secret copied" test ! -e "$o/secret"
    # ---- host -> container ----
    echo hostdata >"$T/in.txt"
    mkdir -p "$T/indir/d2" && echo deep >"$T/indir/d2/deep"
    check "$k: cp file in" md cp "$T/in.txt" "$c:/in.txt"
    check "$k: cp dir in" md cp "$T/indir" "$c:/tmp/"
    check "$k: write through /abs stays inside" md cp "$T/in.txt" "$c:/abs/etc/escaped-$UNIQ"
    check "$k: write through /rel stays inside" md cp "$T/in.txt" "$c:/rel/tmp/escaped-$UNIQ"
    check_rc "$k: write through a link to a host dir fails (no such dir inside)" 1 md cp "$T/in.txt" "$c:/hd/escaped"
    check "$k: nothing written to the host's /etc" test ! -e "/etc/escaped-$UNIQ"
    check "$k: nothing written to the host's /tmp" test ! -e "/tmp/escaped-$UNIQ"
    check "$k: nothing written to the host dir" test ! -e "$HOSTDIR/escaped"
    check_rc "$k: source that does not exist" 1 md cp "$c:/nonexistent" "$o/x"
done
check_eq "running: files visible inside" "$(md exec "$RUN" sh -c 'cat /in.txt /tmp/indir/d2/deep /etc/escaped-'"$UNIQ"' /tmp/escaped-'"$UNIQ")" "hostdata
deep
hostdata
hostdata"
md cp "$STOP:/etc/escaped-$UNIQ" "$T/back" && check_eq "stopped: file written in lands in its fs" "$(cat "$T/back")" hostdata
check_eq "no mount left on the host" "$(grep -c "$STOP\|containers/.*/rootfs" /proc/self/mountinfo)" 0

# ---- export ----
check "export of a running container" md export -o "$T/run.tar" "$RUN"
names=$(tar -tf "$T/run.tar")
check "export: file from the image" grep -qx bin/busybox <<<"$names"
check "export: file from the container" grep -qx data/sub/two <<<"$names"
check "export: file copied in" grep -qx in.txt <<<"$names"
check "export: /proc is a mount point, written empty" test "$(grep -c '^proc/.' <<<"$names")" -eq 0
check_eq "export: content" "$(tar -xOf "$T/run.tar" data/one)" one
check "export of a stopped container (stdout)" sh -c "$MYDOCKER export $STOP > $T/stop.tar"
check "export stopped: container file" grep -qx data/sub/two <<<"$(tar -tf "$T/stop.tar")"
check_eq "export stopped: link kept" "$(tar -tvf "$T/stop.tar" | grep ' abs -> ' | sed 's/.* -> //')" /
check_rc "export of an unknown container" 1 md export -o "$T/none.tar" "nosuch-$UNIQ"
check "failed export leaves no file" test ! -e "$T/none.tar"
check_match "import the export" "$(md import "$T/stop.tar" "cp-imported-$UNIQ:1")" '^sha256:'
check_eq "the imported export runs" "$(md run --rm "cp-imported-$UNIQ:1" cat /data/sub/two)" two
# ---------------------------------------------------------------- cp with "-": tar streams
for c in "$RUN" "$STOP"; do
    check_eq "cp $c:/data - : a tar with data/ as its top entry" \
        "$(md cp "$c:/data" - | tar -t | sort | tr '\n' ' ')" "data/ data/link data/one data/sub/ data/sub/two "
    check_eq "cp $c:/data/one - : one file" "$(md cp "$c:/data/one" - | tar -xO)" one
done
check_eq "cp RUN:/abs - : a symlink is archived as a link, never followed out" \
    "$(md cp "$RUN:/abs" - | tar -tv | awk '{print $NF}')" "/"
mkdir -p "$T/src/in"; echo streamed > "$T/src/in/f"
tar -C "$T/src" -c in | md cp - "$RUN:/tmp"
check_eq "tar | cp - RUN:/tmp : extracted inside the container" "$(md exec "$RUN" cat /tmp/in/f)" streamed
printf 'x' > "$T/evil"; tar -C "$T" -cf "$T/evil.tar" --transform 's,^,../../,' evil 2>/dev/null
md cp - "$RUN:/tmp" < "$T/evil.tar" >/dev/null 2>&1
check_not "an entry with ../.. stays out of the host" test -e /evil
check_rc "cp - to a missing container dir: 1" 1 sh -c "tar -C '$T/src' -c in | '$MYDOCKER' cp - '$RUN:/nonexistent'"
summary
