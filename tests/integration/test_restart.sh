#!/usr/bin/env bash
# Restart policies (issue 4): no, on-failure[:N], always, unless-stopped; RestartCount,
# docker's back-off, `stop`/`rm -f` end them, ps wording while restarting, bad values.
. "$(dirname "$0")/lib.sh"
setup_image

N() { echo "rs-$UNIQ-$1"; }
cleanup() {
    # by id, twice: a record a restart policy or a monitor wrote back after the first rm -f
    # (see the report) no longer answers to its name
    local ids i c
    ids=$(md ps -aq --no-trunc -f "name=rs-$UNIQ-" 2>/dev/null)
    for i in 1 2; do
        # shellcheck disable=SC2086
        md rm -f $ids >/dev/null 2>&1
        sleep 0.3
        ids=$(md ps -aq --no-trunc -f "name=rs-$UNIQ-" 2>/dev/null; for c in $ids; do [ -e "/var/lib/mydocker/containers/$c" ] && echo "$c"; done)
        [ -z "$ids" ] && break
    done
}
at_exit cleanup
insp() { md inspect -f "$1" "$2" 2>&1; }
runs() { md logs "$1" 2>/dev/null | grep -c '^run'; }
status_of() { md ps -a --no-trunc -f "id=$1" --format '{{.Status}}' 2>&1; }
# settled ID: exited, and still exited 0.4 s later (not between two runs)
settled() {
    [ "$(insp '{{.State.Status}}' "$1")" = exited ] || return 1
    sleep 0.4
    [ "$(insp '{{.State.Status}}' "$1")" = exited ]
}
is_running() { [ "$(md inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }

# ================================================================ on-failure:2
F=$(md run -d --name "$(N f2)" --restart on-failure:2 "${IMG[@]}" sh -c 'echo run; exit 3' 2>&1)
check_match "run -d --restart on-failure:2" "$F" '^[0-9a-f]{64}$'
check "on-failure:2: ends up exited" wait_for 10 settled "$F"
check_eq "on-failure:2: RestartCount 2" "$(insp '{{.RestartCount}}' "$F")" 2
check_eq "on-failure:2: 3 runs (a log line each)" "$(runs "$F")" 3
check_eq "on-failure:2: the last exit code" "$(insp '{{.State.ExitCode}}' "$F")" 3
check_match "on-failure:2: ps shows Exited (3)" "$(status_of "$F")" '^Exited \(3\) (Less than a second|[0-9]+ seconds?) ago$'
check_eq "on-failure:2: inspect RestartPolicy" "$(insp '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' "$F")" "on-failure:2"
sleep 1
check_eq "on-failure:2: no 4th run later" "$(runs "$F")" 3

# on-failure: a zero exit is not a failure
F0=$(md run -d --name "$(N f0)" --restart on-failure:2 "${IMG[@]}" sh -c 'echo run; exit 0' 2>&1)
wait_for 5 settled "$F0"
check_eq "on-failure:2 with exit 0: no restart" "$(runs "$F0") $(insp '{{.RestartCount}}' "$F0")" "1 0"
# on-failure without a count: restarts until success
FU=$(md run -d --name "$(N fu)" --restart on-failure "${IMG[@]}" sh -c 'echo run >> /tmp/n; echo run; [ $(wc -l < /tmp/n) -ge 3 ]' 2>&1)
check "on-failure (no max): ends up exited" wait_for 10 settled "$FU"
check_eq "on-failure (no max): restarts until the exit is 0 (3 runs, exit 0)" "$(runs "$FU") $(insp '{{.RestartCount}} {{.State.ExitCode}}' "$FU")" "3 2 0"
# no
NO=$(md run -d --name "$(N no)" --restart no "${IMG[@]}" sh -c 'echo run; exit 1' 2>&1)
wait_for 5 settled "$NO"
check_eq "--restart no: one run" "$(runs "$NO") $(insp '{{.RestartCount}}' "$NO")" "1 0"
ND=$(md run -d --name "$(N nd)" "${IMG[@]}" sh -c 'echo run; exit 1' 2>&1)
wait_for 5 settled "$ND"
check_eq "no --restart: one run, policy \"no\"" "$(runs "$ND") $(insp '{{.HostConfig.RestartPolicy.Name}}' "$ND")" "1 no"

# ================================================================ back-off
B=$(md run -d --name "$(N b)" --restart on-failure:4 "${IMG[@]}" sh -c 'echo run; exit 1' 2>&1)
check "on-failure:4: ends up exited" wait_for 15 settled "$B"
check_eq "on-failure:4: 5 runs" "$(runs "$B")" 5
gaps=$(md logs -t "$B" 2>/dev/null | python3 -c '
import sys, datetime
ts = []
for l in sys.stdin:
    t = l.split()[0]
    d = datetime.datetime.strptime(t[:26].rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
    ts.append(d.timestamp())
print(" ".join("%d" % ((b - a) * 1000) for a, b in zip(ts, ts[1:])))')
read -r -a g <<<"$gaps"
if [ "${#g[@]}" -eq 4 ]; then
    # docker: 100 ms, doubling: ~100 200 400 800 plus the start time
    [ "${g[0]}" -ge 90 ] && [ "${g[3]}" -ge 700 ] && [ "${g[3]}" -gt $((g[0] * 3)) ] && [ "${g[2]}" -gt "${g[1]}" ] \
        && ok "back-off doubles from 100 ms (gaps ${gaps} ms)" || fail "back-off doubles from 100 ms" "gaps $gaps ms"
else
    fail "back-off doubles from 100 ms" "gaps: [$gaps]"
fi

# ================================================================ always
A=$(md run -d --name "$(N a)" --restart always "${IMG[@]}" sh -c 'echo run; exit 0' 2>&1)
check "always: restarts after a zero exit" wait_for 5 sh -c "[ \$('$MYDOCKER' logs $A 2>/dev/null | grep -c '^run') -ge 3 ]"
check "always: RestartCount grows" test "$(insp '{{.RestartCount}}' "$A")" -ge 2
# catch it between two runs: Restarting (0) N seconds ago
seen=
for i in $(seq 1 60); do
    s=$(status_of "$A"); case "$s" in Restarting*) seen=$s; break ;; esac; sleep 0.05
done
check_match "always: ps wording between runs: Restarting (0) ... ago" "$seen" '^Restarting \(0\) (Less than a second|[0-9]+ seconds?) ago$'
check_eq "always: ps (no -a) lists a restarting container" "$(md ps -q --no-trunc -f "id=$A")" "$A"
out=$(md stop "$(N a)" 2>&1); rc=$?
check_eq "stop of a restarting container exits 0, prints the name" "$out $rc" "$(N a) 0"
n1=$(runs "$A")
sleep 3
n2=$(runs "$A")
check_eq "always: no run after stop (3 s later)" "$n2" "$n1"
check_eq "always: exited after stop" "$(insp '{{.State.Status}}' "$A")" exited
check_eq "always: a stopped container is not listed by ps" "$(md ps -q --no-trunc -f "id=$A")" ""

# always, long-running: killed from outside -> restarted; stop -> not restarted
A2=$(md run -d --name "$(N a2)" --restart always "${IMG[@]}" sh -c 'echo run; trap "exit 0" TERM; sleep 300 & wait' 2>&1)
wait_for 3 is_running "$A2"
p1=$(insp '{{.State.Pid}}' "$A2")
kill -9 "$p1"
check "always: PID 1 killed from the host -> running again" wait_for 5 sh -c "[ \"\$('$MYDOCKER' inspect -f '{{.State.Running}} {{.RestartCount}}' $A2)\" = 'true 1' ]"
p2=$(insp '{{.State.Pid}}' "$A2")
check "always: a new PID 1" test "$p2" != "$p1" -a "$p2" != 0
check_eq "always: 2 runs" "$(runs "$A2")" 2
check_eq "always: stop prints the name" "$(md stop "$(N a2)" 2>&1)" "$(N a2)"
sleep 1.5
check_eq "always: stopped by the user, not restarted" "$(insp '{{.State.Status}} {{.State.ExitCode}}' "$A2") $(runs "$A2")" "exited 0 2"
check_eq "always: start after stop works" "$(md start "$(N a2)" 2>&1)" "$(N a2)"
check "always: running after start" wait_for 3 is_running "$A2"
p3=$(insp '{{.State.Pid}}' "$A2")
kill -9 "$p3"
check "always: after a user start, the policy applies again" wait_for 5 sh -c "[ \$('$MYDOCKER' logs $A2 2>/dev/null | grep -c '^run') -ge 4 ] && [ \"\$('$MYDOCKER' inspect -f '{{.State.Running}}' $A2)\" = true ]"

# unless-stopped
US=$(md run -d --name "$(N us)" --restart unless-stopped "${IMG[@]}" sh -c 'echo run; sleep 0.3; exit 5' 2>&1)
check "unless-stopped: restarts after an exit" wait_for 5 sh -c "[ \$('$MYDOCKER' logs $US 2>/dev/null | grep -c '^run') -ge 2 ]"
md stop -t 1 "$(N us)" >/dev/null 2>&1
n1=$(runs "$US"); sleep 2; n2=$(runs "$US")
check_eq "unless-stopped: no run after stop" "$n2" "$n1"
check_eq "unless-stopped: exited after stop" "$(insp '{{.State.Status}}' "$US")" exited

# rm -f of a restarting container: gone for good
R=$(md run -d --name "$(N r)" --restart always "${IMG[@]}" sh -c 'echo run; exit 1' 2>&1)
wait_for 5 sh -c "[ \$('$MYDOCKER' logs $R 2>/dev/null | grep -c '^run') -ge 2 ]"
check_eq "rm -f of a restarting container" "$(md rm -f "$(N r)" 2>&1)" "$(N r)"
sleep 2
check "rm -f of a restarting container: not brought back" test ! -e "/var/lib/mydocker/containers/$R"
check_eq "rm -f of a restarting container: not in ps -a" "$(md ps -aq --no-trunc -f "id=$R")" ""
check_eq "rm -f of a restarting container: no runtime dir, no cgroup" "$(ls -d "/run/mydocker/containers/$R" /sys/fs/cgroup/*/mydocker/"$R" /sys/fs/cgroup/mydocker/"$R" 2>/dev/null)" ""

# the restart command on a policy container keeps the policy
K=$(md run -d --name "$(N k)" --restart on-failure:1 "${IMG[@]}" sh -c 'echo run; trap "exit 0" TERM; sleep 300 & wait' 2>&1)
wait_for 3 is_running "$K"
check_eq "restart of a policy container prints the name" "$(md restart -t 1 "$(N k)" 2>&1)" "$(N k)"
check "restart: running again" wait_for 3 is_running "$K"
check_eq "restart: the policy is unchanged" "$(insp '{{.HostConfig.RestartPolicy.Name}}' "$K")" "on-failure"

# ================================================================ bad values
err=$(md run -d --name "$(N x1)" --restart bogus "${IMG[@]}" true 2>&1); rc=$?
check_eq "--restart bogus: exit 125" "$rc" 125
check_eq "--restart bogus: one line" "$(grep -c . <<<"$err")" 1
check_rc "--restart on-failure:x: exit 125" 125 md run -d --name "$(N x2)" --restart on-failure:x "${IMG[@]}" true
check_rc "--restart on-failure:-1: exit 125" 125 md run -d --name "$(N x3)" --restart on-failure:-1 "${IMG[@]}" true
check_rc "--restart always:3 (a count only for on-failure): exit 125" 125 md run -d --name "$(N x4)" --restart always:3 "${IMG[@]}" true
err=$(md run -d --rm --name "$(N x5)" --restart always "${IMG[@]}" true 2>&1); rc=$?
check_eq "--rm with --restart always: exit 125" "$rc" 125
check_match "--rm with --restart always: docker's message" "$err" 'Conflicting options: --restart and --rm'
check_eq "bad values create no container" "$(md ps -aq -f "name=$(N x)")" ""

summary
