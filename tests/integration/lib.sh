# Helpers for bash integration tests. Source it:  . "$(dirname "$0")/lib.sh"
#
#   ok NAME / fail NAME DETAIL      count a result ("ok - NAME" / "FAIL - NAME: DETAIL")
#   check NAME CMD...               passes when CMD exits 0
#   check_not NAME CMD...           passes when CMD exits non-zero
#   check_eq NAME GOT WANT          passes when the two strings are equal
#   check_rc NAME WANT CMD...       passes when CMD exits with status WANT
#   check_match NAME GOT REGEX      passes when GOT matches the (bash, extended) REGEX
#   summary                         prints "N passed, N failed" and exits 0 / 1
#   IMG=(...)                       what to put in the IMAGE position: (busybox) when the
#                                   image exists, else (--rootfs DIR) with a rootfs built
#                                   here from the host's busybox; "${IMG[@]}" CMD works for both
#   UNIQ                            a unique suffix (includes $$) for names
#   at_exit CMD                     run CMD (a string for eval) when the test exits
#   md ARGS...                      "$MYDOCKER" ARGS...
#
# MYDOCKER_TEST_MODE=image|rootfs forces one of the two (default: image when present).
set -u
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LIB_DIR/../.." && pwd)
MYDOCKER=${MYDOCKER:-$REPO_DIR/build/mydocker}
STATE_DIR=/var/lib/mydocker/containers
UNIQ="t$$-${RANDOM}"
PASS=0
FAILED=0
_AT_EXIT=()

md() { "$MYDOCKER" "$@"; }

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
fail() {
    FAILED=$((FAILED + 1))
    local d=${2:-}
    # keep details on a few lines; the runner shows every line that is not "ok "
    d=$(printf '%s' "$d" | head -c 600 | tr '\n' '|' | cat -v)
    echo "FAIL - $1${d:+: $d}"
}

check() {
    local name=$1; shift
    local out rc
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -eq 0 ]; then ok "$name"; else fail "$name" "exit $rc: $out"; fi
}
check_not() {
    local name=$1; shift
    local out rc
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -ne 0 ]; then ok "$name"; else fail "$name" "expected failure, got exit 0: $out"; fi
}
check_eq() {
    if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "got [$2] want [$3]"; fi
}
check_match() {
    if [[ "$2" =~ $3 ]]; then ok "$1"; else fail "$1" "got [$2] want match of /$3/"; fi
}
# check_same NAME GOT WANT: like check_eq for multi-line text; on failure shows the diff
check_same() {
    if [ "$2" == "$3" ]; then ok "$1"; else
        fail "$1" "$(diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") | grep '^[<>]' | head -n 8)"
    fi
}
check_rc() {
    local name=$1 want=$2; shift 2
    local out rc
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$name"; else fail "$name" "exit $rc want $want: $out"; fi
}

summary() {
    echo "$PASS passed, $FAILED failed"
    [ "$FAILED" -eq 0 ] && exit 0
    exit 1
}

at_exit() { _AT_EXIT+=("$1"); }
_run_at_exit() {
    local i
    for ((i = ${#_AT_EXIT[@]} - 1; i >= 0; i--)); do eval "${_AT_EXIT[$i]}" >/dev/null 2>&1; done
}
trap _run_at_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# mk_rootfs DIR: the same tree scripts/mkbusybox.sh imports as the busybox image
mk_rootfs() { "$REPO_DIR/scripts/busybox-rootfs.sh" "$1" >/dev/null; }

ROOTFS=
setup_image() {
    local mode=${MYDOCKER_TEST_MODE:-}
    if [ -z "$mode" ]; then
        if [ -n "$("$MYDOCKER" images -q busybox 2>/dev/null)" ]; then mode=image; else mode=rootfs; fi
    fi
    if [ "$mode" = image ]; then
        IMG=(busybox)
    else
        ROOTFS=$(mktemp -d "/tmp/mydocker-rootfs.$UNIQ.XXXX")
        at_exit "rm -rf '$ROOTFS'"
        mk_rootfs "$ROOTFS" || { echo "FAIL - cannot build a rootfs in $ROOTFS"; echo "0 passed, 1 failed"; exit 1; }
        IMG=(--rootfs "$ROOTFS")
    fi
    IMG_MODE=$mode
    echo "# image mode: $mode (${IMG[*]})"
}

# the host's mount table without mount ids (which change on any remount)
mounts_snapshot() { awk '{ $1 = ""; $2 = ""; print }' /proc/self/mountinfo | sort; }
state_snapshot() { ls -1 "$STATE_DIR" 2>/dev/null | sort; }

# children_of PID: the pids of PID's direct children (from /proc/*/stat)
children_of() {
    local want=$1 s rest f
    for s in /proc/[0-9]*/stat; do
        read -r rest 2>/dev/null <"$s" || continue
        rest=${rest##*) }   # drop "pid (comm) "; the comm may contain spaces
        read -r -a f <<<"$rest"
        if [ "${f[1]:-}" = "$want" ]; then s=${s#/proc/}; echo "${s%/stat}"; fi
    done
}

# wait_for SECONDS CMD...: poll CMD every 0.05 s until it succeeds
# err_case NAME CODE WANT_STDERR CMD...: the exit code and the whole stderr (test_lifecycle.sh
# has a variant of its own that matches a pattern)
err_case() {
    local name=$1 want_rc=$2 want=$3; shift 3
    local out rc
    out=$("$@" 2>&1 >/dev/null); rc=$?
    check_eq "$name: exit $want_rc" "$rc" "$want_rc"
    check_eq "$name: message" "$out" "$want"
}

wait_for() {
    local t=$1 i; shift
    for ((i = 0; i < t * 20; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
    return 1
}

# container_pid1 MDPID [COMM|any]: wait (up to 5 s) for mydocker MDPID's child (the container's
# PID 1) to have exec'd: its comm is COMM, or (any) it is no longer mydocker's child-before-exec
# (for --init, whose PID 1 is the init itself: any child that has a child of its own). Prints it.
container_pid1() {
    local mdpid=$1 want=${2:-} i c
    for ((i = 0; i < 100; i++)); do
        for c in $(children_of "$mdpid"); do
            if [ "$want" = any ]; then
                [ -n "$(children_of "$c")" ] && { echo "$c"; return 0; }
            elif [ -z "$want" ] || [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$want" ]; then
                echo "$c"; return 0
            fi
        done
        sleep 0.05
    done
    return 1
}

# cid_of_name NAME: the id of the container named NAME (from its container.json), if any
cid_of_name() {
    local f
    f=$(grep -lE "\"Name\": *\"/$1\"" "$STATE_DIR"/*/container.json 2>/dev/null | head -n 1)
    [ -n "$f" ] || return 1
    basename "$(dirname "$f")"
}
