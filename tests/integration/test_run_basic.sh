#!/usr/bin/env bash
# mydocker run: PID 1, exit codes, env, workdir, hostname, user, network, capabilities,
# masked/read-only paths, --read-only, no-new-privileges, seccomp, /etc files, fd hygiene,
# --init, cleanup (--rm, failing runs, 20 cycles), --name, stdio.
. "$(dirname "$0")/lib.sh"
setup_image
R=(run --rm "${IMG[@]}")   # md "${R[@]}" CMD...  (with extra flags: md run --rm FLAGS "${IMG[@]}" CMD)

# run_img FLAGS... -- CMD...: md run --rm FLAGS IMAGE CMD
run_img() {
    local flags=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    md run --rm "${flags[@]}" "${IMG[@]}" "$@"
}
status_field() { # FLAGS... -- FIELD: the value of FIELD in the container's /proc/self/status
    local flags=()
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    run_img "${flags[@]}" -- sh -c "grep '^$2:' /proc/self/status | cut -f2" 2>&1
}

mounts_before=$(mounts_snapshot)

# ---------------------------------------------------------------- basics
check_eq "echo hello" "$(md "${R[@]}" echo hello 2>&1)" "hello"
check_eq "command is PID 1" "$(md "${R[@]}" sh -c 'echo $$' 2>&1)" "1"
check_eq "ps sees only the container's processes" "$(md "${R[@]}" sh -c 'ps -o pid,comm; exit 0' 2>&1 | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "1 2 "
check_eq "args with spaces survive" "$(md "${R[@]}" sh -c 'printf "[%s]" "$@"' sh 'a b' '' 'c' 2>&1)" "[a b][][c]"

# ---------------------------------------------------------------- exit codes
check_rc "exit 0" 0 md "${R[@]}" sh -c 'exit 0'
check_rc "exit 3" 3 md "${R[@]}" sh -c 'exit 3'
check_rc "exit 255" 255 md "${R[@]}" sh -c 'exit 255'
check_rc "false gives 1" 1 md "${R[@]}" false
out=$(md run --rm -it "${IMG[@]}" true </dev/null 2>&1); rc=$?
check_eq "-it without a terminal: exit 125" "$rc" 125
check_eq "-it without a terminal: docker's line" "$out" "mydocker: the input device is not a TTY"
check_rc "sh reports 137 for a SIGKILLed child" 137 md "${R[@]}" sh -c 'sleep 100 & kill -9 $!; wait $!'

# PID 1 killed from the host: 128+9
"$MYDOCKER" "${R[@]}" sleep 30 >/dev/null 2>&1 &
mdpid=$!
pid1=$(container_pid1 "$mdpid" sleep)
if [ -n "$pid1" ]; then
    kill -9 "$pid1"; wait "$mdpid"; rc=$?
    check_eq "SIGKILL of the container's PID 1 from the host gives 137" "$rc" 137
else
    fail "SIGKILL of the container's PID 1 from the host gives 137" "no sleep child of mydocker pid $mdpid (found '$pid1')"
    kill -9 "$mdpid" 2>/dev/null; wait "$mdpid" 2>/dev/null
fi
"$MYDOCKER" "${R[@]}" sleep 30 >/dev/null 2>&1 &
mdpid=$!
pid1=$(container_pid1 "$mdpid" sleep)
kill -USR1 "$pid1" 2>/dev/null   # ignored by a handler-less PID 1 (kernel rule for init)
kill -9 "$pid1" 2>/dev/null; wait "$mdpid"; rc=$?
check_eq "SIGKILL after an ignored SIGUSR1 still gives 137" "$rc" 137

