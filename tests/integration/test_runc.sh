#!/usr/bin/env bash
# mydocker-runc's command line: the create/start/state/kill/delete lifecycle,
# run (-d, --keep, foreground status), exec (args, --process, -d, -t with a
# console socket), console sockets, pid files, list/ps/events/update/pause,
# spec/features, global flags, and every error exit non-zero with a message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/runc_lib.sh"
runc_setup "$@"

B=$RTMP/b1
ID=lc-$UNIQ

# ---- spec ----
mkdir -p "$RTMP/specdir"
check "spec writes config.json" R spec --bundle "$RTMP/specdir"
check_not "spec refuses to overwrite config.json" R spec --bundle "$RTMP/specdir"
check "spec is valid JSON with runc's shape" python3 -c "
import json; c = json.load(open('$RTMP/specdir/config.json'))
assert c['process']['args'] == ['sh'] and c['root']['path'] == 'rootfs'
assert {m['destination'] for m in c['mounts']} >= {'/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup'}
assert c['process']['capabilities']['bounding'] == ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']"
mkdir -p "$RTMP/rootless"
check "spec --rootless adds a user namespace with our ids" bash -c "
$RUNC spec --rootless --bundle '$RTMP/rootless' && python3 -c \"
import json; c = json.load(open('$RTMP/rootless/config.json'))
assert {'type': 'user'} in c['linux']['namespaces']
assert c['linux']['uidMappings'] == [{'containerID': 0, 'hostID': 0, 'size': 1}]
assert 'resources' not in c['linux']\""

# ---- create / state / start / kill / delete ----
mk_bundle "$B" sh -c 'trap "exit 3" TERM; echo started; while :; do sleep 0.1; done'
Rbg create --bundle "$B" --pid-file "$RTMP/pid" "$ID"; rc=$?
check_eq "create exits 0" "$rc" 0
check_eq "state: created" "$(state_of "$ID")" created
pid=$(cat "$RTMP/pid" 2>/dev/null)
check_match "pid file holds a pid, no newline" "$(od -c "$RTMP/pid" | head -1)" '^0000000 +[0-9 ]+$'
check_eq "state pid = pid file" "$(R state "$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')" "$pid"
check "state has ociVersion, id, bundle, created" python3 -c "
import json, subprocess
s = json.loads(subprocess.run(['$RUNC', '--root', '$RROOT', 'state', '$ID'], capture_output=True).stdout)
assert s['id'] == '$ID' and s['bundle'] == '$B' and s['ociVersion'] and s['created'].endswith('Z')"
check "the init waits before exec (not the user's program yet)" bash -c "! grep -q trap /proc/$pid/cmdline"
check_eq "create's process is gone, the init stays" "$(ps -o pid= -p "$pid" | tr -d ' ')" "$pid"
check_not "create of an existing id fails" R create --bundle "$B" "$ID"
check_match "... saying it exists" "$(R create --bundle "$B" "$ID" 2>&1)" "exists"
check_match "list shows it created" "$(R list)" "$ID +$pid +created"
check_eq "list -q" "$(R list -q)" "$ID"
check "list --format json" bash -c "R() { '$RUNC' --root '$RROOT' \"\$@\"; }; R list --format json | python3 -c 'import json,sys; l = json.load(sys.stdin); assert l[0][\"id\"] == \"$ID\" and l[0][\"status\"] == \"created\"'"
check "start" R start "$ID"
check_eq "state: running" "$(state_of "$ID")" running
check "the init exec'd the command" grep -q trap "/proc/$pid/cmdline"
check_not "start twice fails" R start "$ID"
check_match "ps --format json lists the init" "$(R ps --format json "$ID")" "\\[$pid(,[0-9]+)*\\]"
check_match "ps table" "$(R ps "$ID")" "root +$pid .*sh -c"
check_match "events --stats" "$(R events --stats "$ID")" '"type":"stats".*"pids":\{"current":[1-9]'
check "pause" R pause "$ID"
check_eq "state: paused" "$(state_of "$ID")" paused
check_match "the init is frozen" "$(cat /sys/fs/cgroup/freezer/mydocker-runc/"$ID"/freezer.state 2>/dev/null || echo FROZEN)" FROZEN
check_not "pause twice fails" R pause "$ID"
check "resume" R resume "$ID"
check_eq "state: running again" "$(state_of "$ID")" running
check "update --pids-limit" R update --pids-limit 42 "$ID"
check_eq "pids.max follows" "$(cat /sys/fs/cgroup/pids/mydocker-runc/"$ID"/pids.max)" 42
check "update --resources -" bash -c "echo '{\"memory\":{\"limit\":67108864}}' | '$RUNC' --root '$RROOT' update --resources - '$ID'"
check_eq "memory limit follows" "$(cat /sys/fs/cgroup/memory/mydocker-runc/"$ID"/memory.limit_in_bytes)" 67108864
check_not "update with an unsupported flag fails" R update --cpu-rt-runtime 5 "$ID"
check_not "delete of a running container without --force fails" R delete "$ID"
check_match "... with runc's message" "$(R delete "$ID" 2>&1)" "cannot delete container $ID that is not stopped: running"
check_not "kill with an unknown signal fails" R kill "$ID" NOSUCHSIG
check "kill (default SIGTERM)" R kill "$ID"
wait_for 5 bash -c "[ \"\$('$RUNC' --root '$RROOT' state '$ID' | grep -c stopped)\" = 1 ]"
check_eq "TERM stopped it: state stopped" "$(state_of "$ID")" stopped
check_match "stopped: pid 0" "$(R state "$ID")" '"pid": 0'
check_not "kill of a stopped container fails" R kill "$ID" KILL
check "delete a stopped container" R delete "$ID"
check_eq "state is gone" "$(state_of "$ID")" none
check_match "state of a missing container says so" "$(R state "$ID" 2>&1)" "does not exist"
check_not "delete of a missing container fails" R delete "$ID"
check "delete --force of a missing container succeeds (runc)" R delete --force "$ID"
check_not "its cgroup is gone" test -d "/sys/fs/cgroup/memory/mydocker-runc/$ID"

