#!/usr/bin/env bash
# The runtime spec, field by field, through mydocker-runc: hooks (order,
# state on stdin, timeout, failure), user namespaces with mappings, joining a
# network namespace by path, seccomp, the devices cgroup, rlimits,
# oomScoreAdj, sysctl, masked/read-only paths, root.readonly, mounts
# (tmpfs options, bind ro, rro, cgroup), hostname/domainname, capabilities,
# noNewPrivileges, user/umask/additionalGids, personality, time offsets,
# and unsupported fields refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/runc_lib.sh"
runc_setup "$@"

B=$RTMP/b
ID=sp-$UNIQ
run_out() { R run --bundle "$B" "$ID" 2>&1; }

# ---- hooks ----
cat >"$RTMP/hook.sh" <<'H'
#!/bin/sh
# $1: hook kind; the state arrives on stdin
printf '%s %s\n' "$1" "$(cat)" >>"$HOOKLOG"
H
chmod +x "$RTMP/hook.sh"
mk_bundle "$B" sh -c 'echo main >>/hooklog-in-container; exit 0'
cfg "$B" "
h = lambda k: [{'path': '$RTMP/hook.sh', 'args': ['hook.sh', k], 'env': ['HOOKLOG=$RTMP/hooks.log']}]
c['hooks'] = {k: h(k) for k in ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop']}
c['hooks']['startContainer'] = [{'path': '/bin/sh', 'args': ['sh', '-c', 'cat >/dev/null; echo startContainer >/startmarker; [ -x /bin/busybox ]']}]
c['annotations'] = {'org.test': 'yes'}
c['root']['readonly'] = False"
rm -f "$RTMP/hooks.log"
Rbg create --bundle "$B" "$ID"
check_eq "after create: prestart, createRuntime, createContainer ran, in that order" \
    "$(cut -d' ' -f1 "$RTMP/hooks.log" | tr '\n' ' ')" "prestart createRuntime createContainer "
pid=$(R state "$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
check "hooks get the state on stdin (id, status creating, pid, bundle, annotations)" python3 -c "
import json
for line in open('$RTMP/hooks.log'):
    kind, st = line.split(' ', 1)
    s = json.loads(st)
    # the pid as seen where the hook runs: the host's for prestart/createRuntime,
    # the container's (1, a new pid namespace) for createContainer
    assert s['pid'] == (1 if kind == 'createContainer' else $pid), s
    assert s['id'] == '$ID' and s['bundle'] == '$B' and s['status'] == 'creating', s
    assert s['annotations'] == {'org.test': 'yes'} and s['ociVersion'], s"
check "start" R start "$ID"
check_eq "start: poststart after the rest" "$(cut -d' ' -f1 "$RTMP/hooks.log" | tail -1)" poststart
check_eq "startContainer ran inside the container (its paths), before the command" \
    "$(cat "$RUNC_ROOTFS/startmarker" 2>/dev/null)" startContainer
rm -f "$RUNC_ROOTFS/startmarker" "$RUNC_ROOTFS/hooklog-in-container"
wait_for 5 bash -c "[ \"\$('$RUNC' --root '$RROOT' state '$ID' | grep -c stopped)\" = 1 ]"
R delete "$ID"
check_eq "delete: poststop last, with status stopped" "$(tail -1 "$RTMP/hooks.log" | cut -d' ' -f1)" poststop
check_match "... its state says stopped" "$(tail -1 "$RTMP/hooks.log")" '"status":"stopped"'
cfg "$B" "c['hooks'] = {'createRuntime': [{'path': '/bin/false'}], 'poststop': [{'path': '$RTMP/hook.sh', 'args': ['x', 'poststop-after-failure'], 'env': ['HOOKLOG=$RTMP/hooks.log']}]}"
out=$(run_out); rc=$?
check_not "a failing createRuntime hook fails the create" test "$rc" -eq 0
check_match "... naming the hook" "$out" "createRuntime hook #0.*/bin/false failed: exit status 1"
check_match "... and poststop hooks still run" "$(tail -1 "$RTMP/hooks.log")" "^poststop-after-failure"
check_eq "... nothing left" "$(state_of "$ID")" none
cfg "$B" "c['hooks'] = {'prestart': [{'path': '/bin/sleep', 'args': ['sleep', '30'], 'timeout': 1}]}"
start=$(date +%s)
out=$(run_out)
check_match "a hook past its timeout is killed and fails the create" "$out" "timed out after 1 s"
check "... after about the timeout" test $(($(date +%s) - start)) -lt 10
# every hook gets the whole state on stdin, every time (a flaky miss was seen once): 25 runs,
# five kinds each, the runtime's own stdin closed as a service manager would leave it
mk_bundle "$B" true
cfg "$B" "
h = lambda k: [{'path': '$RTMP/hook.sh', 'args': ['hook.sh', k], 'env': ['HOOKLOG=$RTMP/hooks25.log']}]
c['hooks'] = {k: h(k) for k in ['prestart', 'createRuntime', 'poststart', 'poststop']}
c['hooks']['createContainer'] = [{'path': '/bin/sh', 'args': ['sh', '-c', 'cat >/dev/null']}]"
rm -f "$RTMP/hooks25.log"
for i in $(seq 25); do R run --bundle "$B" "$ID-h$i" <&- >/dev/null 2>&1; done
check "25 runs x 4 hooks: 100 records, each with the full state" python3 -c "
import json
lines = open('$RTMP/hooks25.log').read().splitlines()
assert len(lines) == 100, len(lines)
for line in lines:
    kind, st = line.split(' ', 1)
    s = json.loads(st)
    assert s['id'].startswith('$ID-h') and s['bundle'] == '$B' and s['ociVersion'], line"
cfg "$B" "c['hooks'] = {'prestart': [{'path': 'relative/hook'}]}"
check_match "a relative hook path is refused" "$(run_out)" "hooks.prestart\\[0\\]: path must be an absolute path"

# ---- user namespace ----
chmod 755 "$RTMP" # the namespace's root (uid 100000) must reach its rootfs
cp -a "$RUNC_ROOTFS" "$RTMP/userns-rootfs" && chown -R 100000:100000 "$RTMP/userns-rootfs"
mk_bundle "$B" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /tmp/made-inside; ls -ln /dev/null'
cfg "$B" "
c['root'] = {'path': '$RTMP/userns-rootfs'}
c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
out=$(run_out)
check_match "user namespace: uid_map as configured" "$out" "^ +0 +100000 +65536"
check_match "... root inside" "$out" $'\n0\n'
check_eq "... a file made inside belongs to the mapped uid on the host" "$(stat -c %u:%g "$RTMP/userns-rootfs/tmp/made-inside" 2>&1)" 100000:100000
check_match "... device nodes are the host's, bound (unmapped owner)" "$out" "crw-rw-rw- +1 65534 +65534 +1, +3 .*/dev/null"
# a second container joins the first one's user namespace by path (as pods share one)
cfg "$B" "c['process']['args'] = ['sleep', '100']"
Rbg run -d --bundle "$B" "$ID-ua"
upid=$(R state "$ID-ua" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
mk_bundle "$B" sh -c 'readlink /proc/self/ns/user; id -u; touch /tmp/made-by-joiner'
cfg "$B" "c['root'] = {'path': '$RTMP/userns-rootfs'}; c['linux']['namespaces'].append({'type': 'user', 'path': '/proc/$upid/ns/user'})"
out=$(run_out)
check_eq "user namespace joined by path: the same namespace, root in it" "$out" "$(readlink /proc/"$upid"/ns/user)"$'\n0'
check_eq "... its mapping applies to the files it makes" "$(stat -c %u "$RTMP/userns-rootfs/tmp/made-by-joiner" 2>&1)" 100000
cfg "$B" "c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 1, 'size': 1}]"
check_match "... with mappings of its own: an error" "$(run_out)" "joined by path"
R delete --force "$ID-ua"
mk_bundle "$B" true
cfg "$B" "c['linux']['namespaces'].append({'type': 'user'}); c['linux']['uidMappings'] = []"
check_match "a user namespace without uidMappings is an error" "$(run_out)" "needs linux.uidMappings"
cfg "$B" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'user']; c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 1, 'size': 1}]"
check_match "mappings without a user namespace are an error" "$(run_out)" "need a user namespace"
rm -rf "$RTMP/userns-rootfs"

