#!/usr/bin/env bash
# mydocker-runc against runc on the same bundles: what the container sees
# (ids, capabilities, mounts, /dev, env, limits, seccomp, masks, user
# namespace), exit statuses, the lifecycle's states and errors, hooks' order
# and exec. runc is the reference where it is installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/runc_lib.sh"
if ! command -v runc >/dev/null; then
    echo "ok - runc is not installed: nothing to compare with"
    summary
fi
runc_setup "$@"
REF() { runc --root "$RTMP/runc-state" "$@"; }
at_exit 'for d in "$RTMP"/runc-state/*/; do [ -d "$d" ] && runc --root "$RTMP/runc-state" delete --force "$(basename "$d")"; done'

B=$RTMP/b
ID=cmp-$UNIQ
# both NAME: run the bundle $B with both runtimes; compare output and status
both() {
    local name=$1 ours theirs rc1 rc2
    ours=$(R run --bundle "$B" "$ID" 2>&1 </dev/null); rc1=$?
    theirs=$(REF run --bundle "$B" "$ID" 2>&1 </dev/null); rc2=$?
    check_eq "$name: same exit status ($rc2)" "$rc1" "$rc2"
    if [ "${2:-}" != status-only ]; then check_eq "$name: same output" "$ours" "$theirs"; fi
}
# the container's view, minus what is known to differ by design (docs/oci-runtime.md):
# runc copies stdio through pipes where we pass the fds
VIEW='id; pwd; hostname; ulimit -n; ulimit -Hn; umask; cat /proc/self/oom_score_adj
grep -E "^(CapPrm|CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status
awk "{print \$2, \$3, \$4}" /proc/self/mounts | grep -v -e "^/ " | sed -e "s/,size=[0-9]*k//" -e "s/,inode64//" | sort
ls -la /dev | awk "{print \$1, \$3, \$4, \$5, \$6, \$NF}" | grep -v -e "^total" -e " \.\.\?$"
ls /sys/fs/cgroup; env | sort; wc -c </proc/timer_list; ls /sys/firmware | wc -l
touch /proc/sys/x 2>&1; touch /x 2>&1; cat /proc/self/uid_map'

mk_bundle "$B" sh -c "$VIEW"
both "runc's default spec"
cfg "$B" "
p = c['process']
p['user'] = {'uid': 1000, 'gid': 100, 'additionalGids': [10], 'umask': 23}
p['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': 100, 'hard': 200}]
p['oomScoreAdj'] = 200
p['env'].append('FOO=bar baz')
p['cwd'] = '/tmp'
c['root']['readonly'] = False"
both "user, rlimits, oomScoreAdj, env, cwd"
mk_bundle "$B" sh -c "$VIEW"
cfg "$B" "
c['mounts'] += [{'destination': '/data', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m', 'mode=751', 'nodev']},
                {'destination': '/etc/x', 'type': 'bind', 'source': '$RUNC_ROOTFS/etc', 'options': ['rbind', 'ro']}]
c['linux']['maskedPaths'] = ['/proc/timer_list', '/etc/x/group']
c['linux']['readonlyPaths'] = ['/proc/sys', '/data']
c['linux']['devices'] = [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229, 'fileMode': 438, 'uid': 0, 'gid': 5}]"
both "mounts, masked and read-only paths, devices"
mk_bundle "$B" sh -c 'mkdir /tmp/x 2>&1; head -c1 /dev/mem 2>&1 >/dev/null; echo $?'
cfg "$B" "
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO'}]}
c['linux']['devices'] = [{'path': '/dev/mem', 'type': 'c', 'major': 1, 'minor': 1, 'fileMode': 416}]"
both "seccomp EPERM, devices cgroup"
chmod 755 "$RTMP"
cp -a "$RUNC_ROOTFS" "$RTMP/urootfs" && chown -R 100000:100000 "$RTMP/urootfs"
mk_bundle "$B" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id; ls -ln / | awk "{print \$3, \$4, \$NF}"'
cfg "$B" "
c['root'] = {'path': '$RTMP/urootfs'}
c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['mounts'] = [m for m in c['mounts'] if m['type'] != 'cgroup']"
both "user namespace"
mk_bundle "$B" sh -c 'exit 3'
both "exit status 3" status-only
mk_bundle "$B" nosuchcmd
both "missing command" status-only
check_match "... both name it" "$(R run --bundle "$B" "$ID" 2>&1)" 'exec: "nosuchcmd": executable file not found in \$PATH'