check_rc "125 for an unknown flag" 125 md run --rm --no-such-flag "${IMG[@]}" true
check_rc "125 for an unknown image" 125 md run --rm "nosuchimage-$UNIQ" true
check_rc "125 for a missing image argument" 125 md run --rm
check_rc "125 for a bad -u user" 125 md run --rm -u "nosuchuser$$" "${IMG[@]}" true
check_rc "125 for a relative -w" 125 md run --rm -w relative/dir "${IMG[@]}" true
check_rc "125 for a bad --ulimit" 125 md run --rm --ulimit nosuch=1:2 "${IMG[@]}" true
check_rc "125 for a bad --cap-add" 125 md run --rm --cap-add NOT_A_CAP "${IMG[@]}" true
check_rc "126 for a directory" 126 md "${R[@]}" /etc
check_rc "126 for a non-executable file" 126 md "${R[@]}" /etc/passwd
check_rc "127 for a missing command" 127 md "${R[@]}" "nosuchcmd$$"
check_rc "127 for a missing absolute path" 127 md "${R[@]}" "/no/such/cmd$$"
err=$(md "${R[@]}" "nosuchcmd$$" 2>&1 >/dev/null)
check_match "missing command: the error names it" "$err" "^mydocker: .*nosuchcmd$$"
check_eq "missing command: one error line" "$(wc -l <<<"$err" | tr -d ' ')" "1"

# ---------------------------------------------------------------- environment
export MYDOCKER_LEAK_$$=secret
env_out=$(md "${R[@]}" env 2>&1)
check_not "host variable does not leak" grep -q "MYDOCKER_LEAK_$$" <<<"$env_out"
check "PATH is docker's default" grep -qx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' <<<"$env_out"
check "HOME=/root for root" grep -qx 'HOME=/root' <<<"$env_out"
check "HOSTNAME is set" grep -qE '^HOSTNAME=[0-9a-f]{12}$' <<<"$env_out"
check_eq "only PATH, HOSTNAME, HOME by default" "$(cut -d= -f1 <<<"$env_out" | sort | tr '\n' ' ')" "HOME HOSTNAME PATH "
check_eq "-e K=V" "$(run_img -e "A=1" -e "B=x=y z" -- sh -c 'echo "$A|$B"' 2>&1)" "1|x=y z"
check_eq "-e K takes the host value" "$(run_img -e "MYDOCKER_LEAK_$$" -- env 2>&1 | grep "^MYDOCKER_LEAK_$$=")" "MYDOCKER_LEAK_$$=secret"
unset "NOTSET_$$"
check_eq "-e K unset on the host: not set" "$(run_img -e "NOTSET_$$" -- env 2>&1 | grep -c "^NOTSET_$$")" "0"
check_eq "-e overrides PATH" "$(run_img -e PATH=/bin -- sh -c 'echo $PATH' 2>&1)" "/bin"
envf=$(mktemp); at_exit "rm -f '$envf'"
printf '# a comment\n\nEF1=one\nEF2=two words\nMYDOCKER_LEAK_%s\nEF3=a=b\n' "$$" >"$envf"
ef=$(run_img --env-file "$envf" -- env 2>&1)
check "--env-file K=V" grep -qx 'EF1=one' <<<"$ef"
check "--env-file value with spaces" grep -qx 'EF2=two words' <<<"$ef"
check "--env-file value with =" grep -qx 'EF3=a=b' <<<"$ef"
check "--env-file bare K takes the host value" grep -qx "MYDOCKER_LEAK_$$=secret" <<<"$ef"
check_not "--env-file comment not imported" grep -q '^#' <<<"$ef"
check_eq "-e wins over --env-file" "$(run_img --env-file "$envf" -e EF1=cli -- sh -c 'echo $EF1' 2>&1)" "cli"
check_rc "--env-file missing file: 125" 125 md run --rm --env-file "/nonexistent/$UNIQ" "${IMG[@]}" true
unset "MYDOCKER_LEAK_$$"

# ---------------------------------------------------------------- workdir
check_eq "default workdir /" "$(md "${R[@]}" pwd 2>&1)" "/"
check_eq "-w /tmp" "$(run_img -w /tmp -- pwd 2>&1)" "/tmp"
check_eq "-w a missing dir is created" "$(run_img -w "/tmp/wd-$UNIQ/a/b" -- sh -c 'pwd; test -d .' 2>&1)" "/tmp/wd-$UNIQ/a/b"
check_eq "--workdir long form" "$(run_img --workdir /etc -- pwd 2>&1)" "/etc"