# ---- a network namespace joined by path ----
unshare --net sleep 60 </dev/null >/dev/null 2>&1 &
nspid=$!
wait_for 5 bash -c "[ \"\$(readlink /proc/$nspid/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]"
mk_bundle "$B" readlink /proc/self/ns/net
cfg "$B" "c['linux']['namespaces'] = [n if n['type'] != 'network' else {'type': 'network', 'path': '/proc/$nspid/ns/net'} for n in c['linux']['namespaces']]"
check_eq "network namespace joined by path" "$(run_out)" "$(readlink /proc/$nspid/ns/net)"
# a new user namespace with that network namespace (Kubernetes' user-namespaced pods): it
# is joined before the user namespace exists, and sysfs, which a user namespace may only
# mount for a network namespace it owns, becomes a read-only bind of /sys
chmod 755 "$RTMP"
cp -a "$RUNC_ROOTFS" "$RTMP/un-rootfs" && chown -R 100000:100000 "$RTMP/un-rootfs"
mk_bundle "$B" sh -c 'readlink /proc/self/ns/net; id -u; grep " /sys " /proc/self/mounts'
cfg "$B" "c['root'] = {'path': '$RTMP/un-rootfs'}
c['linux']['namespaces'] = [n if n['type'] != 'network' else {'type': 'network', 'path': '/proc/$nspid/ns/net'} for n in c['linux']['namespaces']] + [{'type': 'user'}]
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
out=$(run_out)
check_match "new user namespace + network namespace by path" "$out" "^$(readlink /proc/$nspid/ns/net | sed 's/[][]/./g')"$'\n0\n'
check_match "... /sys is the host's, bound read-only" "$out" "/sys sysfs ro,nosuid,nodev,noexec"
rm -rf "$RTMP/un-rootfs"
kill "$nspid"; wait "$nspid" 2>/dev/null

