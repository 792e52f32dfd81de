#!/usr/bin/env bash
# Image store end to end, in a private MYDOCKER_ROOT: import (plain, gzip, xz,
# zstd, stdin, -c changes), images, tag, rmi + garbage collection, whiteout
# conversion and extraction safety. Runs as root (owners, device nodes, xattrs).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
if [ -f "$HERE/lib.sh" ]; then
    . "$HERE/lib.sh"
else
    PASS=0 FAILED=0
    ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
    fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1${2:+: $2}"; }
    check_eq() { if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "got [$2] want [$3]"; fi; }
    check_match() { if [[ "$2" =~ $3 ]]; then ok "$1"; else fail "$1" "got [$2] want /$3/"; fi; }
    check() {
        local n=$1 out rc; shift
        out=$("$@" 2>&1); rc=$?
        if [ $rc -eq 0 ]; then ok "$n"; else fail "$n" "exit $rc: $out"; fi
    }
    check_rc() {
        local n=$1 want=$2 out rc; shift 2
        out=$("$@" 2>&1); rc=$?
        if [ $rc -eq "$want" ]; then ok "$n"; else fail "$n" "exit $rc want $want: $out"; fi
    }
    summary() { echo "$PASS passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; exit $?; }
    UNIQ="t$$-$RANDOM"
fi

TOOL=${MYDOCKER_IMAGE_TOOL:-$REPO/build/mydocker-image}
if [ "$(id -u)" -ne 0 ] || [ ! -x "$TOOL" ]; then
    echo "FAIL - needs root and $TOOL"
    echo "0 passed, 1 failed"
    exit 1
fi
T=$(mktemp -d /tmp/mydocker-image-test.XXXXXX)
cleanup="umount '$T/mnt' 2>/dev/null; rm -rf '$T' /tmp/mydocker-evil-$UNIQ /etc/mydocker-evil-$UNIQ"
if declare -F at_exit >/dev/null; then at_exit "$cleanup"; else trap "$cleanup" EXIT; fi
export MYDOCKER_ROOT=$T/root
S=$MYDOCKER_ROOT/image
mi() { "$TOOL" "$@"; }
blob() { cat "$S/blobs/sha256/${1#sha256:}"; }
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print(json.dumps($1))"; }
config_of() { local id; id=$(mi images -q --no-trunc "$1" | head -1); blob "$id"; }
count() { find "$1" -mindepth 1 -maxdepth 1 "${@:2}" 2>/dev/null | wc -l; }

# ---- a small tree, imported as a plain tar ----
src=$T/src
mkdir -p "$src"/{bin,etc,private,home/user}
cp "$(command -v busybox)" "$src/bin/busybox"
ln -s busybox "$src/bin/sh"
echo hello >"$src/etc/hello"
ln "$src/etc/hello" "$src/etc/hello.hard"
chmod 700 "$src/private"
chown 1000:1000 "$src/home/user"
touch -d '2001-02-03 04:05:06' "$src/etc/hello"
tar --numeric-owner -C "$src" -cf "$T/small.tar" .

id=$(mi import "$T/small.tar" small:v1)
check_match "import prints the image id" "$id" '^sha256:[0-9a-f]{64}$'
hex=${id#sha256:}
check_eq "image id is the sha256 of its config" "$(sha256sum "$S/blobs/sha256/$hex" | cut -c1-64)" "$hex"
diff=$(blob "$id" | jq_ 'd["rootfs"]["diff_ids"][0]')
check_eq "diff_id is the sha256 of the tar" "$diff" "\"sha256:$(sha256sum "$T/small.tar" | cut -c1-64)\""
diff=${diff//\"/}
layer=$S/layers/${diff#sha256:}
check "layer blob stored uncompressed" cmp "$S/blobs/sha256/${diff#sha256:}" "$T/small.tar"
check_eq "config os/arch/rootfs" "$(blob "$id" | jq_ '[d["os"], d["architecture"], d["rootfs"]["type"]]')" \
    '["linux", "amd64", "layers"]'
check_eq "config default Env, no Cmd" "$(blob "$id" | jq_ 'd["config"]')" \
    '{"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}'
check_match "config created is RFC 3339" "$(blob "$id" | jq_ 'd["created"]')" \
    '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z"$'
man=$(python3 -c "import json; print(json.load(open('$S/repositories.json'))['small:v1']['manifest'])")
check_eq "manifest references config and layer" \
    "$(blob "$man" | jq_ '[d["config"]["digest"], d["config"]["size"], d["layers"][0]["digest"], d["layers"][0]["size"]]')" \
    "[\"$id\", $(stat -c %s "$S/blobs/sha256/$hex"), \"$diff\", $(stat -c %s "$T/small.tar")]"
check_eq "manifest digest" "$(sha256sum "$S/blobs/sha256/${man#sha256:}" | cut -c1-64)" "${man#sha256:}"

check "layer unpacked" test -x "$layer/bin/busybox"
check_eq "symlink kept" "$(readlink "$layer/bin/sh")" busybox
check_eq "hard link kept" "$(stat -c %i "$layer/etc/hello")" "$(stat -c %i "$layer/etc/hello.hard")"
check_eq "modes kept" "$(stat -c %a "$layer/private")" 700
check_eq "numeric owners kept" "$(stat -c %u:%g "$layer/home/user")" 1000:1000
check_eq "mtimes kept" "$(stat -c %Y "$layer/etc/hello")" "$(stat -c %Y "$src/etc/hello")"
check_eq "no temp dirs left" "$(count "$S/layers" -name '.tmp-*')$(count "$S/blobs/sha256" -name '.tmp-*')" 00

# ---- images ----
out=$(mi images)
check_match "images header" "$(head -1 <<<"$out")" '^REPOSITORY   TAG       IMAGE ID       CREATED +SIZE$'
check_match "images row" "$(sed -n 2p <<<"$out")" \
    "^small        v1        ${hex:0:12}   (Less than a second|[0-9]+ seconds?) ago +[0-9.]+MB$"
size_col=$(awk 'NR==1{print index($0,"SIZE")}' <<<"$out")
check_eq "SIZE column aligned" "$(sed -n 2p <<<"$out" | cut -c"$size_col"- | grep -cE '^[0-9.]+MB$')" 1
check_eq "images -q" "$(mi images -q)" "${hex:0:12}"
check_eq "images --no-trunc -q" "$(mi images -q --no-trunc)" "$id"
check_eq "images REPO filter" "$(mi images -q small)" "${hex:0:12}"
check_eq "images REPO filter, no match" "$(mi images -q other)" ""
check_rc "images bad flag exits 125" 125 mi images --bogus

# ---- compressed and stdin imports share the layer ----
gzip -k "$T/small.tar" && xz -k "$T/small.tar"
check "import gzip" mi import "$T/small.tar.gz" small:gz
check "import xz" mi import "$T/small.tar.xz" small:xz
if command -v zstd >/dev/null; then
    zstd -q "$T/small.tar" -o "$T/small.tar.zst" && check "import zstd" mi import "$T/small.tar.zst" small:zst
fi
id2=$(mi import - <"$T/small.tar.gz")
check_match "import from stdin" "$id2" '^sha256:[0-9a-f]{64}$'
check_eq "one layer for all of them" "$(count "$S/layers")" 1
check_match "untagged import listed as <none>" "$(mi images | grep "${id2:7:12}")" '^<none> +<none> +'
check_eq "comment" "$(blob "$id2" | jq_ 'd["history"][0]["comment"]')" '"Imported from -"'

# ---- -c changes ----
id3=$(mi import -m "my msg" -c 'CMD echo "hi there"' -c 'ENTRYPOINT ["/bin/sh", "-c"]' \
    -c 'ENV A=1 B="two words"' -c 'ENV C $A-x' -c 'WORKDIR /app' -c 'WORKDIR sub' -c 'USER 1000:1000' \
    -c 'EXPOSE 80 53/udp' -c 'LABEL a=b "c d"=e' -c 'VOLUME ["/data", "/logs"]' -c 'STOPSIGNAL SIGINT' \
    "$T/small.tar" changed)
check_eq "changes applied" "$(blob "$id3" | jq_ 'd["config"]')" \
    '{"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=1", "B=two words", "C=1-x"], "Cmd": ["/bin/sh", "-c", "echo \"hi there\""], "Entrypoint": ["/bin/sh", "-c"], "WorkingDir": "/app/sub", "User": "1000:1000", "ExposedPorts": {"80/tcp": {}, "53/udp": {}}, "Labels": {"a": "b", "c d": "e"}, "Volumes": {"/data": {}, "/logs": {}}, "StopSignal": "SIGINT"}'
check_eq "message" "$(blob "$id3" | jq_ '[d["comment"], d["history"][0]["comment"]]')" '["my msg", "my msg"]'
id4=$(mi import -c 'CMD ["sh"]' -c 'ENTRYPOINT top' "$T/small.tar")
check_eq "exec form CMD kept before ENTRYPOINT" "$(blob "$id4" | jq_ '[d["config"]["Cmd"], d["config"]["Entrypoint"]]')" \
    '[["sh"], ["/bin/sh", "-c", "top"]]'
out=$(mi import -c 'RUN echo' "$T/small.tar" 2>&1); rc=$?
check_eq "bad change rejected" "$rc:$out" "1:mydocker: run is not a valid change command"
out=$(mi import "$T/small.tar" Bad:Name 2>&1); rc=$?
check_eq "bad reference rejected" "$rc:$out" "1:mydocker: invalid reference format: repository name must be lowercase"
out=$(mi import "$T/missing.tar" 2>&1); rc=$?
check_match "missing file" "$rc:$out" '^1:mydocker: open .*missing.tar: No such file or directory$'

# ---- tag ----
check "tag" mi tag small:v1 localhost:5000/team/small
check_eq "tag listed" "$(mi images | awk '$1=="localhost:5000/team/small"{print $2, $3}')" "latest ${hex:0:12}"
check "tag by id prefix" mi tag "${hex:0:8}" docker.io/library/alias:1
check_eq "docker.io/library normalized" "$(mi images | awk '$1=="alias"{print $2}')" 1
check_rc "tag of a missing image" 1 mi tag nope x

# ---- whiteouts ----
python3 - "$T" <<'EOF'
import io, sys, tarfile
def add(t, name, data=b"", kind=tarfile.REGTYPE, link="", mode=0o644):
    ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = link; ti.mode = mode
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
with tarfile.open(sys.argv[1] + "/base.tar", "w") as t:
    for d in ("dir", "sub"):
        add(t, d, kind=tarfile.DIRTYPE, mode=0o755)
    add(t, "foo", b"1"); add(t, "dir/old", b"2"); add(t, "sub/bar", b"3"); add(t, "sub/baz", b"4")
with tarfile.open(sys.argv[1] + "/wh.tar", "w") as t:
    add(t, "dir", kind=tarfile.DIRTYPE, mode=0o755)
    add(t, "dir/.wh..wh..opq")
    add(t, "dir/new", b"5")
    add(t, ".wh.foo")
    add(t, "sub/.wh.bar")
    add(t, ".wh..wh.plnk", kind=tarfile.DIRTYPE)
EOF
mi import "$T/base.tar" base >/dev/null
wid=$(mi import "$T/wh.tar" wh)
wl=$S/layers/$(blob "$wid" | jq_ 'd["rootfs"]["diff_ids"][0][7:]' | tr -d '"')
check_eq ".wh.foo -> char device 0:0" "$(stat -c '%F %t:%T' "$wl/foo")" "character special file 0:0"
check_eq "sub/.wh.bar -> char device 0:0" "$(stat -c '%F %t:%T' "$wl/sub/bar")" "character special file 0:0"
check_eq "opaque dir xattr" "$(python3 -c "import os; print(os.getxattr('$wl/dir', 'trusted.overlay.opaque'))")" "b'y'"
check_eq "no .wh. names left" "$(find "$wl" -name '.wh.*' | wc -l)" 0
mkdir -p "$T/mnt"
bl=$S/layers/$(config_of base | jq_ 'd["rootfs"]["diff_ids"][0][7:]' | tr -d '"')
if mount -t overlay overlay -o "lowerdir=$wl:$bl" "$T/mnt" 2>/dev/null; then
    check_eq "overlay honours the whiteouts" "$(cd "$T/mnt" && find . -mindepth 1 | sort | tr '\n' ' ')" \
        "./dir ./dir/new ./sub ./sub/baz "
    umount "$T/mnt"
else
    echo "# overlay mount unavailable: whiteout semantics not checked through overlayfs"
fi

# ---- extraction safety ----
mkdir -p "$T/outside"
python3 - "$T" "$UNIQ" <<'EOF'
import io, sys, tarfile
T, U = sys.argv[1], sys.argv[2]
def add(t, name, data=b"x", kind=tarfile.REGTYPE, link=""):
    ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = link; ti.mode = 0o644
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
cases = {
    "dotdot": [("../evil",)],
    "deep-dotdot": [("a/../../../evil",)],
    "absolute": [("/tmp/mydocker-evil-" + U,)],
    "symlink-etc": [("link", b"", tarfile.SYMTYPE, "/etc"), ("link/mydocker-evil-" + U,)],
    "symlink-out": [("link", b"", tarfile.SYMTYPE, T + "/outside"), ("link/evil",)],
    "symlink-rel": [("link", b"", tarfile.SYMTYPE, "../../../../.."), ("link/tmp/mydocker-evil-" + U,)],
    "hardlink-out": [("hl", b"", tarfile.LNKTYPE, "../../../../../etc/hostname")],
    "whiteout-through-symlink": [("link", b"", tarfile.SYMTYPE, T + "/outside"), ("link/.wh.evil",)],
    "opaque-through-symlink": [("link", b"", tarfile.SYMTYPE, T + "/outside"), ("link/.wh..wh..opq",)],
}
for name, entries in cases.items():
    with tarfile.open("%s/evil-%s.tar" % (T, name), "w") as t:
        for e in entries:
            add(t, *e)
EOF
for c in dotdot deep-dotdot symlink-etc symlink-out symlink-rel hardlink-out whiteout-through-symlink opaque-through-symlink; do
    out=$(mi import "$T/evil-$c.tar" 2>&1); rc=$?
    check_match "malicious tar refused: $c" "$rc:$out" '^1:mydocker: '
done
aid=$(mi import "$T/evil-absolute.tar" 2>&1)
check_match "absolute path imported below the layer root" "$aid" '^sha256:'
al=$S/layers/$(blob "$aid" | jq_ 'd["rootfs"]["diff_ids"][0][7:]' | tr -d '"')
check "absolute path landed inside the layer" test -f "$al/tmp/mydocker-evil-$UNIQ"
check_eq "nothing written outside" \
    "$(ls -A "$T/outside")$(ls /tmp/mydocker-evil-"$UNIQ" /etc/mydocker-evil-"$UNIQ" 2>/dev/null)$(find "$T" -name evil -not -path "$T/outside" | wc -l)" "0"
check_eq "failed imports leave no temp files" \
    "$(count "$S/layers" -name '.tmp-*')$(count "$S/blobs/sha256" -name '.tmp-*')" 00
check_eq "no stray files next to layers" "$(ls -A "$S/layers" | grep -cvE '^[0-9a-f]{64}$')" 0

# ---- rmi and garbage collection ----
out=$(mi rmi nope 2>&1); rc=$?
check_eq "rmi of a missing image" "$rc:$out" "1:mydocker: No such image: nope"
out=$(mi rmi "${hex:0:12}" 2>&1); rc=$?
check_match "rmi by id of a multiply tagged image needs -f" "$rc:$out" \
    "^1:mydocker: conflict: unable to delete ${hex:0:12} \(must be forced\) - image is referenced in multiple repositories$"
check_eq "rmi of one tag untags" "$(mi rmi localhost:5000/team/small)" "Untagged: localhost:5000/team/small:latest"
cid=c0ffee$UNIQ
mkdir -p "$MYDOCKER_ROOT/containers/$cid"
echo "{\"id\":\"$cid\",\"image_id\":\"$wid\"}" >"$MYDOCKER_ROOT/containers/$cid/container.json"
out=$(mi rmi "${wid:7:12}" 2>&1); rc=$?
check_match "image used by a container" "$rc:$out" "^1:mydocker: conflict: unable to delete ${wid:7:12} \(must be forced\) - image is being used by stopped container ${cid:0:12}$"
out=$(mi rmi wh 2>&1); rc=$?
check_eq "rmi of the last name of a used image: docker's conflict, exit 1" "$rc:$out" \
    "1:mydocker: conflict: unable to remove repository reference \"wh\" (must force) - container ${cid:0:12} is using its referenced image ${wid:7:12}"
check_match "... and the name stays" "$(mi images wh 2>&1)" "^REPOSITORY.*"$'\n'"wh "
check_eq "rmi -f of a used image (a stopped container is a soft conflict: untagged and deleted)" \
    "$(mi rmi -f wh 2>&1 | tr '\n' '|')" "Untagged: wh:latest|Deleted: $wid|"
check "its layer stays for the container" test -d "$wl"
rm -rf "$MYDOCKER_ROOT/containers"
mkdir -p "$S/layers/.tmp-999999999-stale" "$S/layers/.tmp-$$-live"
out=$(mi rmi -f $(mi images -q --no-trunc | sort -u) 2>&1); rc=$?
check_eq "rmi -f of everything" "$rc" 0
check_match "rmi prints Untagged then Deleted" "$out" "Untagged: small:v1.*Deleted: $id"
check_eq "images empty" "$(mi images)" "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE"
check_eq "repositories.json empty" "$(python3 -c "import json; print(json.load(open('$S/repositories.json')))")" "{}"
check_eq "GC removed every blob" "$(count "$S/blobs/sha256")" 0
check_eq "GC removed every layer and dead temps, kept live temps" "$(ls -A "$S/layers")" ".tmp-$$-live"
summary