# ---- signals by name and number; kill --all; delete of a created container ----
mk_bundle "$B" sleep 1000
for s in 9 KILL SIGKILL sigkill; do
    Rbg create --bundle "$B" "$ID-s" && R start "$ID-s"
    check "kill with signal $s" R kill "$ID-s" "$s"
    wait_for 5 bash -c "[ \"\$('$RUNC' --root '$RROOT' state '$ID-s' | grep -c stopped)\" = 1 ]"
    check_eq "... stopped it" "$(state_of "$ID-s")" stopped
    R delete "$ID-s"
done
Rbg run -d --bundle "$B" "$ID-a"
Rbg exec -d "$ID-a" sleep 999
check "kill --all" R kill --all "$ID-a" KILL
wait_for 5 bash -c "[ \"\$('$RUNC' --root '$RROOT' state '$ID-a' | grep -c stopped)\" = 1 ]"
check_eq "kill --all stopped the container" "$(state_of "$ID-a")" stopped
R delete "$ID-a"
Rbg create --bundle "$B" "$ID-c"
check "delete of a created container (no --force needed)" R delete "$ID-c"
check_eq "... is gone" "$(state_of "$ID-c")" none

# ---- run ----
mk_bundle "$B" sh -c 'echo out; echo err >&2; exit 7'
out=$(R run --bundle "$B" "$ID-r" 2>"$RTMP/err"); rc=$?
check_eq "run: the container's exit status" "$rc" 7
check_eq "run: stdout inherited" "$out" out
check_eq "run: stderr inherited" "$(cat "$RTMP/err")" err
check_eq "run removes the container" "$(state_of "$ID-r")" none
R run --keep --bundle "$B" "$ID-k" >/dev/null 2>&1
check_eq "run --keep keeps it, stopped" "$(state_of "$ID-k")" stopped
check "... and delete removes it" R delete "$ID-k"
mk_bundle "$B" sleep 100
(R run --bundle "$B" "$ID-r" </dev/null >/dev/null 2>&1; echo $? >"$RTMP/rc") &
wait_for 5 bash -c "[ \"\$('$RUNC' --root '$RROOT' state '$ID-r' | grep -c running)\" = 1 ]"
R kill "$ID-r" KILL
wait
check_eq "run: killed by a signal is 128+N" "$(cat "$RTMP/rc")" 137
mk_bundle "$B" sh -c 'echo detached >/tmp/out; exec sleep 1000'
check "run -d" Rbg run -d --pid-file "$RTMP/pid2" --bundle "$B" "$ID-d"
check_eq "run -d: running" "$(state_of "$ID-d")" running
check_match "run -d: pid file" "$(cat "$RTMP/pid2")" '^[0-9]+$'
(cd "$RTMP" && Rbg run -d --bundle "$B" --pid-file rel.pid "$ID-rel")
check "a relative --pid-file is the caller's, not the bundle's" test -s "$RTMP/rel.pid"
R delete --force "$ID-rel"
mk_bundle "$B" nosuchcmd
out=$(R run --bundle "$B" "$ID-x" 2>&1); rc=$?
check_not "run of a missing command fails" test "$rc" -eq 0
check_match "... at create, with the lookup error" "$out" 'exec: "nosuchcmd": executable file not found in \$PATH'
check_eq "... and leaves no state" "$(state_of "$ID-x")" none
check_not "... nor a cgroup" test -d "/sys/fs/cgroup/memory/mydocker-runc/$ID-x"
mk_bundle "$B" sh
cfg "$B" "c['process']['terminal'] = True"
check_not "run -d of a terminal without --console-socket fails" R run -d --bundle "$B" "$ID-t"
mk_bundle "$B" true
check_not "--console-socket without a terminal fails" R create --console-socket "$RTMP/x.sock" --bundle "$B" "$ID-t"
check_eq "... leaving nothing" "$(state_of "$ID-t")" none
mk_bundle "$B" sh -c 'echo via-fd3 >&3'
R run --preserve-fds 1 --bundle "$B" "$ID-p" 3>"$RTMP/fd3" >/dev/null 2>&1
check_eq "--preserve-fds 1 passes fd 3" "$(cat "$RTMP/fd3")" via-fd3
mk_bundle "$B" sh -c 'ls /proc/self/fd | wc -l'
check_eq "without it, only fds 0-2 reach the container (+ ls's dir fd)" "$(R run --bundle "$B" "$ID-p" 3>"$RTMP/fd3" 2>/dev/null)" 4