# ---- hooks: same order ----
cat >"$RTMP/hook.sh" <<'H'
#!/bin/sh
echo "$1" >>"$HOOKLOG"
H
chmod +x "$RTMP/hook.sh"
mk_bundle "$B" true
cfg "$B" "c['hooks'] = {k: [{'path': '$RTMP/hook.sh', 'args': ['h', k], 'env': ['HOOKLOG=$RTMP/hooks.log']}]
  for k in ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop']}"
rm -f "$RTMP/hooks.log"; R run --bundle "$B" "$ID" >/dev/null 2>&1; ours=$(cat "$RTMP/hooks.log")
rm -f "$RTMP/hooks.log"; REF run --bundle "$B" "$ID" >/dev/null 2>&1; theirs=$(cat "$RTMP/hooks.log")
check_eq "hooks: the same order" "$(echo $ours)" "$(echo $theirs)"

# ---- lifecycle: states and errors step by step ----
mk_bundle "$B" sleep 1000
steps() { # the runtime's status after each step, and each step's exit status
    local X=$1 id=$ID-l
    "$X" create --bundle "$B" "$id" </dev/null >/dev/null 2>&1; echo "create $? $(st "$X" "$id")"
    "$X" create --bundle "$B" "$id" </dev/null >/dev/null 2>&1; echo "create-again $?"
    "$X" start "$id" >/dev/null 2>&1; echo "start $? $(st "$X" "$id")"
    "$X" start "$id" >/dev/null 2>&1; echo "start-again $?"
    "$X" pause "$id" >/dev/null 2>&1; echo "pause $? $(st "$X" "$id")"
    "$X" exec "$id" true >/dev/null 2>&1; echo "exec-paused $?"
    "$X" resume "$id" >/dev/null 2>&1; echo "resume $? $(st "$X" "$id")"
    "$X" resume "$id" >/dev/null 2>&1; echo "resume-again $?"
    echo "exec $("$X" exec "$id" sh -c 'echo $((2+3)); exit 4' 2>&1) $?"
    "$X" delete "$id" >/dev/null 2>&1; echo "delete-running $?"
    "$X" kill "$id" KILL >/dev/null 2>&1; echo "kill $?"
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ "$(st "$X" "$id")" = stopped ] && break; sleep 0.1; done
    echo "after-kill $(st "$X" "$id")"
    "$X" kill "$id" KILL >/dev/null 2>&1; echo "kill-stopped $?"
    "$X" exec "$id" true >/dev/null 2>&1; echo "exec-stopped $?"
    "$X" delete "$id" >/dev/null 2>&1; echo "delete $? $(st "$X" "$id")"
    "$X" delete "$id" >/dev/null 2>&1; echo "delete-missing $?"
    "$X" delete -f "$id" >/dev/null 2>&1; echo "delete-f-missing $?"
    "$X" create --bundle "$B" "$id" </dev/null >/dev/null 2>&1
    "$X" kill "$id" TERM >/dev/null 2>&1; echo "kill-created-TERM $?"
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ "$(st "$X" "$id")" = stopped ] && break; sleep 0.1; done
    echo "after-TERM $(st "$X" "$id")"
    "$X" delete "$id" >/dev/null 2>&1; echo "delete-created $?"
    "$X" state "$id" >/dev/null 2>&1; echo "state-missing $?"
}
st() { "$1" state "$2" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || echo none; }
ours=$(steps R); theirs=$(steps REF)
while IFS= read -r want && IFS= read -r got <&3; do
    check_eq "lifecycle step ${want%% *}" "$got" "$want"
done <<<"$theirs" 3<<<"$ours"

# ---- the state document has runc's keys ----
R create --bundle "$B" "$ID-s" </dev/null >/dev/null 2>&1
REF create --bundle "$B" "$ID-s" </dev/null >/dev/null 2>&1
keys() { python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)))'; }
check_eq "state: the same keys" "$(R state "$ID-s" | keys)" "$(REF state "$ID-s" | keys)"
R delete "$ID-s"; REF delete "$ID-s"
check_eq "no container left" "$(ls "$RROOT")" ""

summary