# ---------------------------------------------------------------- hostname
host_hn=$(hostname)
check_eq "--hostname" "$(run_img --hostname "box$$" -- hostname 2>&1)" "box$$"
check_eq "-h short form" "$(run_img -h "hbox$$" -- hostname 2>&1)" "hbox$$"
check_eq "--hostname sets HOSTNAME" "$(run_img --hostname "box$$" -- sh -c 'echo $HOSTNAME' 2>&1)" "box$$"
check_eq "--hostname in /etc/hostname" "$(run_img --hostname "box$$" -- cat /etc/hostname 2>&1)" "box$$"
run_img --hostname "x$$" -- hostname "changed$$" >/dev/null 2>&1
check_eq "host hostname untouched" "$(hostname)" "$host_hn"
name="hn-$UNIQ"
out=$(mktemp); at_exit "rm -f '$out'"
"$MYDOCKER" run --rm --name "$name" "${IMG[@]}" sh -c 'hostname; cat /etc/hostname; echo $HOSTNAME; sleep 1' >"$out" 2>&1 &
bg=$!
wait_for 5 cid_of_name "$name"
cid=$(cid_of_name "$name")
wait "$bg"
check_match "container id is 64 hex" "$cid" '^[0-9a-f]{64}$'
check_eq "default hostname = first 12 hex of the id (hostname, /etc/hostname, HOSTNAME)" \
    "$(tr '\n' ' ' <"$out")" "${cid:0:12} ${cid:0:12} ${cid:0:12} "

# ---------------------------------------------------------------- user
check_eq "-u 1000:1000 id" "$(run_img -u 1000:1000 -- sh -c 'id -u; id -g' 2>&1 | tr '\n' ' ')" "1000 1000 "
check_eq "-u 1000:1000 drops root's groups" "$(status_field -u 1000:1000 -- Groups | tr -d ' ')" ""
check_eq "-u 1000:1000 owns the files it creates" "$(run_img -u 1000:1000 -- sh -c "touch /tmp/u-$UNIQ && stat -c %u:%g /tmp/u-$UNIQ" 2>&1)" "1000:1000"
check_eq "-u user resolves from the image's passwd" "$(run_img -u user -- sh -c 'id -u; id -g' 2>&1 | tr '\n' ' ')" "1000 1000 "
check_eq "-u user: supplementary groups from the image's group file" "$(status_field -u user -- Groups | tr -d ' ')" "100"
check_eq "-u user: HOME from passwd" "$(run_img -u user -- sh -c 'echo $HOME' 2>&1)" "/home/user"
check_eq "-u user:root" "$(run_img -u user:root -- sh -c 'id -u; id -g' 2>&1 | tr '\n' ' ')" "1000 0 "
check_eq "-u 1234 (not in passwd)" "$(run_img -u 1234 -- sh -c 'id -u; id -g' 2>&1 | tr '\n' ' ')" "1234 0 "
check_eq "-u 1000: no capabilities" "$(status_field -u 1000 -- CapEff)" "0000000000000000"
# docker: root's groups come from the image's /etc/group membership (busybox: wheel), not the host's
check_eq "root's groups = image's group membership (wheel)" "$(status_field -- Groups | tr -d ' ')" "10"
check_rc "-u 1000 cannot write /etc/passwd" 1 run_img -u 1000 -- sh -c 'echo x >> /etc/passwd'

# ---------------------------------------------------------------- network
links=$(md run --rm --network none "${IMG[@]}" ip -o link 2>&1)   # the default is the bridge network
check_eq "--network none: ip link shows only lo" "$(awk -F': ' '{print $2}' <<<"$links")" "lo"
check_match "lo is UP" "$links" '<[^>]*UP[^>]*>'
check_eq "--network none same" "$(run_img --network none -- ip -o link 2>&1 | awk -F': ' '{print $2}')" "lo"
# host veths of earlier containers go away asynchronously (the kernel
# deletes a peer after its netns dies): compare the links that stay
stable_links() { grep -v '^veth' | sort | tr '\n' ' '; }
check_eq "--network host sees the host's links" \
    "$(run_img --network host -- ls /sys/class/net 2>&1 | stable_links)" "$(ls /sys/class/net | stable_links)"
check_eq "--network host hostname is the host's" "$(run_img --network host -- hostname 2>&1)" "$host_hn"

