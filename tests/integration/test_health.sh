#!/usr/bin/env bash
# Healthchecks (issue 14): --health-* flags, docker's state machine in State.Health (starting,
# unhealthy after Retries failures, healthy on a success, start period, timeouts, the last 5
# results), ps's "(healthy)" and health= filter, probes of foreground and detached containers,
# a new runner per start, and no runner left once the container is gone.
. "$(dirname "$0")/lib.sh"
setup_image
N=mdhc-$UNIQ
at_exit "md rm -f $N-a $N-t $N-s $N-r $N-n >/dev/null 2>&1"
runners() { pgrep -f "[h]ealth-run $1" | wc -l; }   # ID ([h]: not the pgrep's own shell)
health() { md inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null; }

# -------------------------------------------------------------- starting -> unhealthy -> healthy
md run -d --name $N-a --network none --health-cmd 'test -f /tmp/ok' --health-interval 300ms \
    --health-retries 2 "${IMG[@]}" sh -c 'sleep 100' >/dev/null
id=$(md inspect -f '{{.Id}}' $N-a)
check_eq "Config.Healthcheck from the flags" \
    "$(md inspect -f '{{json .Config.Healthcheck}}' $N-a)" '{"Test":["CMD-SHELL","test -f /tmp/ok"],"Interval":300000000,"Retries":2}'
check_eq "a new container is starting" "$(health $N-a)" starting
check_match "ps: (health: starting)" "$(md ps -f name=$N-a --format '{{.Status}}')" '^Up .* \(health: starting\)$'
check_eq "one runner for it" "$(runners "$id")" 1
wait_for 10 sh -c "[ \"\$($MYDOCKER inspect -f '{{.State.Health.Status}}' $N-a)\" = unhealthy ]"
check_eq "after Retries failures: unhealthy" "$(health $N-a)" unhealthy
check_match "... FailingStreak counts them" "$(md inspect -f '{{.State.Health.FailingStreak}}' $N-a)" '^[2-9][0-9]*$'
check_match "ps: (unhealthy)" "$(md ps -f name=$N-a --format '{{.Status}}')" '\(unhealthy\)$'
check_eq "ps -f health=unhealthy" "$(md ps -q -f health=unhealthy -f name=$N-a)" "${id:0:12}"
md exec $N-a touch /tmp/ok
wait_for 10 sh -c "[ \"\$($MYDOCKER inspect -f '{{.State.Health.Status}}' $N-a)\" = healthy ]"
check_eq "one success: healthy" "$(health $N-a)" healthy
check_eq "... streak reset" "$(md inspect -f '{{.State.Health.FailingStreak}}' $N-a)" 0
check_match "ps: (healthy)" "$(md ps -f name=$N-a --format '{{.Status}}')" '\(healthy\)$'
check_eq "ps -f health=healthy" "$(md ps -q -f health=healthy -f name=$N-a)" "${id:0:12}"
check_eq "events: health_status on each change of status" \
    "$(md events --since 5m --until 0s -f container=$id -f event=health_status --format '{{.Action}}' | tr '\n' ',')" \
    "health_status: unhealthy,health_status: healthy,"
sleep 2
check_eq "the log keeps the last 5 results" "$(md inspect -f '{{len .State.Health.Log}}' $N-a)" 5
check_eq "... each with docker's fields" \
    "$(md inspect -f '{{range .State.Health.Log}}{{if and .Start .End}}{{.ExitCode}}{{end}}{{end}}' $N-a)" 00000
md stop -t 0 $N-a >/dev/null
wait_for 5 sh -c "[ \$(pgrep -f '[h]ealth-run $id' | wc -l) -eq 0 ]"
check_eq "stopped: the runner ends with the container" "$(runners "$id")" 0
check_eq "stopped: ps -f health=healthy lists it no more" "$(md ps -aq -f health=healthy -f name=$N-a)" ""
md start $N-a >/dev/null
check_eq "started again: starting, a new runner" "$(health $N-a) $(runners "$id")" "starting 1"
md rm -f $N-a >/dev/null
wait_for 5 sh -c "[ \$(pgrep -f '[h]ealth-run $id' | wc -l) -eq 0 ]"
check_eq "removed: no runner left" "$(runners "$id")" 0

