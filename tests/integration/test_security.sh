#!/usr/bin/env bash
# Escape probes (docs/security.md): each runs build/probes/escape inside a default container
# and must be refused, with a host-side check where the host could change; and where docker
# lets it through (--device, --device-cgroup-rule, --privileged) it must work.
#   devices: mknod + open of a host block device (a loop device made here) and a char device
#   cwd: /proc/self/fd/N (N = 3..64) through run -w, an image's WorkingDir, exec -w, and
#        mydocker-runc run/exec with process.cwd (CVE-2024-21626)
#   /proc/<pid>/exe of host code while the host runs 200 execs (CVE-2019-5736)
#   seccomp (docker's allowlist): io_uring, AF_VSOCK, personality(READ_IMPLIES_EXEC), keyctl,
#        userfaultfd, unshare(CLONE_NEWUSER), mount, init_module; /proc/sys and /sys read-only
#   cp into a container whose target flips between a directory and a symlink to / (500 tries);
#        cp out drops setuid bits and device nodes unless -a (CVE-2018-15664)
#   --init: PID 1 has the payload's capabilities and seccomp filter
#   a profile older than close_range (2020) still runs a container
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/runc_lib.sh"
runc_setup "$@"
setup_image
PROBES="$REPO_DIR/build/probes"
[ -x "$PROBES/escape" ] || { echo "FAIL - build/probes/escape missing"; echo "0 passed, 1 failed"; exit 1; }
P=(-v "$PROBES:/probes:ro")
NAMES=()
IMAGES=()
LOOP=
cleanup() {
    local n
    for n in "${NAMES[@]}"; do md rm -f "$n" >/dev/null 2>&1; done
    for n in "${IMAGES[@]}"; do md rmi -f "$n" >/dev/null 2>&1; done
    [ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
}
at_exit cleanup

# ---------------------------------------------------------------- devices
dd if=/dev/urandom of="$RTMP/disk" bs=64k count=16 status=none
LOOP=$(losetup -f --show "$RTMP/disk" 2>/dev/null)
if [ -z "$LOOP" ]; then
    echo "# skip: no loop device on this host (losetup failed); the char device probe still runs"
else
    sum=$(md5sum <"$RTMP/disk")
    mm=$(stat -c '%t %T' "$LOOP"); maj=$((16#${mm% *})) min=$((16#${mm#* }))
    out=$(md run --rm "${P[@]}" "${IMG[@]}" /probes/escape dev b "$maj" "$min" 2>&1); rc=$?
    check_eq "default: mknod + open of a host block device ($LOOP) is refused" "$rc:$out" \
        "1:refused open-device: errno=1 (Operation not permitted)"
    check_eq "the host's loop device is unchanged" "$(md5sum <"$RTMP/disk")" "$sum"
    out=$(md run --rm "${P[@]}" --device "$LOOP" "${IMG[@]}" sh -c "ls -l $LOOP >/dev/null && /probes/escape dev b $maj $min" 2>&1)
    check_match "--device $LOOP: the node exists and opens" "$out" "^ESCAPED open-device"
    out=$(md run --rm "${P[@]}" --device "$LOOP:/dev/xvdz:r" "${IMG[@]}" sh -c "head -c 16 /dev/xvdz | od -An -tx1 | tr -d ' \n'; echo; echo x >/dev/xvdz" 2>&1)
    check_eq "--device HOST:CONTAINER:r reads the device and refuses a write" "$out" \
        "$(head -c 16 "$RTMP/disk" | od -An -tx1 | tr -d ' \n')"$'\n'"sh: can't create /dev/xvdz: Operation not permitted"
    out=$(md run --rm "${P[@]}" --device-cgroup-rule "b $maj:$min r" "${IMG[@]}" /probes/escape dev b "$maj" "$min" 2>&1)
    check_match "--device-cgroup-rule 'b $maj:$min r' lets the node open" "$out" "^ESCAPED open-device"
    out=$(md run --rm "${P[@]}" --privileged "${IMG[@]}" /probes/escape dev b "$maj" "$min" 2>&1)
    check_match "--privileged: every device" "$out" "^ESCAPED open-device"
fi
out=$(md run --rm "${P[@]}" "${IMG[@]}" /probes/escape dev c 1 1 2>&1); rc=$?
check_eq "default: mknod + open of /dev/mem (c 1:1) is refused" "$rc:$out" \
    "1:refused open-device: errno=1 (Operation not permitted)"
check_eq "default: the devices a container needs still work" \
    "$(md run --rm "${IMG[@]}" sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c' 2>&1 | tr '\n' ' ')" "4 4 "
check_rc "--device with a relative container path: 125" 125 md run --rm --device /dev/null:dev/x "${IMG[@]}" true
check_match "--device: docker's message" "$(md run --rm --device /dev/null:dev/x "${IMG[@]}" true 2>&1)" \
    'invalid argument "/dev/null:dev/x" for "--device" flag: bad format for path: /dev/null:dev/x'
check_rc "--device of a missing path: 125" 125 md run --rm --device "/dev/nosuch-$UNIQ" "${IMG[@]}" true
check_rc "--device-cgroup-rule malformed: 125" 125 md run --rm --device-cgroup-rule 'x 1:2 r' "${IMG[@]}" true

# ---------------------------------------------------------------- cwd in /proc/self/fd/N
escaped=0 ran=0
for n in $(seq 3 64); do
    out=$(md run --rm "${P[@]}" -w "/proc/self/fd/$n" "${IMG[@]}" /probes/escape cwd 2>&1)
    case "$out" in *ESCAPED*) escaped=$((escaped + 1)) ;; refused*) ran=$((ran + 1)) ;; esac
done
check_eq "run -w /proc/self/fd/N (N=3..64): never outside the root" "$escaped" 0
newname() { printf -v "$1" '%s' "sec-$UNIQ-$2"; NAMES+=("sec-$UNIQ-$2"); }
newname base wd
md create --name "$base" "${IMG[@]}" true >/dev/null 2>&1
escaped=0
for n in 3 4 5 6 7 8 9 10; do
    img="sec-wd-$UNIQ:$n"; IMAGES+=("$img")
    md commit -c "WORKDIR /proc/self/fd/$n" "$base" "$img" >/dev/null 2>&1
    out=$(md run --rm "${P[@]}" "$img" /probes/escape cwd 2>&1)
    case "$out" in *ESCAPED*) escaped=$((escaped + 1)) ;; esac