# ---- seccomp ----
mk_bundle "$B" sh -c 'mkdir /tmp/x 2>&1; echo rc=$?; grep Seccomp: /proc/self/status'
cfg "$B" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86_64'], 'flags': ['SECCOMP_FILTER_FLAG_TSYNC'],
  'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1}]}; c['root']['readonly'] = False"
out=$(run_out)
check_match "seccomp: a denied syscall fails with EPERM" "$out" "Operation not permitted"
check_match "... the filter is on (mode 2)" "$out" "Seccomp:.2"
cfg "$B" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,
  'syscalls': [{'names': ['execve', 'exit', 'exit_group', 'read', 'write', 'openat', 'open', 'close', 'brk', 'mmap', 'munmap', 'mprotect', 'arch_prctl', 'fstat', 'newfstatat', 'rt_sigaction', 'rt_sigprocmask', 'getpid', 'getuid', 'geteuid', 'getppid', 'ioctl', 'fcntl', 'wait4', 'clone', 'fork', 'vfork', 'set_tid_address', 'prlimit64', 'getcwd', 'stat', 'lstat', 'uname', 'getrandom', 'rseq', 'set_robust_list', 'sigaltstack', 'rt_sigreturn', 'dup2', 'dup3', 'pipe2', 'access', 'faccessat2'], 'action': 'SCMP_ACT_ALLOW'}]}"
check_match "seccomp: defaultErrnoRet is the errno of everything else" "$(run_out)" "Function not implemented|not implemented"
cfg "$B" "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_NEW_LISTENER']}"
check_match "an unsupported seccomp flag is an error" "$(run_out)" "seccomp.flags: SECCOMP_FILTER_FLAG_NEW_LISTENER is not supported"