# ---- exec ----
check_match "exec with args" "$(R exec "$ID-d" sh -c 'echo $((6*7)) $(hostname)')" "^42 runc-test$"
R exec "$ID-d" sh -c 'exit 5'; rc=$?
check_eq "exec: the process's exit status" "$rc" 5
check_match "exec joins the container's pid namespace" "$(R exec "$ID-d" ps -o pid,comm)" "1 sleep"
check_match "exec --env, --cwd, --user" "$(R exec --env FOO=bar --cwd /tmp --user 1000:100 "$ID-d" sh -c 'echo $FOO $PWD $(id -u) $(id -g)')" "^bar /tmp 1000 100$"
check_match "exec --cap adds a capability" "$(R exec --cap CAP_SYS_ADMIN "$ID-d" grep CapEff /proc/self/status)" "00000000a0200400|0000000000200000|20[0-9a-f]{4}"
check_match "exec --no-new-privs" "$(R exec --no-new-privs "$ID-d" grep NoNewPrivs /proc/self/status)" "1$"
cat >"$RTMP/proc.json" <<'J'
{"terminal": false, "user": {"uid": 2, "gid": 2}, "args": ["sh", "-c", "echo $X $(pwd) $(id -u)"],
 "env": ["PATH=/bin", "X=from-process-json"], "cwd": "/etc"}
J
check_eq "exec --process FILE" "$(R exec --process "$RTMP/proc.json" "$ID-d")" "from-process-json /etc 2"
check "exec -d --pid-file" Rbg exec -d --pid-file "$RTMP/epid" "$ID-d" sleep 777
epid=$(cat "$RTMP/epid" 2>/dev/null)
check_match "... the pid is the detached process" "$(cat /proc/"$epid"/cmdline 2>/dev/null | tr '\0' ' ')" "^sleep 777"
out=$(R exec "$ID-d" nosuchcmd 2>&1); rc=$?
check_not "exec of a missing command fails" test "$rc" -eq 0
check_match "... with the lookup error" "$out" "executable file not found"
rm -f "$RTMP/c.sock"
console_recv "$RTMP/c.sock" "$RTMP/c.out" 'tty; echo $((40+2)); exit'
check "exec -t --console-socket" R exec -t --console-socket "$RTMP/c.sock" "$ID-d" sh
wait "$CONSOLE_PID" 2>/dev/null
check_match "... the pty works (a tty, echo, output)" "$(tr -d '\r' <"$RTMP/c.out")" "/dev/pts/[0-9]+.*42"
check_not "exec -t -d without a console socket fails" R exec -t -d "$ID-d" sh
R kill "$ID-d" KILL; wait_for 5 bash -c "! '$RUNC' --root '$RROOT' exec '$ID-d' true"
check_match "exec in a stopped container fails" "$(R exec "$ID-d" true 2>&1)" "stopped"
R delete "$ID-d"