# -------------------------------------------------------------- output, timeout, start period
md run -d --name $N-t --network none --health-cmd 'echo to-out; echo to-err >&2; sleep 5' \
    --health-timeout 300ms --health-interval 500ms --health-retries 1 "${IMG[@]}" sleep 100 >/dev/null
wait_for 10 sh -c "[ \"\$($MYDOCKER inspect -f '{{.State.Health.Status}}' $N-t)\" = unhealthy ]"
check_eq "a check over --health-timeout: exit -1, docker's message" \
    "$(md inspect -f '{{with index .State.Health.Log 0}}{{.ExitCode}} {{.Output}}{{end}}' $N-t)" \
    "-1 Health check exceeded timeout (300ms)"
md rm -f $N-t >/dev/null
md run -d --name $N-s --network none --health-cmd 'echo out; echo err >&2; exit 1' --health-interval 5s \
    --health-start-period 30s --health-start-interval 300ms --health-retries 1 "${IMG[@]}" sleep 100 >/dev/null
wait_for 10 sh -c "[ \"\$($MYDOCKER inspect -f '{{len .State.Health.Log}}' $N-s)\" -ge 2 ]"
check_eq "within the start period failures do not count (and --health-start-interval applies)" \
    "$(md inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' $N-s)" "starting 0"
check_eq "the output is stdout and stderr" "$(md inspect -f '{{(index .State.Health.Log 0).Output}}' $N-s)" "out
err"
md rm -f $N-s >/dev/null

# -------------------------------------------------------------- foreground runs, --no-healthcheck
md run --rm --name $N-r --network none --health-cmd true --health-interval 200ms "${IMG[@]}" sleep 2 &
fg=$!
wait_for 5 sh -c "$MYDOCKER ps -f name=$N-r --format '{{.Status}}' | grep -q '(healthy)'"
check_match "a foreground run is probed too" "$(md ps -f name=$N-r --format '{{.Status}}')" '\(healthy\)$'
fid=$(md inspect -f '{{.Id}}' $N-r)
check_eq "... by one runner" "$(runners "$fid")" 1
wait $fg
wait_for 5 sh -c "[ \$(pgrep -f '[h]ealth-run $fid' | wc -l) -eq 0 ]"
check_eq "... which ended with it" "$(runners "$fid")" 0
md create --name $N-n --no-healthcheck --network none "${IMG[@]}" true >/dev/null
check_eq "--no-healthcheck: Test NONE" "$(md inspect -f '{{json .Config.Healthcheck.Test}}' $N-n)" '["NONE"]'
md start $N-n >/dev/null
check_eq "... no State.Health" "$(md inspect -f '{{.State.Health}}' $N-n)" "<no value>"
md rm -f $N-n >/dev/null

# -------------------------------------------------------------- refusals
check_rc "--no-healthcheck with --health-cmd: 125" 125 md run --rm --no-healthcheck --health-cmd x "${IMG[@]}" true
check_eq "... docker's words" "$(md run --rm --no-healthcheck --health-cmd x "${IMG[@]}" true 2>&1)" \
    "mydocker: --no-healthcheck conflicts with --health-* options"
check_eq "a bad duration: Go's words" "$(md run --rm --health-interval 5x "${IMG[@]}" true 2>&1)" \
    "mydocker: invalid argument \"5x\" for \"--health-interval\" flag: time: invalid duration \"5x\""
check_eq "a negative interval" "$(md run --rm --health-interval -1s "${IMG[@]}" true 2>&1)" \
    "mydocker: --health-interval cannot be negative"
check_eq "ps -f health=bogus" "$(md ps -f health=bogus 2>&1)" "mydocker: invalid filter 'health=bogus'"
summary
