#!/usr/bin/env bash
# commit: a container's changes (file added, changed, deleted, directory replaced) become a
# layer with OCI whiteouts; -m/-a/-c; the new image runs with the changes, the parent is
# unchanged; a running container can be committed; bad input fails cleanly.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/reglib.sh"
if [ "$(id -u)" -ne 0 ]; then echo "FAIL - needs root"; echo "0 passed, 1 failed"; exit 1; fi
T=$(mktemp -d /tmp/mydocker-commit-test.XXXXXX)
at_exit "rm -rf '$T'"
S=${MYDOCKER_ROOT:-/var/lib/mydocker}/image
BASE=commit-base-$UNIQ:1
NEW=commit-new-$UNIQ:1
C1=commit1-$UNIQ
C2=commit2-$UNIQ
at_exit "md rm -f $C1 $C2; md rmi -f $NEW commit-run-$UNIQ:1 $BASE"
image_id() { md images -q --no-trunc "$1" | head -n 1; }
cfg_of() { cat "$S/blobs/sha256/$(image_id "$1" | cut -c8-)"; }
py() { python3 -c "$1"; }

mk_busybox_tar "$T/bb.tar"
base_id=$(md import -c 'CMD ["sh"]' "$T/bb.tar" "$BASE")
check_match "base image imported" "$base_id" '^sha256:[0-9a-f]{64}$'
base_cfg=$(cfg_of "$BASE")

md run --name "$C1" -e FOO=bar "$BASE" sh -c '
    echo added >/added; echo changed >>/etc/passwd; rm /etc/group
    rm -rf /home; mkdir -p /home/new; echo n >/home/new/file' >/dev/null 2>&1
check_eq "container ran" "$?" 0
out=$(md commit -m "my message" -a "Ann Author <a@b>" -c 'CMD ["cat","/added"]' -c 'ENV ADDED=1' "$C1" "$NEW" 2>&1)
check_match "commit prints the new id" "$out" '^sha256:[0-9a-f]{64}$'
new_id=$out
check_eq "the new image is tagged" "$(image_id "$NEW")" "$new_id"
check_eq "id is the sha256 of the config" "sha256:$(sha256sum "$S/blobs/sha256/${new_id#sha256:}" | cut -c1-64)" "$new_id"

cfg=$(cfg_of "$NEW")
check_eq "one more diff_id" "$(py "import json,sys; print(len(json.loads(sys.argv[1])['rootfs']['diff_ids']))" "$cfg" 2>/dev/null || echo "$cfg" | py "import json,sys; print(len(json.load(sys.stdin)['rootfs']['diff_ids']))")" 2
check_eq "Cmd from -c" "$(echo "$cfg" | py "import json,sys; print(json.load(sys.stdin)['config']['Cmd'])")" "['cat', '/added']"
check_eq "Env: container's -e, the change, no engine HOSTNAME" \
    "$(echo "$cfg" | py "import json,sys; e=json.load(sys.stdin)['config']['Env']; print(sorted(x.split('=')[0] for x in e))")" \
    "['ADDED', 'FOO', 'PATH']"
check_eq "author and comment" "$(echo "$cfg" | py "import json,sys; c=json.load(sys.stdin); print(c['author'], '|', c['history'][-1]['comment'], '|', c['history'][-1]['author'])")" \
    "Ann Author <a@b> | my message | Ann Author <a@b>"
check_match "history created_by is the container's command" "$(echo "$cfg" | py "import json,sys; print(json.load(sys.stdin)['history'][-1]['created_by'])")" "^sh -c"

diff_id=$(echo "$cfg" | py "import json,sys; print(json.load(sys.stdin)['rootfs']['diff_ids'][-1])")
layer_tar=$S/blobs/sha256/${diff_id#sha256:}
check "the new layer's blob is its uncompressed tar" test "sha256:$(sha256sum "$layer_tar" | cut -c1-64)" = "$diff_id"
names=$(tar -tf "$layer_tar")
check "layer: added file" grep -qx added <<<"$names"
check "layer: changed file" grep -qx etc/passwd <<<"$names"
check "layer: deletion is a .wh. file" grep -qx etc/.wh.group <<<"$names"
check "layer: replaced dir is opaque" grep -qx home/.wh..wh..opq <<<"$names"
check "layer: new dir content" grep -qx home/new/file <<<"$names"
check "layer: no char-device whiteouts" test -z "$(tar -tvf "$layer_tar" | grep '^c')"
check "layer: engine mount points left out" test -z "$(grep -xE 'etc/(hosts|hostname|resolv.conf)' <<<"$names")"
check "layer dir unpacked with overlay whiteouts" test -c "$S/layers/${diff_id#sha256:}/etc/group"

check_eq "committed image runs its new Cmd" "$(md run --rm "$NEW" 2>&1)" "added"
check_eq "committed image: deleted file absent" "$(md run --rm "$NEW" sh -c 'test -e /etc/group && echo present || echo absent')" absent
check_eq "committed image: replaced dir shows only new content" "$(md run --rm "$NEW" ls /home)" new
check_eq "committed image: changed file" "$(md run --rm "$NEW" tail -n 1 /etc/passwd)" changed
check_eq "parent image unchanged (config)" "$(cfg_of "$BASE")" "$base_cfg"
check_eq "parent image unchanged (files)" "$(md run --rm "$BASE" sh -c 'ls /etc/group; ls /home; test -e /added || echo noadded')" "/etc/group
user
noadded"
check_match "history lists the commit" "$(md history "$NEW")" "my message"

# ---- a running container ----
md run -d --name "$C2" "$BASE" sh -c 'echo live >/live; sleep 60' >/dev/null
wait_for 5 md exec "$C2" test -e /live
check "commit of a running container" md commit "$C2" "commit-run-$UNIQ:1"
check_eq "it has the running container's file" "$(md run --rm "commit-run-$UNIQ:1" cat /live 2>&1)" live
check "the container still runs" md exec "$C2" true

# ---- errors ----
check_rc "unknown container" 1 md commit "nosuch-$UNIQ"
check_rc "bad change" 1 md commit -c 'BOGUS x' "$C1"
check_rc "bad reference" 1 md commit "$C1" "Bad:Name"
check_eq "no temp files left" "$(find "$S" -name ".tmp-*" | wc -l)" 0
summary