# ---------------------------------------------------------------- capabilities
DEF=00000000a80425fb
host_bnd=$(grep '^CapBnd:' /proc/self/status | cut -f2)
caps=$(md "${R[@]}" grep Cap /proc/self/status 2>&1 | tr '\t' ' ' | tr '\n' ' ')
check_eq "default capabilities = docker's" "$caps" \
    "CapInh: 0000000000000000 CapPrm: $DEF CapEff: $DEF CapBnd: $DEF CapAmb: 0000000000000000 "
check_eq "--cap-drop ALL: CapEff" "$(status_field --cap-drop ALL -- CapEff)" "0000000000000000"
check_eq "--cap-drop ALL: CapBnd" "$(status_field --cap-drop ALL -- CapBnd)" "0000000000000000"
check_eq "--cap-add SYS_ADMIN" "$(status_field --cap-add SYS_ADMIN -- CapEff)" "00000000a82425fb"
check_eq "--cap-add CAP_SYS_ADMIN (prefix)" "$(status_field --cap-add CAP_SYS_ADMIN -- CapBnd)" "00000000a82425fb"
check_eq "--cap-add sys_admin (lower case)" "$(status_field --cap-add sys_admin -- CapEff)" "00000000a82425fb"
check_eq "--cap-drop NET_RAW" "$(status_field --cap-drop NET_RAW -- CapEff)" "00000000a80405fb"
check_eq "--cap-drop ALL --cap-add CHOWN" "$(status_field --cap-drop ALL --cap-add CHOWN -- CapEff)" "0000000000000001"
check_eq "--privileged: CapBnd = host's" "$(status_field --privileged -- CapBnd)" "$host_bnd"
check_eq "--privileged: CapEff = host's bounding set" "$(status_field --privileged -- CapEff)" "$host_bnd"
check_rc "default: chown works (CAP_CHOWN)" 0 md "${R[@]}" sh -c "touch /tmp/c-$UNIQ && chown 1000 /tmp/c-$UNIQ"
check_rc "--cap-drop CHOWN: chown fails" 1 run_img --cap-drop CHOWN -- sh -c "touch /tmp/c2-$UNIQ && chown 1000 /tmp/c2-$UNIQ"
check_rc "default: no CAP_SYS_ADMIN, mount fails" 1 md "${R[@]}" sh -c 'mount -t tmpfs none /tmp 2>/dev/null || exit 1'
check_rc "--cap-add SYS_ADMIN: mount works" 0 run_img --cap-add SYS_ADMIN -- mount -t tmpfs none /tmp

# ---------------------------------------------------------------- masked and read-only paths
for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats /proc/timer_stats /proc/interrupts; do
    [ -e "$p" ] || continue
    check_eq "masked file $p reads empty" "$(md "${R[@]}" sh -c "cat $p | wc -c" 2>&1 | tr -d ' ')" "0"
done
for p in /proc/acpi /proc/asound /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
    [ -d "$p" ] || continue
    check_eq "masked dir $p is empty" "$(md "${R[@]}" sh -c "ls -A $p | wc -l" 2>&1 | tr -d ' ')" "0"
done
check_rc "/proc/sys is read-only" 1 md "${R[@]}" sh -c "echo x > /proc/sys/kernel/hostname 2>/dev/null || exit 1"
for p in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
    [ -e "$p" ] || continue
    check_match "$p mounted read-only" "$(md "${R[@]}" grep " $p " /proc/self/mountinfo 2>&1)" "^[^ ]+ [^ ]+ [^ ]+ [^ ]+ $p ro[, ]"
done
check_match "/sys is read-only" "$(md "${R[@]}" grep ' /sys ' /proc/self/mountinfo 2>&1)" " /sys ro[, ]"
check_rc "--privileged: /proc/sys writable (no read-only paths)" 0 run_img --privileged -- sh -c "grep ' /proc/sys ' /proc/self/mountinfo | grep -q ' ro,' && exit 1 || exit 0"