done
check_eq "image WorkingDir /proc/self/fd/N: never outside the root" "$escaped" 0
newname ex exec
md run -d --name "$ex" "${P[@]}" "${IMG[@]}" sleep 300 >/dev/null 2>&1
escaped=0
for n in $(seq 3 64); do
    out=$(md exec -w "/proc/self/fd/$n" "$ex" /probes/escape cwd 2>&1)
    case "$out" in *ESCAPED*) escaped=$((escaped + 1)) ;; esac
done
check_eq "exec -w /proc/self/fd/N: never outside the root" "$escaped" 0
check_eq "exec -w / still works" "$(md exec -w / "$ex" /probes/escape cwd 2>&1)" "refused cwd: inside the root at /"

B=$RTMP/b
mk_bundle "$B" /probes/escape cwd
cfg "$B" "c['mounts'].append({'destination': '/probes', 'type': 'bind', 'source': '$PROBES', 'options': ['rbind', 'ro']})"
escaped=0
for n in $(seq 3 64); do
    cfg "$B" "c['process']['cwd'] = '/proc/self/fd/$n'"
    out=$(R run --bundle "$B" "cwd-$UNIQ" 2>&1)
    case "$out" in *ESCAPED*) escaped=$((escaped + 1)) ;; esac
    R delete --force "cwd-$UNIQ" >/dev/null 2>&1
done
check_eq "mydocker-runc run, process.cwd /proc/self/fd/N: never outside the root" "$escaped" 0
cfg "$B" "c['process']['cwd'] = '/'; c['process']['args'] = ['sleep', '300']"
Rbg run -d --bundle "$B" "cwdx-$UNIQ"
escaped=0
for n in $(seq 3 64); do
    out=$(R exec --cwd "/proc/self/fd/$n" "cwdx-$UNIQ" /probes/escape cwd 2>&1)
    case "$out" in *ESCAPED*) escaped=$((escaped + 1)) ;; esac
done
check_eq "mydocker-runc exec --cwd /proc/self/fd/N: never outside the root" "$escaped" 0
R delete --force "cwdx-$UNIQ" >/dev/null 2>&1

# ---------------------------------------------------------------- /proc/<pid>/exe of host code
newname w exe
md run -d --name "$w" "${P[@]}" "${IMG[@]}" /probes/escape exe 120 $(stat -L -c '%d %i' "$MYDOCKER") >/dev/null 2>&1
for i in $(seq 200); do md exec "$w" true >/dev/null 2>&1; done
md exec "$w" touch /tmp/.probe-stop >/dev/null 2>&1
rc=$(timeout 30 "$MYDOCKER" wait "$w" 2>&1)
out=$(md logs "$w" 2>&1)
check_match "200 execs: no container process opened the host's mydocker as /proc/<pid>/exe" "$rc:$out" \
    "^1:refused exe: [0-9]+ opens"

