#!/usr/bin/env bash
# Signals sent to the mydocker process are forwarded to the container's PID 1; SIGKILL of
# mydocker takes the container down and the next run cleans up what was left.
. "$(dirname "$0")/lib.sh"
setup_image
out=$(mktemp); at_exit "rm -f '$out'"

# is_dead PID: gone or a zombie
is_dead() {
    local st
    st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    st=${st##*) }
    [ "${st%% *}" = Z ] || [ "${st%% *}" = X ]
}

# start_bg FLAGS... -- CMD...: mydocker run --rm FLAGS IMAGE CMD in the background, output in
# $out; sets MDPID. Job control on, so the job does not start with SIGINT/SIGQUIT ignored.
start_bg() {
    local flags=()
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    : >"$out"
    set -m
    "$MYDOCKER" run --rm "${flags[@]}" "${IMG[@]}" "$@" >"$out" 2>&1 &
    MDPID=$!
    set +m
}
wait_ready() { wait_for 5 grep -q ready "$out"; }
# finish: wait (at most 10 s) for MDPID; sets RC (or kills it and sets RC=timeout)
finish() {
    local i
    for ((i = 0; i < 200; i++)); do kill -0 "$MDPID" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$MDPID" 2>/dev/null; then
        kill -9 "$MDPID" 2>/dev/null; wait "$MDPID" 2>/dev/null; RC=timeout
    else
        wait "$MDPID"; RC=$?
    fi
}

TRAP_LOOP='trap "echo got $0; exit 42" $0; echo ready; while :; do sleep 0.1; done'

# ---------------------------------------------------------------- forwarding
for sig in TERM INT HUP USR1 USR2 QUIT; do
    start_bg -- sh -c "$TRAP_LOOP" "$sig"
    if wait_ready; then
        kill -"$sig" "$MDPID"
        finish
        check_eq "SIG$sig to mydocker reaches PID 1 (exit code)" "$RC" 42
        check_eq "SIG$sig to mydocker reaches PID 1 (output)" "$(tr '\n' ' ' <"$out")" "ready got $sig "
    else
        fail "SIG$sig to mydocker reaches PID 1" "container did not start: $(cat "$out")"
        kill -9 "$MDPID" 2>/dev/null; wait "$MDPID" 2>/dev/null
    fi
done

# twice: the first signal is handled, the container goes on, the second one too
start_bg -- sh -c 'n=0; trap "n=\$((n+1)); echo hup\$n; [ \$n = 2 ] && exit 7" HUP; echo ready; while :; do sleep 0.1; done'
if wait_ready; then
    kill -HUP "$MDPID"; wait_for 5 grep -q hup1 "$out"; kill -HUP "$MDPID"; finish
    check_eq "two SIGHUPs both forwarded" "$RC:$(tr '\n' ' ' <"$out")" "7:ready hup1 hup2 "
else fail "two SIGHUPs both forwarded" "did not start"; kill -9 "$MDPID"; wait "$MDPID" 2>/dev/null; fi

# --init forwards to the command
start_bg --init -- sh -c "$TRAP_LOOP" TERM
if wait_ready; then
    kill -TERM "$MDPID"; finish
    check_eq "--init: SIGTERM forwarded to the command" "$RC:$(tr '\n' ' ' <"$out")" "42:ready got TERM "
else fail "--init: SIGTERM forwarded to the command" "did not start"; kill -9 "$MDPID"; wait "$MDPID" 2>/dev/null; fi

# PID 1 without a handler ignores SIGTERM (kernel rule for a namespace's init, as in docker);
# mydocker must not die of it either
start_bg -- sh -c 'echo ready; exec sleep 2'
if wait_ready; then
    sleep 0.2
    kill -TERM "$MDPID"
    sleep 0.5
    check_eq "SIGTERM to a handler-less PID 1: mydocker still running" "$(kill -0 "$MDPID" 2>/dev/null && echo running)" "running"
    finish
    check_eq "SIGTERM to a handler-less PID 1: exits 0 when sleep ends" "$RC" 0
else fail "SIGTERM to a handler-less PID 1" "did not start"; kill -9 "$MDPID"; wait "$MDPID" 2>/dev/null; fi
# with --init, sleep is not PID 1 and dies of it: 128+15
start_bg --init -- sh -c 'echo ready; exec sleep 20'
if wait_ready; then
    sleep 0.2
    kill -TERM "$MDPID"; finish
    check_eq "--init: SIGTERM kills a handler-less command: 143" "$RC" 143
else fail "--init: SIGTERM kills a handler-less command" "did not start"; kill -9 "$MDPID"; wait "$MDPID" 2>/dev/null; fi

# mydocker started with SIGINT/SIGQUIT ignored (a background job of a script, or nohup):
# the container's command still starts with default dispositions (as under docker), and
# SIGINT sent to mydocker is still forwarded (Go's signal.Notify un-ignores it in docker's CLI)
: >"$out"
"$MYDOCKER" run --rm "${IMG[@]}" grep SigIgn /proc/self/status >"$out" 2>&1 &   # job control off (busybox sh -c itself ignores SIGQUIT: run grep directly)
wait $!
check_eq "started with SIGINT ignored: the container's signal dispositions are defaults" \
    "$(cut -f2 <"$out")" "0000000000000000"
: >"$out"
nohup "$MYDOCKER" run --rm "${IMG[@]}" grep SigIgn /proc/self/status >"$out" 2>/dev/null </dev/null
check_eq "under nohup: the container's SIGHUP is not ignored" "$(cut -f2 <"$out")" "0000000000000000"
: >"$out"
"$MYDOCKER" run --rm "${IMG[@]}" sh -c "$TRAP_LOOP" INT >"$out" 2>&1 &   # job control off: SIGINT ignored
MDPID=$!
if wait_ready; then
    kill -INT "$MDPID"; finish
    check_eq "started with SIGINT ignored: SIGINT still forwarded" "$RC:$(tr '\n' ' ' <"$out")" "42:ready got INT "
else fail "started with SIGINT ignored: SIGINT still forwarded" "did not start: $(cat "$out")"; kill -9 "$MDPID"; wait "$MDPID" 2>/dev/null; fi

# ---------------------------------------------------------------- SIGKILL of mydocker itself
mounts_before=$(mounts_snapshot)
for flags in "" "--init"; do
    name="k9-$UNIQ${flags:+-init}"
    start_bg --name "$name" $flags -- sh -c 'echo ready; exec sleep 60'
    label="kill -9 mydocker${flags:+ ($flags)}"
    if ! wait_ready; then
        fail "$label" "did not start: $(cat "$out")"; kill -9 "$MDPID"; wait "$MDPID" 2>/dev/null; continue
    fi
    cid=$(cid_of_name "$name")
    pids=$(children_of "$MDPID")
    for p in $pids; do pids+=" $(children_of "$p")"; done
    check_match "$label: the container's id is known" "$cid" '^[0-9a-f]{64}$'
    kill -9 "$MDPID"; wait "$MDPID" 2>/dev/null
    alive=
    for p in $pids; do wait_for 3 is_dead "$p" || alive+="$p($(cat /proc/$p/comm 2>/dev/null)) "; done
    check_eq "$label: the container's processes die too" "${pids:+found}:$alive" "found:"
    # the next run cleans up what the killed one could not
    md run --rm "${IMG[@]}" true >/dev/null 2>&1
    check_eq "$label: after the next run, no state dir left" "$(ls -d "$STATE_DIR/${cid:-none}" 2>/dev/null)" ""
    check_eq "$label: after the next run, nothing in /run/mydocker" "$(find /run/mydocker -name "${cid:-none}*" 2>/dev/null)" ""
    check_eq "$label: no host mount mentions it" "$(grep -c "${cid:-none}" /proc/self/mountinfo)" "0"
    check_rc "$label: its --name is free again" 0 md run --rm --name "$name" "${IMG[@]}" true
done
check_same "host mountinfo unchanged after the kills" "$(mounts_snapshot)" "$mounts_before"

summary
