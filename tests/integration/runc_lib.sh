# Helpers for the mydocker-runc tests (test_runc*.sh). Source after lib.sh.
#
#   runc_setup                  re-exec the test under a child subreaper (runc_subreaper.py):
#                               a container whose `create` exited is reparented to it and
#                               reaped, as containerd-shim and conmon do for runc
#   R ARGS...                   build/mydocker-runc --root $RROOT ARGS...
#   Rbg ARGS...                 the same, stdio to a file (create, run -d, exec -d)
#   mk_bundle DIR ARGS...       DIR/config.json from `mydocker-runc spec`, terminal off, the
#                               shared busybox rootfs ($RUNC_ROOTFS), process.args = ARGS
#   cfg DIR 'PYTHON'            edit DIR/config.json: PYTHON runs with c = the config
#   state_of ID                 the status field of `state ID` (or "none")
#   forget_cgroup_parent NAME   rmdir the parent cgroup NAME at exit if the test made it
#   console_recv SOCK OUT SEND  a background receiver of the pty master (runc_console.py);
#                               its pid in CONSOLE_PID
RUNC=${MYDOCKER_RUNC:-$REPO_DIR/build/mydocker-runc}

runc_setup() {
    if [ -z "${MD_RUNC_SUBREAPER:-}" ]; then
        MD_RUNC_SUBREAPER=1 exec python3 "$LIB_DIR/runc_subreaper.py" bash "$0" "$@"
    fi
    RTMP=$(mktemp -d "/tmp/mydocker-runc-test.$UNIQ.XXXX")
    RROOT=$RTMP/state
    RUNC_ROOTFS=$RTMP/rootfs
    at_exit "rm -rf '$RTMP'"
    # every container of this test, whatever state it was left in
    at_exit 'for d in "$RROOT"/*/; do [ -d "$d" ] && "$RUNC" --root "$RROOT" delete --force "$(basename "$d")"; done'
    mk_rootfs "$RUNC_ROOTFS" || { echo "FAIL - cannot build a rootfs"; echo "0 passed, 1 failed"; exit 1; }
}

R() { "$RUNC" --root "$RROOT" "$@"; }
# For commands that leave a process running (create, run -d, exec -d): it
# inherits our stdio, so never run them inside $(...) (which would wait for
# the container's end): output goes to $RTMP/bg.log.
Rbg() { "$RUNC" --root "$RROOT" "$@" </dev/null >>"$RTMP/bg.log" 2>&1; }

cfg() {
    python3 - "$1/config.json" "$2" <<'PY'
import json, sys
_path = sys.argv[1]
c = json.load(open(_path))
exec(sys.argv[2])
json.dump(c, open(_path, "w"), indent=1)
PY
}

mk_bundle() {
    local dir=$1; shift
    mkdir -p "$dir" && rm -f "$dir/config.json"
    R spec --bundle "$dir" || return 1
    local args
    args=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@")
    cfg "$dir" "c['process']['terminal'] = False; c['process']['args'] = $args; c['root']['path'] = '$RUNC_ROOTFS'; c['hostname'] = 'runc-test'"
}

state_of() {
    R state "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || echo none
}

# forget_cgroup_parent NAME: the engine under test makes the parent cgroup NAME (containerd's
# "default", podman's "libpod_parent" and its conmon/); remove them at exit (empty by then)
# unless NAME was there before
forget_cgroup_parent() {
    local d
    for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do [ -d "$d" ] && return 0; done
    at_exit "for d in /sys/fs/cgroup/*/'$1' /sys/fs/cgroup/'$1'; do [ -d \"\$d\" ] && find \"\$d\" -depth -type d -exec rmdir {} +; done"
}

console_recv() { # SOCK OUT SEND: sets CONSOLE_PID (call it directly, not in $(...))
    python3 "$LIB_DIR/runc_console.py" "$1" "$2" "$3" </dev/null >/dev/null 2>&1 &
    CONSOLE_PID=$!
    wait_for 5 test -S "$1"
}