# ---------------------------------------------------------------- read-only root
check_rc "--read-only: touch /x fails" 1 run_img --read-only -- sh -c 'touch /x 2>/dev/null || exit 1'
check_rc "--read-only: /tmp is read-only too (no tmpfs, as docker)" 1 run_img --read-only -- sh -c 'touch /tmp/x 2>/dev/null || exit 1'
check_rc "--read-only: /dev/shm still writable" 0 run_img --read-only -- sh -c 'touch /dev/shm/x'
check_rc "--read-only: /dev/null writable" 0 run_img --read-only -- sh -c 'echo x > /dev/null'
check_rc "--read-only: /etc/hostname present" 0 run_img --read-only -- test -s /etc/hostname
check_rc "without --read-only: / writable" 0 md "${R[@]}" sh -c "touch /rw-$UNIQ && rm /rw-$UNIQ"

# ---------------------------------------------------------------- no-new-privileges, seccomp
check_eq "NoNewPrivs off by default" "$(status_field -- NoNewPrivs)" "0"
check_eq "--security-opt no-new-privileges" "$(status_field --security-opt no-new-privileges -- NoNewPrivs)" "1"
check_eq "--security-opt no-new-privileges:true" "$(status_field --security-opt no-new-privileges:true -- NoNewPrivs)" "1"
check_eq "seccomp filter on by default" "$(status_field -- Seccomp)" "2"
check_eq "seccomp=unconfined" "$(status_field --security-opt seccomp=unconfined -- Seccomp)" "0"
check_eq "--privileged disables seccomp" "$(status_field --privileged -- Seccomp)" "0"
check_rc "default seccomp blocks unshare(CLONE_NEWUSER)" 1 md "${R[@]}" sh -c 'unshare -U true 2>/dev/null || exit 1'
check_rc "seccomp=unconfined allows unshare -U" 0 run_img --security-opt seccomp=unconfined -- unshare -U true
check_rc "--cap-add SYS_ADMIN allows unshare (docker profile)" 0 run_img --cap-add SYS_ADMIN -- unshare -U true
prof=$(mktemp); at_exit "rm -f '$prof'"
cat >"$prof" <<'J'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
J
check_eq "seccomp=FILE: custom profile blocks mkdir, allows the rest" \
    "$(run_img --security-opt "seccomp=$prof" -- sh -c "mkdir /tmp/sd-$UNIQ 2>/dev/null; echo \$?; touch /tmp/sf-$UNIQ; echo \$?" 2>&1 | tr '\n' ' ')" "1 0 "
check_rc "seccomp=missing file: 125" 125 md run --rm --security-opt "seccomp=/nonexistent/$UNIQ.json" "${IMG[@]}" true

# ---------------------------------------------------------------- ulimit, entrypoint
check_eq "--ulimit nofile=100:200" "$(run_img --ulimit nofile=100:200 -- sh -c 'ulimit -n; ulimit -Hn' 2>&1 | tr '\n' ' ')" "100 200 "
check_eq "--entrypoint" "$(run_img --entrypoint echo -- hi there 2>&1)" "hi there"

# ---------------------------------------------------------------- /etc files
check_eq "/etc/hostname" "$(run_img --hostname "etc$$" -- cat /etc/hostname 2>&1)" "etc$$"
hosts=$(md "${R[@]}" cat /etc/hosts 2>&1)
check "/etc/hosts has localhost" grep -qE '^127\.0\.0\.1[[:space:]]+localhost' <<<"$hosts"
check "/etc/hosts has ::1" grep -qE '^::1[[:space:]]+.*localhost' <<<"$hosts"
resolv=$(md "${R[@]}" cat /etc/resolv.conf 2>&1)
want_ns=$(grep '^nameserver' /etc/resolv.conf | grep -v -E ' (127\.|::1)' | sort)
[ -n "$want_ns" ] || want_ns=$'nameserver 8.8.8.8\nnameserver 8.8.4.4'
check_eq "/etc/resolv.conf nameservers from the host" "$(grep '^nameserver' <<<"$resolv" | sort)" "$want_ns"
check_rc "image's /etc/passwd untouched" 0 md "${R[@]}" grep -q '^user:x:1000:1000:' /etc/passwd