# ---------------------------------------------------------------- cp against a symlink flip
newname cpc cp
md run -d --name "$cpc" "${IMG[@]}" sh -c 'while :; do mkdir /tmp/t 2>/dev/null; rmdir /tmp/t 2>/dev/null; ln -s / /tmp/t 2>/dev/null; rm -f /tmp/t; done' >/dev/null 2>&1
echo payload >"$RTMP/cp-payload-$UNIQ"
for i in $(seq 500); do md cp "$RTMP/cp-payload-$UNIQ" "$cpc:/tmp/t" >/dev/null 2>&1; done
check "cp into a container whose target flips dir/symlink-to-/ (500 tries): nothing on the host" \
    test ! -e "/cp-payload-$UNIQ"
rm -f "/cp-payload-$UNIQ"
md exec "$cpc" sh -c 'touch /tmp/suid && chmod 4755 /tmp/suid && mknod /tmp/nul c 1 3' >/dev/null 2>&1
md cp "$cpc:/tmp/suid" "$RTMP/suid" >/dev/null 2>&1
check_eq "cp out drops the setuid bit" "$(stat -c %a "$RTMP/suid" 2>&1)" 755
md cp -a "$cpc:/tmp/suid" "$RTMP/suid-a" >/dev/null 2>&1
check_eq "cp -a out keeps it" "$(stat -c %a "$RTMP/suid-a" 2>&1)" 4755
md cp "$cpc:/tmp/nul" "$RTMP/nul" >/dev/null 2>&1
check "cp out makes no device node on the host" test ! -e "$RTMP/nul"
rm -f "$RTMP/suid" "$RTMP/suid-a" "$RTMP/nul"

# ---------------------------------------------------------------- the caller's terminal stays the caller's
# script(1) gives our commands a terminal as stdin, stdout and stderr
kinds() { tr -d '\r' | sed -n 's|.*/proc/self/fd/\([0-2]\) -> \([a-z/]*\).*|\1:\2|p' | tr '\n' ' '; }
out=$(echo input | script -qec "$MYDOCKER run --rm -i ${IMG[*]} sh -c 'cat >/dev/null; ls -l /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2'" /dev/null 2>&1 | kinds)
check_eq "run -i without -t on a terminal: the container gets pipes, not the terminal" "$out" "0:pipe 1:pipe 2:pipe "
out=$(script -qec "$MYDOCKER exec $ex sh -c 'ls -l /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2'" /dev/null 2>&1 | kinds)
check_eq "exec without -i/-t on a terminal: /dev/null and pipes" "$out" "0:/dev/null 1:pipe 2:pipe "
out=$(printf 'abc\n' | script -qec "$MYDOCKER exec -i $ex sh -c 'ls -l /proc/self/fd/0; head -c 3'" /dev/null 2>&1 | tr -d '\r')
check_match "exec -i on a terminal: stdin relayed through a pipe" "$out" "/proc/self/fd/0 -> pipe:.*abc"

# ---------------------------------------------------------------- host files: volumes, :ro binds
vol="sec-vol-$UNIQ"
md volume create "$vol" >/dev/null 2>&1
mp=$(md volume inspect -f '{{.Mountpoint}}' "$vol" 2>/dev/null)
check_eq "the volumes directory is docker's 0701" "$(stat -c %a "$(dirname "$(dirname "$mp")")" 2>&1)" 701
md volume rm "$vol" >/dev/null 2>&1
mkdir -p "$RTMP/rro/sub"
if mount -t tmpfs -o size=1m tmpfs "$RTMP/rro/sub" 2>/dev/null; then
    at_exit "umount '$RTMP/rro/sub'"
    out=$(md run --rm -v "$RTMP/rro:/data:ro" "${IMG[@]}" sh -c 'touch /data/sub/x 2>&1; touch /data/y 2>&1' 2>&1)
    check_eq "-v SRC:DST:ro is read-only all the way down (a mount below SRC too)" "$out" \
        "touch: /data/sub/x: Read-only file system"$'\n'"touch: /data/y: Read-only file system"
    check "nothing was written on the host" test ! -e "$RTMP/rro/sub/x"
    out=$(md run --rm --mount "type=bind,src=$RTMP/rro,dst=/data,readonly" "${IMG[@]}" sh -c 'touch /data/sub/x' 2>&1)
    check_eq "--mount ...,readonly: the same" "$out" "touch: /data/sub/x: Read-only file system"
fi

# ---------------------------------------------------------------- seccomp and read-only kernel files
for p in io_uring vsock personality keyctl userfaultfd unshare-user mount module; do
    out=$(md run --rm "${P[@]}" "${IMG[@]}" /probes/escape syscall "$p" 2>&1); rc=$?
    check_eq "default seccomp: $p is refused (EPERM)" "$rc:$out" "1:refused $p: errno=1 (Operation not permitted)"