# ---- create with a console socket ----
mk_bundle "$B" sh
cfg "$B" "c['process']['terminal'] = True"
rm -f "$RTMP/c2.sock"
console_recv "$RTMP/c2.sock" "$RTMP/c2.out" 'echo hi-$((1+1)); exit 4'
check "create --console-socket" Rbg create --console-socket "$RTMP/c2.sock" --bundle "$B" "$ID-tt"
check "start" R start "$ID-tt"
wait "$CONSOLE_PID" 2>/dev/null
check_match "the receiver got the pty master (runc's SCM_RIGHTS message)" "$(head -1 "$RTMP/c2.out")" "^NAME /dev/ptmx"
check_match "... and a working shell on it" "$(tr -d '\r' <"$RTMP/c2.out")" "hi-2"
wait_for 5 bash -c "[ \"\$('$RUNC' --root '$RROOT' state '$ID-tt' | grep -c stopped)\" = 1 ]"
R delete "$ID-tt"

# ---- delete --force of a paused container; a created init's fds are closed to exec'd processes ----
mk_bundle "$B" sleep 1000
Rbg run -d --bundle "$B" "$ID-pz"
R pause "$ID-pz"
check "delete --force of a paused container" R delete --force "$ID-pz"
check_eq "... is gone" "$(state_of "$ID-pz")" none
check_not "... and so is its cgroup" test -d "/sys/fs/cgroup/freezer/mydocker-runc/$ID-pz"
Rbg create --bundle "$B" "$ID-cf"
check_match "created: the init's fds (host /proc, fifo) are not readable from the container" \
    "$(R exec "$ID-cf" ls -l /proc/1/fd/3 2>&1)" "Permission denied"
R delete "$ID-cf"

# ---- run in the foreground with a terminal: we relay it ----
mk_bundle "$B" sh
cfg "$B" "c['process']['terminal'] = True"
out=$(timeout 30 python3 - "$RUNC" "$RROOT" "$B" "$ID-fg" <<'PY'
import os, pty, select, sys, time
runc, root, bundle, cid = sys.argv[1:5]
pid, fd = pty.fork()
if pid == 0:
    os.execv(runc, [runc, "--root", root, "run", "--bundle", bundle, cid])
out = b""
def read(t):
    global out
    end = time.time() + t
    while time.time() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return
            if not d:
                return
            out += d
read(1)
os.write(fd, b"tty; ls -l /dev/console | cut -c1; echo $((40+2)); exit 6\r")
read(4)
_, st = os.waitpid(pid, 0)
print(out.decode(errors="replace").replace("\r", ""))
print("status", os.waitstatus_to_exitcode(st))
PY
)
check_match "run with a terminal: a pty" "$out" "/dev/pts/[0-9]+"
check_match "... /dev/console is the pty" "$out" $'\nc\n'
check_match "... the shell works" "$out" $'\n42\n'
check_match "... run exits with its status" "$out" "status 6"

# ---- global flags and errors ----
check_match "--version" "$("$RUNC" --version)" "^mydocker-runc version .*spec: 1\\.0"
check "features is JSON with the hooks" bash -c "'$RUNC' features | python3 -c 'import json,sys; f = json.load(sys.stdin); assert \"poststop\" in f[\"hooks\"] and \"user\" in f[\"linux\"][\"namespaces\"]'"
check_not "--systemd-cgroup is refused" R --systemd-cgroup list
check_match "... clearly" "$(R --systemd-cgroup list 2>&1)" "systemd cgroup driver is not supported"
check_not "checkpoint is refused" R checkpoint "$ID"
check_match "... as not supported" "$(R checkpoint "$ID" 2>&1)" "not supported"
check_not "restore is refused" R restore "$ID"
check_not "an unknown command fails" R frobnicate
check_not "an unknown flag fails" R create --frob "$ID"
check_not "a bad --log-format fails" R --log-format xml list
check_not "an invalid id fails" R state "../etc"
R --log "$RTMP/log.json" --log-format json state "missing-$UNIQ" 2>/dev/null
check "--log-format json writes the error as a JSON record" python3 -c "
import json; r = json.loads(open('$RTMP/log.json').read().splitlines()[-1])
assert r['level'] == 'error' and 'does not exist' in r['msg'] and r['time']"
R --log "$RTMP/log.txt" state "missing-$UNIQ" 2>/dev/null
check_match "--log text" "$(cat "$RTMP/log.txt")" 'level=error msg="container does not exist"'
cfg "$B" "c['linux']['intelRdt'] = {'closID': 'x'}"
check_match "an unsupported spec field is an error, not ignored" "$(R run --bundle "$B" "$ID-u" 2>&1)" "intelRdt is not supported"
check_eq "... leaving nothing" "$(state_of "$ID-u")" none
check_eq "no container left in the state dir" "$(ls "$RROOT")" ""
check_eq "no cgroup left" "$(ls /sys/fs/cgroup/memory/mydocker-runc/ 2>/dev/null | grep -c "$UNIQ")" 0

summary