# ---------------------------------------------------------------- fds
exec 7</etc/hostname 8>/dev/null 9</
check_eq "no fd above 2 leaks into the container" "$(md "${R[@]}" sh -c 'ls /proc/$$/fd; exit 0' 2>&1 | sort -n | tr '\n' ' ')" "0 1 2 "
# the same seen from the host, for PID 1 with and without --init (an init is PID 1 too:
# a host fd it holds is reachable through /proc/1/fd with CAP_SYS_PTRACE)
for flags in "" "--init"; do
    "$MYDOCKER" run --rm $flags "${IMG[@]}" sleep 5 >/dev/null 2>&1 &
    mdpid=$!
    if [ -n "$flags" ]; then pid1=$(container_pid1 "$mdpid" any); else pid1=$(container_pid1 "$mdpid" sleep); fi
    sleep 0.3
    fds=
    for f in /proc/$pid1/fd/*; do
        n=${f##*/}; t=$(readlink "$f" 2>/dev/null)
        [ "$n" -le 2 ] 2>/dev/null && continue
        case "$t" in anon_inode:*) continue ;; esac
        fds+="$n->$t "
    done
    check_eq "host view: container PID 1${flags:+ ($flags)} holds no fd above 2 but anon inodes" "${pid1:+found}:$fds" "found:"
    kill -9 "$pid1" 2>/dev/null; wait "$mdpid" 2>/dev/null
done
if [ -n "$(md run --rm --init --cap-add SYS_PTRACE "${IMG[@]}" sh -c 'ls /proc/1/fd/9/' 2>/dev/null)" ]; then
    fail "--init: the host's / (fd 9 of the caller) is not listable through /proc/1/fd/9" "it is"
else ok "--init: the host's / (fd 9 of the caller) is not listable through /proc/1/fd/9"; fi
exec 7<&- 8>&- 9<&-
check_eq "cwd and root are the container's" "$(md "${R[@]}" sh -c 'readlink /proc/$$/root; readlink /proc/$$/cwd' 2>&1 | tr '\n' ' ')" "/ / "

# ---------------------------------------------------------------- --init
check_match "--init: the command is not PID 1" "$(run_img --init -- sh -c 'echo $$' 2>&1)" '^[0-9]+$'
check_rc "--init: the command's pid is not 1" 0 run_img --init -- sh -c 'test $$ -ne 1'
check_rc "--init: exit code passes through" 5 run_img --init -- sh -c 'exit 5'
check_rc "--init: 137 passes through" 137 run_img --init -- sh -c 'kill -9 $$'
check_eq "--init: orphaned zombies are reaped" \
    "$(run_img --init -- sh -c '(sleep 0.1 &); sleep 0.6; ps -o stat | grep -c "^Z"' 2>&1)" "0"
cp "$(readlink -f "$MYDOCKER")" "/tmp/mydocker-copy.$UNIQ"; at_exit "rm -f /tmp/mydocker-copy.$UNIQ"
sum_before=$(sha256sum <"/tmp/mydocker-copy.$UNIQ")
"/tmp/mydocker-copy.$UNIQ" run --rm --init "${IMG[@]}" sh -c 'echo x >> /proc/1/exe; printf x | dd of=/proc/1/exe conv=notrunc' >/dev/null 2>&1
check_eq "--init: the host binary cannot be overwritten through /proc/1/exe" "$(sha256sum <"/tmp/mydocker-copy.$UNIQ")" "$sum_before"

# ---------------------------------------------------------------- --rm and cleanup
state_before=$(state_snapshot)
sid=$(md "${R[@]}" hostname 2>&1)
check_match "--rm: the run worked (short id)" "$sid" '^[0-9a-f]{12}$'
check_eq "--rm: no container dir left" "$(ls -d "$STATE_DIR/$sid"* 2>/dev/null)" ""
check_eq "--rm: nothing left in /run/mydocker" "$(find /run/mydocker -name "$sid*" 2>/dev/null)" ""
check_eq "--rm: no mount mentions the container" "$(grep -c "$sid" /proc/self/mountinfo)" "0"
for bad in "nosuchcmd$$" "/no/such$$" "/etc"; do
    md "${R[@]}" "$bad" >/dev/null 2>&1
