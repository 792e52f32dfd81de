#!/bin/sh
# PID 1 of the cgroup v2 test VM (tests/integration/test_cgroup_v2_qemu.sh): moves the
# initramfs onto a tmpfs, mounts proc/sys/dev and cgroup2 at /sys/fs/cgroup (nothing else:
# a pure v2 host), loads overlay, runs mydocker's cgroup checks with the v2 driver and prints
# "ok - ..." / "FAIL - ..." lines and "N passed, N failed" on the serial console.
export PATH=/usr/local/bin:/bin
if [ ! -e /.on-tmpfs ]; then
    # pivot_root(2) cannot move away from the initramfs (it is the root of the mount tree,
    # not a mount on top of one): copy it onto a tmpfs and switch_root there
    mkdir -p /newroot
    mount -t tmpfs -o size=512m,mode=0755 tmpfs /newroot
    for e in /*; do
        case "$e" in /newroot | /proc | /sys | /dev) ;; *) cp -a "$e" /newroot/ ;; esac
    done
    mkdir -p /newroot/proc /newroot/sys /newroot/dev
    : >/newroot/.on-tmpfs
    exec switch_root /newroot /init
fi
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /run /tmp
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
for m in /lib/modules/*/overlay.ko; do insmod "$m"; done
echo "# kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s"

PASS=0 FAILED=0
ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1: $2"; }
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got [$2] want [$3]"; fi; }
check_match() { if echo "$2" | grep -Eq "$3"; then ok "$1"; else fail "$1" "got [$2] want /$3/"; fi; }
md() { mydocker "$@"; }
N=--network=none   # no bridge or veth modules in this initramfs
CG=/sys/fs/cgroup
leftovers() { find "$CG/mydocker" -mindepth 1 -type d 2>/dev/null; }

check_match "mydocker info: cgroup v2" "$(md info 2>&1 | grep 'Cgroup Version')" 'Cgroup Version: v2$'
check_match "overlay loaded" "$(grep -w overlay /proc/filesystems)" overlay