# ---- devices ----
mk_bundle "$B" sh -c 'ls -l /dev/mem; head -c1 /dev/mem >/dev/null; echo null: $(echo x >/dev/null && echo ok); ls -l /dev/fuse'
cfg "$B" "c['linux']['devices'] = [{'path': '/dev/mem', 'type': 'c', 'major': 1, 'minor': 1, 'fileMode': 416, 'uid': 0, 'gid': 0},
  {'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229, 'fileMode': 438, 'uid': 0, 'gid': 5}]"
out=$(run_out)
check_match "linux.devices: the node exists with its mode" "$out" "crw-r----- +1 root +root +1, +1 .*/dev/mem"
check_match "... and its owner" "$out" "crw-rw-rw- +1 root +tty +10, +229 .*/dev/fuse"
check_match "the devices cgroup (deny all) refuses /dev/mem" "$out" "/dev/mem: Operation not permitted"
check_match "... while the default devices work" "$out" "null: ok"

# ---- process: rlimits, oomScoreAdj, user, umask, caps, noNewPrivileges ----
mk_bundle "$B" sh -c 'ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj; id; umask; grep -E "^Cap(Eff|Bnd)|NoNewPrivs" /proc/self/status'
cfg "$B" "
p = c['process']
p['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': 512, 'hard': 768}]
p['oomScoreAdj'] = 345
p['user'] = {'uid': 1000, 'gid': 100, 'umask': 63, 'additionalGids': [10, 5]}
p['noNewPrivileges'] = True"
out=$(run_out)
check_match "rlimits (soft, hard)" "$out" "^512"$'\n'"768"
check_match "oomScoreAdj" "$out" $'\n345\n'
check_match "user uid/gid/additionalGids" "$out" "uid=1000\\(user\\) gid=100\\(users\\) groups=5\\(tty\\),10\\(wheel\\)"
check_match "umask" "$out" $'\n0077\n'
check_match "capabilities: a non-root user has none effective (ambient needs inheritable, as in runc)" "$out" "CapEff:.0000000000000000"
check_match "... runc's three in the bounding set" "$out" "CapBnd:.0000000020000420"
check_match "noNewPrivileges" "$out" "NoNewPrivs:.1"
cfg "$B" "c['process']['rlimits'] = [{'type': 'RLIMIT_BOGUS', 'soft': 1, 'hard': 1}]"
check_match "an unknown rlimit is an error" "$(run_out)" "unknown rlimit type RLIMIT_BOGUS"