done
md run --rm "nosuchimage-$UNIQ" true >/dev/null 2>&1
md run --rm -u "nosuchuser$$" "${IMG[@]}" true >/dev/null 2>&1
md run --rm -w relative "${IMG[@]}" true >/dev/null 2>&1
md run --rm --security-opt "seccomp=/nonexistent/$UNIQ" "${IMG[@]}" true >/dev/null 2>&1
check_same "failing --rm runs leave no state" "$(state_snapshot)" "$state_before"
check_same "failing --rm runs leave no mount" "$(mounts_snapshot)" "$mounts_before"
for i in $(seq 20); do md "${R[@]}" true >/dev/null 2>&1 || break; done
check_eq "20 run --rm cycles: all succeeded" "$i" 20
check_same "20 run --rm cycles: state unchanged" "$(state_snapshot)" "$state_before"
check_same "20 run --rm cycles: host mountinfo unchanged" "$(mounts_snapshot)" "$mounts_before"

# ---------------------------------------------------------------- --name
name="dup-$UNIQ"
"$MYDOCKER" run --rm --name "$name" "${IMG[@]}" sleep 3 >/dev/null 2>&1 &
bg=$!
wait_for 5 cid_of_name "$name"
check_rc "--name duplicate while the first runs: 125" 125 md run --rm --name "$name" "${IMG[@]}" true
err=$(md run --rm --name "$name" "${IMG[@]}" true 2>&1)
check_match "--name duplicate: error says it is in use" "$err" "already in use"
check_eq "the first container is still running" "$(kill -0 $bg 2>&1 && echo alive)" "alive"
wait "$bg"
check_rc "--name reusable after the --rm container exits" 0 md run --rm --name "$name" "${IMG[@]}" true
check_rc "invalid --name: 125" 125 md run --rm --name "bad/name" "${IMG[@]}" true

# ---------------------------------------------------------------- stdio
o=$(md "${R[@]}" sh -c 'echo out; echo err >&2' 2>/dev/null)
check_eq "stdout alone" "$o" "out"
e=$(md "${R[@]}" sh -c 'echo out; echo err >&2' 2>&1 >/dev/null)
check_eq "stderr alone" "$e" "err"
o=$(echo hi | timeout 10 "$MYDOCKER" "${R[@]}" cat 2>&1); rc=$?
check_eq "without -i: stdin is not forwarded (cat sees EOF at once)" "$rc:$o" "0:"
o=$(sleep 20 | timeout 10 "$MYDOCKER" "${R[@]}" cat 2>&1); rc=$?
check_eq "without -i: cat does not wait for the host's stdin" "$rc:$o" "0:"
check_eq "-i: bytes arrive exact" "$(printf 'a\0b\n\377\t' | md run --rm -i "${IMG[@]}" cat | od -An -c | tr -s ' ')" \
    "$(printf 'a\0b\n\377\t' | od -An -c | tr -s ' ')"
big=$(mktemp); at_exit "rm -f '$big'"
head -c 3000000 /dev/urandom >"$big"
check_eq "-i: 3 MB in, same sha256 out" "$(md run --rm -i "${IMG[@]}" cat <"$big" | sha256sum)" "$(sha256sum <"$big")"
check_eq "-i: stdin EOF reaches the container" "$(printf 'x\ny\n' | timeout 10 "$MYDOCKER" run --rm -i "${IMG[@]}" wc -l 2>&1 | tr -d ' ')" "2"
check_eq "stdout 3 MB out, byte-exact" "$(md "${R[@]}" sh -c 'head -c 3000000 /dev/zero' | wc -c | tr -d ' ')" "3000000"

# ---------------------------------------------------------------- host-root mode (the seeds' form)
check_eq "run /bin/echo (host root)" "$(md run --rm /bin/echo hi 2>&1)" "hi"
check_eq "run /bin/sh: PID 1" "$(md run --rm /bin/sh -c 'echo $$' 2>&1)" "1"
check_rc "run /no/such (host root): 127" 127 md run --rm "/no/such/$UNIQ"
check_same "host root: mountinfo unchanged" "$(mounts_snapshot)" "$mounts_before"

summary