# ---- limits in the v2 files
t0=$(cut -d' ' -f1 /proc/uptime)
id=$(md run -d --name lim $N -m 32m --cpus 0.5 -c 512 --pids-limit 20 --cpuset-cpus 0 busybox sleep 120 2>&1)
echo "# first container started at $t0 s, took $(awk -v a="$t0" '{print $1 - a}' /proc/uptime) s"
check_match "run -d" "$id" '^[0-9a-f]{64}$'
D=$CG/mydocker/$id
check_eq "memory.max = -m 32m" "$(cat $D/memory.max 2>&1)" 33554432
check_eq "memory.swap.max = swap - memory (docker's default swap 64m)" "$(cat $D/memory.swap.max 2>&1)" 33554432
check_eq "cpu.max = --cpus 0.5" "$(cat $D/cpu.max 2>&1)" "50000 100000"
check_eq "cpu.weight from -c 512" "$(cat $D/cpu.weight 2>&1)" 20
check_eq "pids.max = 20" "$(cat $D/pids.max 2>&1)" 20
check_eq "cpuset.cpus = 0" "$(cat $D/cpuset.cpus 2>&1)" 0
check_match "controllers enabled for the leaf" "$(cat $D/cgroup.controllers 2>&1)" 'cpu.*memory.*pids|memory.*pids'
pid=$(md inspect -f '{{.State.Pid}}' lim)
check_eq "PID 1 in 0::/mydocker/<id>" "$(cat /proc/$pid/cgroup)" "0::/mydocker/$id"
check_eq "/sys/fs/cgroup inside: cgroup2 of the container's namespace" "$(md exec lim cat /sys/fs/cgroup/memory.max 2>&1)" 33554432
check_eq "exec joins the cgroup (namespace root)" "$(md exec lim cat /proc/self/cgroup 2>&1)" "0::/"
check_eq "--cpuset-cpus 0 inside" "$(md exec lim grep Cpus_allowed_list /proc/self/status 2>&1 | cut -f2)" 0
md update -m 48m --memory-swap 96m --cpus 1 --pids-limit 30 lim >/dev/null 2>&1
check_eq "update: memory.max" "$(cat $D/memory.max)" 50331648
check_eq "update: memory.swap.max" "$(cat $D/memory.swap.max)" 50331648
check_eq "update: cpu.max" "$(cat $D/cpu.max)" "100000 100000"
check_eq "update: pids.max" "$(cat $D/pids.max)" 30
md pause lim >/dev/null 2>&1
check_eq "pause: cgroup.freeze" "$(cat $D/cgroup.freeze)" 1
check_match "pause: cgroup.events frozen 1" "$(grep frozen $D/cgroup.events)" '^frozen 1$'
check_match "pause: ps shows Paused" "$(md ps --format '{{.Status}}' 2>&1)" 'Paused'
md unpause lim >/dev/null 2>&1
check_match "unpause: frozen 0" "$(grep frozen $D/cgroup.events)" '^frozen 0$'
out=$(md stats --no-stream lim 2>&1)
check_match "stats header" "$(echo "$out" | head -1)" '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$'
check_match "stats row" "$(echo "$out" | sed -n 2p)" "^${id%"${id#????????????}"} +lim +[0-9.]+% +[0-9.]+[KMG]?i?B / 48MiB +[0-9.]+% +0B / 0B +.* +1$"
check_match "top" "$(md top lim 2>&1 | sed -n 2p)" "^root +$pid +.*sleep 120$"
md rm -f lim >/dev/null 2>&1
check_eq "rm -f: the cgroup is gone" "$(ls -d $D 2>/dev/null)" ""

# ---- pids: the 21st process is refused
md run -d --name pids $N --pids-limit 20 busybox sh -c '(for i in $(seq 30); do sleep 60 & done) 2>/dev/null; exec sleep 60' >/dev/null 2>&1
D=$CG/mydocker/$(md inspect -f '{{.Id}}' pids)
i=0; while [ $i -lt 50 ] && ! grep -q '^max [1-9]' $D/pids.events 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
check_match "pids.events: forks refused at 20" "$(cat $D/pids.events 2>&1)" '^max [1-9]'
check_eq "pids.current <= 20" "$(test "$(cat $D/pids.current)" -le 20 && echo yes)" yes
md rm -f pids >/dev/null 2>&1

# ---- OOM
md run --name oom $N -m 32m --memory-swap 32m busybox dd if=/dev/zero of=/dev/null bs=64M count=1 >/dev/null 2>&1
check_eq "OOM: exit 137" "$?" 137
check_eq "OOM: OOMKilled" "$(md inspect -f '{{.State.OOMKilled}}' oom 2>&1)" true
md rm -f oom >/dev/null 2>&1
md run -d --name oomd $N -m 32m --memory-swap 32m busybox sh -c 'x=0123456789; while :; do x=$x$x; done' >/dev/null 2>&1
check_eq "OOM -d: wait gives 137" "$(md wait oomd 2>&1)" 137
sleep 0.5
check_eq "OOM -d: OOMKilled" "$(md inspect -f '{{.State.OOMKilled}}' oomd 2>&1)" true
md rm -f oomd >/dev/null 2>&1

# ---- nothing left
md run --rm $N -m 32m busybox nosuchcmd >/dev/null 2>&1
check_eq "failed start: exit 127" "$?" 127
check_eq "failed start: no cgroup left" "$(leftovers)" ""
i=0
while [ $i -lt 20 ]; do md run --rm $N -m 16m --cpus 0.2 busybox true >/dev/null 2>&1 || fail "cycle $i" "run failed"; i=$((i + 1)); done
check_eq "20 run --rm cycles: no cgroup left" "$(leftovers)" ""
check_eq "bad value: 125" "$(md run --rm $N --cpus 9 busybox true >/dev/null 2>&1; echo $?)" 125
check_eq "nothing left at the end" "$(leftovers)" ""

echo "$PASS passed, $FAILED failed"
sync
poweroff -f