# ---- hostname, domainname, sysctl, masked/readonly paths, root.readonly ----
mk_bundle "$B" sh -c 'hostname; cat /proc/sys/kernel/domainname; cat /proc/sys/net/ipv4/ip_forward; wc -c </proc/timer_list; echo 1 >/proc/sys/kernel/domainname 2>&1; touch /x 2>&1; ls /sys/firmware | wc -l'
cfg "$B" "c['hostname'] = 'h-$UNIQ'; c['domainname'] = 'dom.example'; c['linux']['sysctl'] = {'net.ipv4.ip_forward': '1'}"
out=$(run_out)
check_match "hostname" "$out" "^h-$UNIQ"
check_match "domainname" "$out" $'\ndom.example\n'
check_match "sysctl (network namespace)" "$out" $'\n1\n0\n'
check_match "maskedPaths: /proc/timer_list reads empty" "$out" $'\n0\n'
check_match "readonlyPaths: /proc/sys is read-only" "$out" "Read-only file system"
check_match "root.readonly" "$out" "touch: /x: Read-only file system"
# runc's validation: a sysctl must belong to a namespace of the container's own
mk_bundle "$B" true
core_before=$(cat /proc/sys/kernel/core_pattern)
for bad in "kernel.core_pattern=|/tmp/x:is not in a separate kernel namespace" \
    "vm.overcommit_memory=1:is not in a separate kernel namespace" \
    "kernel.hostname=x:conflicts with the OCI \"hostname\" field" \
    "kernel/../../x=1:bad sysctl name"; do
    kv=${bad%%:*} want=${bad#*:}
    cfg "$B" "c['linux']['sysctl'] = {'${kv%%=*}': '${kv#*=}'}"
    out=$(run_out); rc=$?
    check_match "sysctl ${kv%%=*} is refused" "$rc:$out" "^[1-9][0-9]*:.*$want"
done
check_eq "core_pattern of the host unchanged" "$(cat /proc/sys/kernel/core_pattern)" "$core_before"
cfg "$B" "c['linux']['sysctl'] = {'kernel.shmmax': '1000000'}; c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'ipc']"
check_match "an IPC sysctl in the host's ipc namespace is refused" "$(run_out)" "not allowed in the host's ipc namespace"
cfg "$B" "c['linux']['sysctl'] = {'net.ipv4.ip_forward': '1'}; c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'network'] + [{'type': 'network', 'path': '/proc/$$/ns/net'}]"
check_match "net.* in the host's network namespace (joined by path) is refused" "$(run_out)" "not allowed in the host's network namespace"
cfg "$B" "c['linux']['sysctl'] = {'kernel.shmmax': '1000000', 'kernel.domainname': 'd.example', 'fs.mqueue.msg_max': '20'}; c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'network'] + [{'type': 'network'}, {'type': 'ipc'}]; c['process']['args'] = ['cat', '/proc/sys/kernel/shmmax']"
check_eq "namespaced sysctls (ipc, uts, mqueue) are set" "$(run_out)" 1000000

# ---- mounts ----
mkdir -p "$RTMP/src/sub" "$RTMP/src2" && echo content >"$RTMP/src/file"
mount -t tmpfs sub "$RTMP/src/sub" && at_exit "umount '$RTMP/src/sub'"
mk_bundle "$B" sh -c 'grep -E " /(t|b|r|m)nt" /proc/self/mounts; cat /bnt/file; touch /bnt/x 2>&1; touch /rnt/sub/y 2>&1; touch /mnt/z && echo rw-ok; ls /sys/fs/cgroup; cat /sys/fs/cgroup/pids/pids.max; touch /sys/fs/cgroup/pids/x 2>&1'
cfg "$B" "c['mounts'] += [
  {'destination': '/tnt', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m', 'mode=700', 'noexec']},
  {'destination': '/bnt', 'type': 'bind', 'source': '$RTMP/src', 'options': ['bind', 'ro']},
  {'destination': '/rnt', 'type': 'bind', 'source': '$RTMP/src', 'options': ['rbind', 'rro']},
  {'destination': '/mnt', 'source': '$RTMP/src2', 'options': ['bind', 'rw', 'nosuid']}]
c['linux']['resources']['pids'] = {'limit': 77}"
out=$(run_out)
check_match "tmpfs with size, mode, noexec" "$out" "tmpfs /tnt tmpfs rw,noexec,relatime,size=1024k,mode=700"
check_match "bind ro" "$out" " /bnt [a-z0-9]+ ro,"
check_match "... shows the source" "$out" $'\ncontent\n'
check_match "... refuses writes" "$out" "touch: /bnt/x: Read-only file system"
check_match "rbind + rro: sub-mounts read-only too" "$out" "touch: /rnt/sub/y: Read-only file system"
check_match "bind without a type, rw" "$out" "rw-ok"
check_match "cgroup mount: the hierarchies" "$out" "blkio"$'\n'"cpu"
check_match "... the container's own cgroup (pids.max of linux.resources)" "$out" $'\n77\n'
check_match "... read-only" "$out" "Read-only file system"
cfg "$B" "c['mounts'].append({'destination': '/q', 'type': 'bind', 'source': '/tmp', 'options': ['bind', 'idmap']})"
check_match "an idmapped bind is refused" "$(run_out)" "idmapped mounts are not supported"
# runc and crun mount a bind whose options carry filesystem data (tmpfs-style), the data ignored
mk_bundle "$B" sh -c 'cat /d/file && grep " /d " /proc/self/mounts'
cfg "$B" "c['mounts'].append({'destination': '/d', 'type': 'bind', 'source': '$RTMP/src', 'options': ['rbind', 'mode=755', 'size=1k', 'ro']})"
out=$(run_out)
check_match "a bind with data options (mode=755,size=1k) is mounted, the data ignored" "$out" $'^content\n.* /d [a-z0-9]+ ro,'
# an unknown capability: a warning, and the container runs (runc 1.1, crun)
mk_bundle "$B" sh -c 'grep CapBnd /proc/self/status'
cfg "$B" "c['process']['capabilities'] = {k: ['CAP_KILL', 'CAP_TEST'] for k in ['bounding', 'effective', 'permitted']}"
out=$(R run --bundle "$B" "$ID" 2>"$RTMP/caperr"); rc=$?
check_eq "an unknown capability is ignored: the container runs with the known ones" "$rc:$out" $'0:CapBnd:\t0000000000000020'
check_eq "... with runc's warning" "$(cat "$RTMP/caperr")" "mydocker-runc: warning: ignoring unknown or unavailable capabilities: [CAP_TEST]"
# memory.kernelTCP where the host still has the file (v1 kmem)
KT=/sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes
mk_bundle "$B" sh -c 'cat /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes 2>/dev/null || echo none'
cfg "$B" "c['linux']['resources']['memory'] = {'kernelTCP': 8388608}"
out=$(run_out); rc=$?
if [ -f "$KT" ]; then
    check_eq "memory.kernelTCP is applied (memory.kmem.tcp.limit_in_bytes)" "$rc:$out" "0:8388608"
else
    echo "# skip: the host has no memory.kmem.tcp.limit_in_bytes; kernelTCP must be ignored"
    check_eq "memory.kernelTCP is ignored where the kernel has no such file" "$rc" 0
fi

# ---- personality, time namespace offsets ----
mk_bundle "$B" uname -m
cfg "$B" "c['linux']['personality'] = {'domain': 'LINUX32'}"
check_eq "personality LINUX32" "$(run_out)" i686
cfg "$B" "c['linux']['personality'] = {'domain': 'LINUX', 'flags': ['ADDR_NO_RANDOMIZE']}"
check_match "personality flags are refused" "$(run_out)" "personality.flags are not supported"
mk_bundle "$B" cut -d. -f1 /proc/uptime
cfg "$B" "c['linux']['namespaces'].append({'type': 'time'}); c['linux']['timeOffsets'] = {'boottime': {'secs': 86400000, 'nanosecs': 0}}"
up=$(cut -d. -f1 /proc/uptime)
in=$(run_out)
check "time namespace: boottime offset" test "$in" -ge $((up + 86400000)) 2>/dev/null

# ---- a new cgroup namespace exists from create on (runc, crun) ----
mk_bundle "$B" sleep 30
cfg "$B" "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'cgroup'] + [{'type': 'cgroup'}]
c['mounts'] = [m for m in c['mounts'] if m.get('type') not in ('cgroup', 'cgroup2')]"
Rbg create --bundle "$B" "$ID-cg"
pid=$(R state "$ID-cg" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
check_eq "created: still created" "$(state_of "$ID-cg")" created
check_not "created: the init is in a cgroup namespace of its own" test "$(readlink "/proc/$pid/ns/cgroup")" = "$(readlink /proc/self/ns/cgroup)"
check_eq "created: exec sees its cgroup as the namespace root in every hierarchy" \
    "$(R exec "$ID-cg" cat /proc/self/cgroup 2>&1 | grep -vc ':/$')" 0
R delete --force "$ID-cg" >/dev/null 2>&1

# ---- joining every namespace of another container by path, the mount namespace included ----
# B's own root.path is an empty directory: its command is found in A's root, where setns put it
mk_bundle "$B" sleep 30
Rbg run -d --bundle "$B" "$ID-nsa"
apid=$(R state "$ID-nsa" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
mkdir -p "$RTMP/b2" "$RTMP/emptyroot"
mk_bundle "$RTMP/b2" cat /proc/1/cmdline
cfg "$RTMP/b2" "c['root']['path'] = '$RTMP/emptyroot'; c['root']['readonly'] = False
c['linux']['namespaces'] = [{'type': t, 'path': '/proc/$apid/ns/' + f} for t, f in
    [('pid', 'pid'), ('network', 'net'), ('ipc', 'ipc'), ('uts', 'uts'), ('mount', 'mnt'), ('cgroup', 'cgroup')]]"
out=$(R run --bundle "$RTMP/b2" "$ID-nsb" 2>&1 | tr '\0' ' '); rc=$?
check_eq "all namespaces of another container joined: the command is found in its root" "$rc:$out" "0:sleep 30 "
check_eq "... and that container's root is untouched" "$(R exec "$ID-nsa" sh -c 'ls /proc/1/root/ >/dev/null && echo ok')" ok
R delete --force "$ID-nsb" >/dev/null 2>&1
R delete --force "$ID-nsa" >/dev/null 2>&1

# ---- unsupported fields ----
mk_bundle "$B" true
for f in "c['linux']['intelRdt'] = {'closID': 'x'}" "c['windows'] = {}" "c['linux']['resources']['rdma'] = {'mlx': {'hcaHandles': 1}}" \
    "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/x'}" "c['process']['commandLine'] = 'x'" \
    "c['linux']['personality'] = {'domain': 'SVR4'}" "c['mounts'].append({'destination': '/m', 'type': 'bind', 'source': '/tmp', 'options': ['bind'], 'uidMappings': []})"; do
    mk_bundle "$B" true
    cfg "$B" "$f"
    out=$(run_out); rc=$?
    check "refused: $f" test "$rc" -ne 0
    check_match "... clearly" "$out" "not supported"
done
check_eq "no container left" "$(ls "$RROOT")" ""

summary