done
check_match "--privileged: personality(READ_IMPLIES_EXEC) works (no filter)" \
    "$(md run --rm "${P[@]}" --privileged "${IMG[@]}" /probes/escape syscall personality 2>&1)" "^ESCAPED personality"
check_match "--cap-add SYS_ADMIN: docker's profile allows mount" \
    "$(md run --rm "${P[@]}" --cap-add SYS_ADMIN "${IMG[@]}" /probes/escape syscall mount 2>&1)" "^ESCAPED mount"
for f in /proc/sys/kernel/core_pattern /sys/kernel/mm/transparent_hugepage/enabled /proc/sys/vm/overcommit_memory; do
    out=$(md run --rm "${P[@]}" "${IMG[@]}" /probes/escape write "$f" 2>&1); rc=$?
    check_match "default: open $f for writing is refused" "$rc:$out" "^1:refused write: errno=(30|13|1) "
done
check_eq "Seccomp mode 2 in a default container" "$(md run --rm "${IMG[@]}" sh -c 'grep ^Seccomp: /proc/self/status' 2>&1)" $'Seccomp:\t2'

# ---------------------------------------------------------------- --init is confined as the payload
out=$(md run --rm --init "${IMG[@]}" sh -c 'for p in 1 $$; do grep -E "^(CapEff|CapBnd|Seccomp|NoNewPrivs):" /proc/$p/status | tr "\n" " "; echo; done' 2>&1)
check_eq "--init: PID 1 has the payload's capabilities, no_new_privs and seccomp" \
    "$(echo "$out" | sed -n 1p)" "$(echo "$out" | sed -n 2p)"
check_match "--init: PID 1 is filtered" "$(echo "$out" | sed -n 1p)" $'Seccomp:\t2'
check_match "--init: PID 1 lacks CAP_SYS_ADMIN" "$(echo "$out" | sed -n 1p)" $'CapEff:\t00000000a80425fb'
out=$(md run --rm --init -u 1000:1000 "${IMG[@]}" sh -c 'cat /proc/1/status | grep -E "^Uid:" | cut -f2' 2>&1)
check_eq "--init -u 1000: PID 1 runs as the container's user" "$out" 1000

# ---------------------------------------------------------------- a profile from before 2020
newname pc prof
md create --name "$pc" "${IMG[@]}" true >/dev/null 2>&1
cfgfile="$STATE_DIR/$(md inspect -f '{{.Id}}' "$pc")/config.json"
/usr/bin/python3 - "$cfgfile" "$RTMP/old.json" <<'PY'
import json, sys
prof = json.load(open(sys.argv[1]))["linux"]["seccomp"]
new = {"close_range", "clone3", "faccessat2", "epoll_pwait2", "openat2", "pidfd_open",
       "pidfd_send_signal", "pidfd_getfd", "process_madvise", "landlock_add_rule",
       "landlock_create_ruleset", "landlock_restrict_self", "memfd_secret", "futex_waitv",
       "mount_setattr", "process_mrelease", "quotactl_fd", "set_mempolicy_home_node"}
for r in prof["syscalls"]:
    r["names"] = [n for n in r["names"] if n not in new]
prof["syscalls"] = [r for r in prof["syscalls"] if r["names"]]
json.dump(prof, open(sys.argv[2], "w"))
PY
out=$(md run --rm "${P[@]}" --security-opt "seccomp=$RTMP/old.json" "${IMG[@]}" /probes/escape syscall close_range 2>&1); rc=$?
check_eq "a pre-2020 allowlist (no close_range): the container runs, and close_range is refused inside" \
    "$rc:$out" "1:refused close_range: errno=1 (Operation not permitted)"
out=$(md run --rm --init --security-opt "seccomp=$RTMP/old.json" "${IMG[@]}" echo init-ok 2>&1)
check_eq "the same profile with --init" "$out" init-ok
mk_bundle "$B" /probes/escape syscall close_range
cfg "$B" "c['mounts'].append({'destination': '/probes', 'type': 'bind', 'source': '$PROBES', 'options': ['rbind', 'ro']}); c['linux']['seccomp'] = json.load(open('$RTMP/old.json'))"
out=$(R run --bundle "$B" "old-$UNIQ" 2>&1); rc=$?
check_eq "mydocker-runc with the pre-2020 profile runs the container" "$rc:$out" "1:refused close_range: errno=1 (Operation not permitted)"
R delete --force "old-$UNIQ" >/dev/null 2>&1

summary
