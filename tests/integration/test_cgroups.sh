#!/usr/bin/env bash
# Resource limits on this host's cgroups (v1 controllers + cgroup2 "unified", or whatever
# `mydocker info` reports): the flags reach the cgroup files, OOM gives 137 + OOMKilled, pids
# and cpuset limits hold inside, exec joins the cgroup, update/pause/unpause/stats/top, and no
# cgroup directory is left behind (rm -f, failed starts, 20 cycles, a killed owner).
# Most containers run under a cgroup parent of this test's own (--cgroup-parent), so that
# "nothing left" can be checked exactly while other tests run containers in parallel.
. "$(dirname "$0")/lib.sh"
setup_image
CG=/sys/fs/cgroup
PARENT="mydocker-cgtest-$$"
P=(--cgroup-parent "$PARENT")
NAMES=()

# every directory the cgroup path $1 (e.g. mydocker/<id>) has in any hierarchy
cg_dirs() {
    local d
    for d in "$CG"/*/"$1" "$CG/$1"; do [ -d "$d" ] && echo "$d"; done
}
# the children of our parent, in any hierarchy
parent_children() { cg_dirs "$PARENT" | while read -r d; do find "$d" -mindepth 1 -type d; done; }
cleanup() {
    local n d
    for n in "${NAMES[@]}"; do md rm -f "$n" >/dev/null 2>&1; done
    for d in $(cg_dirs "$PARENT"); do rmdir "$d"/* "$d" 2>/dev/null; done
}
at_exit cleanup
CG_TMP_ERR=$(mktemp /tmp/mydocker-cgtest-info.XXXXXX)
at_exit "rm -f $CG_TMP_ERR $CG_TMP_ERR.saved"

# newname VAR SUFFIX: a unique container name in VAR, removed at exit (no subshell: NAMES
# must grow in this shell)
newname() { printf -v "$1" '%s' "cg-$UNIQ-$2"; NAMES+=("cg-$UNIQ-$2"); }
id_of() { md inspect -f '{{.Id}}' "$1" 2>/dev/null; }
# cgfile NAME HIERARCHY FILE: a file of the container's cgroup under our parent
cgfile() { cat "$CG/$2/$PARENT/$(id_of "$1")/$3" 2>&1; }
hier() { # the directory name of the v1 hierarchy holding controller $1 ("cpu" or "cpu,cpuacct")
    local d
    for d in "$CG"/*; do
        [ -L "$d" ] && continue
        case ",$(basename "$d")," in *",$1,"*) basename "$d"; return ;; esac
    done
}
MODE=$(md info 2>/dev/null | awk -F': ' '/Cgroup Version/ {print $2}')
echo "# cgroup mode: $MODE"
if [ "$MODE" = v2 ]; then
    echo "# this test reads v1 files; tests/integration/test_cgroup_v2_qemu.sh covers v2"
    echo "0 passed, 0 failed"; exit 0
fi
MEM=$(hier memory) CPU=$(hier cpu) PIDS=$(hier pids) CPUSET=$(hier cpuset) FRZ=$(hier freezer)
BLK=$(hier blkio)

# ---------------------------------------------------------------- host features (engine/hostinfo.c)
want_w=no; [ -f "$CG/$BLK/blkio.weight" ] || ls "$CG/$BLK"/*/blkio.bfq.weight >/dev/null 2>&1 && want_w=yes
want_sw=no; [ -f "$CG/$MEM/memory.memsw.limit_in_bytes" ] && want_sw=yes
info=$(md info 2>"$CG_TMP_ERR")
check_match "info: blkio weight as the files say ($want_w)" "$info" "Cgroup Block I/O: weight=$want_w "
check_match "info: swap accounting as the files say ($want_sw)" "$info" "Cgroup Memory: limit=yes swap=$want_sw "
check_match "info: seccomp" "$info" "Seccomp: yes \(filter: yes\)"
if [ "$want_w" = no ]; then
    check_match "info: docker's warning for the missing weight, on stderr" "$(cat "$CG_TMP_ERR")" "^WARNING: No blkio weight support"
fi
check_eq "the probe is cached for this boot" \
    "$(python3 -c 'import json; print(json.load(open("/run/mydocker/hostinfo.json"))["boot_id"])')" \
    "$(cat /proc/sys/kernel/random/boot_id)"
# a cache of another boot is not believed
cp /run/mydocker/hostinfo.json "$CG_TMP_ERR.saved"
python3 -c 'import json; p="/run/mydocker/hostinfo.json"; d=json.load(open(p)); d["boot_id"]="another-boot"; d["cgroup_blkio_weight"]=not d["cgroup_blkio_weight"]; json.dump(d, open(p,"w"))'
check_match "a cache of another boot is probed again" "$(md info 2>/dev/null)" "Cgroup Block I/O: weight=$want_w "

# ---------------------------------------------------------------- OOM
newname n oom
md run --name "$n" "${P[@]}" -m 32m --memory-swap 32m "${IMG[@]}" dd if=/dev/zero of=/dev/null bs=64M count=1 >/dev/null 2>&1
check_eq "OOM: foreground run exits 137" "$?" 137
check_eq "OOM: inspect shows OOMKilled" "$(md inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' "$n" 2>&1)" "true 137"
newname n oomd
md run -d --name "$n" "${P[@]}" -m 32m --memory-swap 32m "${IMG[@]}" sh -c 'x=0123456789; while :; do x=$x$x; done' >/dev/null 2>&1
check_eq "OOM: detached container's wait gives 137" "$(timeout 30 "$MYDOCKER" wait "$n" 2>&1)" 137
md_wait_oom() { [ "$(md inspect -f '{{.State.OOMKilled}}' "$n" 2>&1)" = true ]; }
wait_for 3 md_wait_oom
check_eq "OOM: detached container recorded OOMKilled" "$(md inspect -f '{{.State.OOMKilled}}' "$n" 2>&1)" true
newname n nooom
md run --name "$n" "${P[@]}" -m 32m "${IMG[@]}" true >/dev/null 2>&1
check_eq "no OOM: OOMKilled false" "$(md inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' "$n" 2>&1)" "false 0"

# ---------------------------------------------------------------- limits in the cgroup files
newname n limits
limits_err=$(md run -d --name "$n" "${P[@]}" -m 32m --memory-reservation 16m --cpus 0.5 -c 512 --pids-limit 20 \
    --cpuset-cpus 0 --blkio-weight 300 --oom-score-adj 321 "${IMG[@]}" sleep 60 2>&1 >/dev/null)
check_eq "memory.limit_in_bytes = -m 32m" "$(cgfile "$n" "$MEM" memory.limit_in_bytes)" 33554432
check_eq "memsw = twice the memory (docker's default swap)" "$(cgfile "$n" "$MEM" memory.memsw.limit_in_bytes)" 67108864
check_eq "memory.soft_limit_in_bytes = --memory-reservation" "$(cgfile "$n" "$MEM" memory.soft_limit_in_bytes)" 16777216
check_eq "--cpus 0.5: cfs quota 50000" "$(cgfile "$n" "$CPU" cpu.cfs_quota_us)" 50000
check_eq "--cpus 0.5: cfs period 100000" "$(cgfile "$n" "$CPU" cpu.cfs_period_us)" 100000
check_eq "cpu.shares = -c 512" "$(cgfile "$n" "$CPU" cpu.shares)" 512
check_eq "pids.max = 20" "$(cgfile "$n" "$PIDS" pids.max)" 20
check_eq "cpuset.cpus = 0" "$(cgfile "$n" "$CPUSET" cpuset.cpus)" 0
# the weight files went with CFQ (blkio.weight) and exist only while BFQ is loaded
# (blkio.bfq.weight, not on the root): where the host has neither, docker's rule is a
# warning, the weight discarded, and the container runs
ctr_blk="$CG/$BLK/$PARENT/$(id_of "$n")"
BLK_WEIGHT=()
if [ -f "$ctr_blk/blkio.weight" ] || [ -f "$ctr_blk/blkio.bfq.weight" ]; then
    BLK_WEIGHT=("--blkio-weight 5") # out of range is refused only where a weight applies (docker)
    w=$(cgfile "$n" "$BLK" blkio.bfq.weight); [ -f "$ctr_blk/blkio.weight" ] && w=$(cgfile "$n" "$BLK" blkio.weight)
    check_match "blkio weight 300" "$w" '(^| )300$'
    check_eq "HostConfig.BlkioWeight" "$(md inspect -f '{{.HostConfig.BlkioWeight}}' "$n" 2>&1)" 300
else
    check_eq "no blkio weight file: docker's warning, once" "$limits_err" \
        "WARNING: Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded."
    check_eq "no blkio weight file: HostConfig.BlkioWeight shows what was applied" \
        "$(md inspect -f '{{.HostConfig.BlkioWeight}}' "$n" 2>&1)" 0
    out=$(md update --blkio-weight 300 "$n" 2>&1); rc=$?
    check_eq "update --blkio-weight: the same warning, and the update goes on" "$rc:$out" \
        "0:WARNING: Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded."$'\n'"$n"
fi
check_eq "the container with every limit runs" "$(md inspect -f '{{.State.Status}}' "$n" 2>&1)" running
check_eq "PID 1's oom_score_adj" "$(cat "/proc/$(md inspect -f '{{.State.Pid}}' "$n")/oom_score_adj" 2>&1)" 321
check_eq "HostConfig: Memory MemorySwap NanoCpus PidsLimit CpusetCpus" \
    "$(md inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpusetCpus}} {{.HostConfig.CgroupParent}}' "$n" 2>&1)" \
    "33554432 67108864 500000000 20 0 $PARENT"
pid1=$(md inspect -f '{{.State.Pid}}' "$n")
check_match "PID 1 is in the container's cgroup in every hierarchy" "$(grep -c ":/$PARENT/$(id_of "$n")\$" "/proc/$pid1/cgroup")" "^(9|1[0-9])$"

# ---------------------------------------------------------------- exec joins the cgroup
check_eq "exec: every line of /proc/self/cgroup is the namespace root" \
    "$(md exec "$n" cat /proc/self/cgroup 2>&1 | grep -v ':/$' | wc -l)" 0
md exec "$n" sleep 3 >/dev/null 2>&1 &
epid=$!
count_procs() { [ "$(wc -l <"$CG/$MEM/$PARENT/$(id_of "$n")/cgroup.procs")" -eq 2 ]; }
wait_for 2 count_procs
check_eq "exec'd process counted in the container's memory cgroup" "$(wc -l <"$CG/$MEM/$PARENT/$(id_of "$n")/cgroup.procs")" 2
wait "$epid"

# ---------------------------------------------------------------- top
out=$(md top "$n" 2>&1)
check_match "top: docker's -ef columns" "$(echo "$out" | head -1)" '^UID +PID +PPID +C +STIME +TTY +TIME +CMD$'
check_match "top: the sleep with its host pid" "$(echo "$out" | sed -n 2p)" "^root +$pid1 +[0-9]+ +[0-9]+ +[0-9:A-Za-z]+ +\\? +00:00:00 +sleep 60$"
check_match "top -o pid,comm" "$(md top "$n" -o pid,comm 2>&1 | tr -s ' ' | tr '\n' '|')" "^PID COMMAND\\|$pid1 sleep\\|$"
check_rc "top of a missing container fails" 1 md top "nosuch-$UNIQ"

# ---------------------------------------------------------------- update
md update -m 24m "$n" >/dev/null 2>&1
check_eq "update -m 24m: limit changed live" "$(cgfile "$n" "$MEM" memory.limit_in_bytes)" 25165824
check_rc "update -m above the swap limit fails as docker's does" 1 md update -m 128m "$n"
out=$(md update -m 128m --memory-swap 256m --pids-limit 50 --cpus 1 --cpuset-cpus 0-1 "$n" 2>&1)
check_eq "update prints the container" "$out" "$n"
check_eq "update: memory.limit_in_bytes" "$(cgfile "$n" "$MEM" memory.limit_in_bytes)" 134217728
check_eq "update: memsw" "$(cgfile "$n" "$MEM" memory.memsw.limit_in_bytes)" 268435456
check_eq "update: pids.max" "$(cgfile "$n" "$PIDS" pids.max)" 50
check_eq "update: cfs quota" "$(cgfile "$n" "$CPU" cpu.cfs_quota_us)" 100000
check_eq "update: cpuset.cpus" "$(cgfile "$n" "$CPUSET" cpuset.cpus)" 0-1
check_eq "update: HostConfig" "$(md inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}' "$n" 2>&1)" "134217728 50 1000000000"
cfg="$STATE_DIR/$(id_of "$n")/config.json"
check_eq "update: config.json keeps it for a restart" \
    "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["linux"]["resources"]; print(r["memory"]["limit"], r["pids"]["limit"], r["cpu"]["quota"])' "$cfg" 2>&1)" \
    "134217728 50 100000"
check_rc "update --cpu-quota after --cpus: docker's conflict" 1 md update --cpu-quota 20000 "$n"
check_rc "update with a bad value: 125" 125 md update -m lots "$n"
check_rc "update without flags: 125" 125 md update "$n"
md update --restart on-failure:2 "$n" >/dev/null 2>&1
check_eq "update --restart" "$(md inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' "$n" 2>&1)" on-failure:2
md update --restart no "$n" >/dev/null 2>&1

# ---------------------------------------------------------------- stats
out=$(md stats --no-stream "$n" 2>&1)
check_match "stats: docker's header" "$(echo "$out" | head -1)" '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$'
check_match "stats: the row" "$(echo "$out" | sed -n 2p)" "^$(id_of "$n" | cut -c1-12) +$n +[0-9]+\\.[0-9]{2}% +[0-9.]+(B|KiB|MiB) / 128MiB +[0-9]+\\.[0-9]{2}% +[0-9.]+[kM]?B / [0-9.]+[kM]?B +[0-9.]+[kM]?B / [0-9.]+[kM]?B +1$"
check_eq "stats: two lines" "$(echo "$out" | wc -l)" 2
check_eq "stats --format" "$(md stats --no-stream --format '{{.Name}}:{{.PIDs}}:{{.MemUsage}}' "$n" 2>&1 | sed 's/:[^:]* \//:X \//')" "$n:1:X / 128MiB"
newname n2 busy
md run -d --name "$n2" "${P[@]}" --cpus 0.5 "${IMG[@]}" sh -c 'while :; do :; done' >/dev/null 2>&1
cpu=$(md stats --no-stream --format '{{.CPUPerc}}' "$n2" 2>&1)
check_match "stats: a busy loop under --cpus 0.5 shows 30-70% CPU" "$cpu" '^([3-6][0-9]|70)\.[0-9]{2}%$'
md rm -f "$n2" >/dev/null 2>&1
# the record keeps the container's cgroup path (cgroup_path, not in inspect); a record made
# before it is read from config.json: rm still finds and removes the cgroup
newname n2b oldrec
md run -d --name "$n2b" "${P[@]}" "${IMG[@]}" sleep 60 >/dev/null 2>&1
rec=$(dirname "$(md inspect -f '{{.ResolvConfPath}}' "$n2b")")/container.json
check_match "the record's cgroup path" "$(grep -o '"cgroup_path":"[^"]*"' "$rec")" "\"cgroup_path\":\"$PARENT/$(id_of "$n2b")\""
check_eq "... not in inspect" "$(md inspect "$n2b" | grep -c cgroup_path)" 0
/usr/bin/python3 -c 'import json,sys; p=sys.argv[1]; r=json.load(open(p)); del r["cgroup_path"]; json.dump(r, open(p,"w"))' "$rec"
cgd="$CG/$MEM/$PARENT/$(id_of "$n2b")"
md rm -f "$n2b" >/dev/null 2>&1
check "rm of a record without it: the cgroup is gone (from config.json)" test ! -d "$cgd"
newname n3 stopped
md create --name "$n3" "${P[@]}" "${IMG[@]}" true >/dev/null 2>&1
check_match "stats of a stopped container: zeros" "$(md stats --no-stream "$n3" 2>&1 | sed -n 2p)" "^[0-9a-f]{12} +$n3 +0\\.00% +0B / 0B +0\\.00% +0B / 0B +0B / 0B +0$"
check_rc "stats of a missing container fails" 1 md stats --no-stream "nosuch-$UNIQ"

# ---------------------------------------------------------------- pause / unpause
newname n4 pause
md run -d --name "$n4" "${P[@]}" "${IMG[@]}" sh -c 'while :; do echo x >>/tmp/c; done' >/dev/null 2>&1
p4=$(md inspect -f '{{.State.Pid}}' "$n4")
check_eq "pause prints the name" "$(md pause "$n4" 2>&1)" "$n4"
check_eq "freezer.state FROZEN" "$(cgfile "$n4" "$FRZ" freezer.state)" FROZEN
check_match "ps shows (Paused)" "$(md ps --filter "name=$n4" --format '{{.Status}}' 2>&1)" 'Paused\)$'
check_eq "inspect: paused" "$(md inspect -f '{{.State.Status}} {{.State.Paused}}' "$n4" 2>&1)" "paused true"
counter() { stat -c %s "/proc/$p4/root/tmp/c" 2>/dev/null || echo 0; } # the file grows while it runs
a=$(counter); sleep 0.3; b=$(counter)
check_eq "paused: the counter stands still" "$a" "$b"
check_match "pause again: docker's error" "$(md pause "$n4" 2>&1)" "^mydocker: Container [0-9a-f]{64} is already paused$"
check_rc "exec into a paused container fails" 1 md exec "$n4" true
check_eq "unpause prints the name" "$(md unpause "$n4" 2>&1)" "$n4"
sleep 0.3; c=$(counter)
check "unpaused: the counter moves on" test "$c" -gt "$b"
check_match "unpause again: docker's error" "$(md unpause "$n4" 2>&1)" "^mydocker: Container [0-9a-f]{64} is not paused$"
check_match "pause of a stopped container" "$(md pause "$n3" 2>&1)" "^mydocker: Container [0-9a-f]{64} is not running$"
md pause "$n4" >/dev/null 2>&1
check_rc "a paused container stops (thawed to die)" 0 timeout 10 "$MYDOCKER" stop -t 1 "$n4"
check_eq "stopped after pause: exited" "$(md inspect -f '{{.State.Status}}' "$n4" 2>&1)" exited

# ---------------------------------------------------------------- inside the container
# the start keeps the child off its own CPU until the child has the process to run
# (runtime/container.c place_child); the container ends with its starter's affinity
host_cpus=$(grep Cpus_allowed_list /proc/self/status)
check_eq "the container's CPU affinity is its starter's" \
    "$(md run --rm --network none "${IMG[@]}" grep Cpus_allowed_list /proc/self/status 2>&1)" "$host_cpus"
if [ "$(nproc)" -gt 1 ]; then
    check_eq "a starter pinned to CPU 1: so is its container" \
        "$(taskset -c 1 "$MYDOCKER" run --rm --network none "${IMG[@]}" grep Cpus_allowed_list /proc/self/status 2>&1)" \
        "$(printf 'Cpus_allowed_list:\t1')"
fi
check_eq "no --cpuset-cpus: every host cpu and mem node, from the parent (clone_children)" \
    "$(md run --rm "${P[@]}" "${IMG[@]}" sh -c 'grep -E "^(Cpus|Mems)_allowed_list" /proc/self/status | cut -f2' 2>&1 | tr '\n' ' ')|$(cat "$CG/$CPUSET/$PARENT/cgroup.clone_children" 2>&1)" \
    "$(cat "$CG/$CPUSET/cpuset.cpus") $(cat "$CG/$CPUSET/cpuset.mems") |1"
check_eq "--cpuset-cpus 0: Cpus_allowed_list" "$(md run --rm "${P[@]}" --cpuset-cpus 0 "${IMG[@]}" sh -c 'grep Cpus_allowed_list /proc/self/status | cut -f2' 2>&1)" 0
newname n5 pids
# busybox sh gives up when a fork fails: the forks happen in a subshell, PID 1 survives it
md run -d --name "$n5" "${P[@]}" --pids-limit 20 "${IMG[@]}" sh -c '(for i in $(seq 30); do sleep 60 & done) 2>/dev/null; exec sleep 60' >/dev/null 2>&1
pids_refused() { [[ "$(cgfile "$n5" "$PIDS" pids.events)" =~ ^max\ [1-9] ]]; }
wait_for 5 pids_refused
check_match "--pids-limit 20: forks refused (pids.events)" "$(cgfile "$n5" "$PIDS" pids.events)" '^max [1-9]'
if [ -f "$CG/$PIDS/$PARENT/$(id_of "$n5")/pids.peak" ]; then
    check_eq "--pids-limit 20: at most 20 tasks ever (pids.peak)" "$(cgfile "$n5" "$PIDS" pids.peak)" 20
fi
check "--pids-limit 20: 20 or fewer tasks now" test "$(wc -l <"$CG/$PIDS/$PARENT/$(id_of "$n5")/cgroup.procs")" -le 20
check_eq "--pids-limit 20: PID 1 survived" "$(md inspect -f '{{.State.Status}}' "$n5" 2>&1)" running
md rm -f "$n5" >/dev/null 2>&1
check_eq "/sys/fs/cgroup inside: the container's own memory cgroup" "$(md run --rm "${P[@]}" -m 32m "${IMG[@]}" cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>&1)" 33554432
check_match "/sys/fs/cgroup inside is read-only" "$(md run --rm "${P[@]}" "${IMG[@]}" sh -c 'echo 1 >/sys/fs/cgroup/pids/pids.max' 2>&1)" 'Read-only file system'
if [ -d /sys/fs/cgroup/memory ]; then # v1/hybrid: a tmpfs of binds (flags set in one mount_setattr)
    mi=$(md run --rm "${P[@]}" "${IMG[@]}" grep ' /sys/fs/cgroup' /proc/self/mountinfo 2>&1)
    check_eq "v1: every hierarchy inside is ro,nosuid,nodev,noexec" \
        "$(awk '$5 ~ "^/sys/fs/cgroup/" {split($6, o, ","); print o[1] "," o[2] "," o[3] "," o[4]}' <<<"$mi" | sort -u)" \
        "ro,nosuid,nodev,noexec"
    check "v1: at least the memory and pids hierarchies are there" \
        test "$(awk '$5 ~ "^/sys/fs/cgroup/(memory|pids)$"' <<<"$mi" | wc -l)" -eq 2
    # the parent makes the cgroups after the clone; the child binds them once told they exist
    want=$(awk '$5 ~ "^/sys/fs/cgroup/"' <<<"$mi" | wc -l) short=0
    for i in $(seq 20); do
        got=$(md run --rm "${P[@]}" "${IMG[@]}" sh -c 'grep -c " /sys/fs/cgroup/" /proc/self/mountinfo' 2>&1)
        [ "$got" = "$want" ] || short=$((short + 1))
    done
    check_eq "v1: 20 starts, each with all $want hierarchies" "$short" 0
    check_match "v1: the tmpfs holding them stays writable (as runc leaves it)" \
        "$(awk '$5 == "/sys/fs/cgroup" {print $6}' <<<"$mi")" '^rw,nosuid,nodev,noexec'
fi
check_eq "--oom-score-adj" "$(md run --rm --oom-score-adj 200 "${IMG[@]}" cat /proc/1/oom_score_adj 2>&1)" 200
check_eq "--cgroupns private (default): the cgroup is the namespace root" "$(md run --rm "${IMG[@]}" sh -c 'grep -c -v ":/$" /proc/self/cgroup' 2>&1)" 0
newname n6 cgns
md run -d --name "$n6" --cgroupns host "${IMG[@]}" sleep 60 >/dev/null 2>&1
check_match "--cgroupns host: exec sees the host's path" "$(md exec "$n6" grep memory /proc/self/cgroup 2>&1)" ":memory:/mydocker/$(id_of "$n6")$"
check_eq "default --cgroup-parent: mydocker/<id>" "$(cat "$CG/$MEM/mydocker/$(id_of "$n6")/memory.limit_in_bytes" 2>/dev/null | wc -l)" 1
id6=$(id_of "$n6")
md rm -f "$n6" >/dev/null 2>&1
check_eq "rm -f: no mydocker/<id> in any hierarchy" "$(cg_dirs "mydocker/$id6")" ""
newname n7 swap
md run -d --name "$n7" "${P[@]}" -m 32m --memory-swap -1 "${IMG[@]}" sleep 60 >/dev/null 2>&1
check_eq "--memory-swap -1: memsw unlimited" "$(cgfile "$n7" "$MEM" memory.memsw.limit_in_bytes)" "$(cat "$CG/$MEM/memory.memsw.limit_in_bytes")"
md rm -f "$n7" >/dev/null 2>&1
if [ -b /dev/vda ] || [ -b /dev/sda ]; then
    dev=/dev/vda; [ -b "$dev" ] || dev=/dev/sda
    mm=$(printf '%d:%d' "0x$(stat -c %t "$dev")" "0x$(stat -c %T "$dev")")
    newname n8 bps
    md run -d --name "$n8" "${P[@]}" --device-read-bps "$dev:1mb" --device-write-bps "$dev:2m" "${IMG[@]}" sleep 60 >/dev/null 2>&1
    check_eq "--device-read-bps" "$(cgfile "$n8" "$BLK" blkio.throttle.read_bps_device)" "$mm 1048576"
    check_eq "--device-write-bps" "$(cgfile "$n8" "$BLK" blkio.throttle.write_bps_device)" "$mm 2097152"
    md rm -f "$n8" >/dev/null 2>&1
    newname n8i iops
    md run -d --name "$n8i" "${P[@]}" --device-read-iops "$dev:300" --device-write-iops "$dev:40" "${IMG[@]}" sleep 60 >/dev/null 2>&1
    check_eq "--device-read-iops" "$(cgfile "$n8i" "$BLK" blkio.throttle.read_iops_device)" "$mm 300"
    check_eq "--device-write-iops" "$(cgfile "$n8i" "$BLK" blkio.throttle.write_iops_device)" "$mm 40"
    check_eq "inspect: BlkioDeviceReadIOps" "$(md inspect -f '{{json .HostConfig.BlkioDeviceReadIOps}}' "$n8i")" "[{\"Path\":\"$dev\",\"Rate\":300}]"
    md rm -f "$n8i" >/dev/null 2>&1
    newname n8w wdev
    out=$(md run -d --name "$n8w" "${P[@]}" --blkio-weight-device "$dev:300" "${IMG[@]}" sleep 60 2>&1 >/dev/null)
    if [ -e "$CG/$BLK/blkio.weight_device" ]; then
        check_eq "--blkio-weight-device" "$(cgfile "$n8w" "$BLK" blkio.weight_device)" "$mm 300"
    else # kernel 6.18's v1 blkio has only throttle files: docker's warning, carry on
        check_eq "--blkio-weight-device without the file: docker's warning" "$out" \
            "WARNING: Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded."
        check_eq "... and the container runs" "$(md inspect -f '{{.State.Running}}' "$n8w")" true
    fi
    md rm -f "$n8w" >/dev/null 2>&1
fi
newname n9 swappiness
md run -d --name "$n9" "${P[@]}" -m 32m --memory-swappiness 7 "${IMG[@]}" sleep 60 >/dev/null 2>&1
check_eq "--memory-swappiness" "$(cgfile "$n9" "$MEM" memory.swappiness)" 7
check_eq "inspect: MemorySwappiness" "$(md inspect -f '{{.HostConfig.MemorySwappiness}}' "$n9")" 7
md rm -f "$n9" >/dev/null 2>&1
if [ -e "$CG/$CPU/cpu.rt_runtime_us" ]; then
    newname n10 rt
    md run -d --name "$n10" "${P[@]}" --cpu-rt-runtime 0 "${IMG[@]}" sleep 60 >/dev/null 2>&1
    check_eq "--cpu-rt-runtime 0 accepted" "$(md inspect -f '{{.State.Running}}' "$n10")" true
    md rm -f "$n10" >/dev/null 2>&1
else
    check_eq "--cpu-rt-runtime without the kernel's RT group scheduling: docker's error" \
        "$(md run --rm --cpu-rt-runtime 1000 "${IMG[@]}" true 2>&1)" "mydocker: Your kernel does not support CPU real-time scheduler"
fi

# ---------------------------------------------------------------- bad values: 125, nothing made
for bad in "-m 5m" "-m 1x" "--memory-swap 1g" "-m 64m --memory-swap 32m" "--cpus 99" "--cpus x" \
    "--cpuset-cpus 0-99" "--cpuset-cpus a" "--cpuset-mems 7" "${BLK_WEIGHT[@]}" "--pids-limit x" \
    "--oom-score-adj 2000" "--cpu-period 10" "--cpu-quota 10" "--device-read-bps /dev/nonexistent:1m" \
    "--device-write-bps /dev/null:1m" "--cgroupns other" "--cgroup-parent a/../b" "--cpus 1 --cpu-quota 5000"; do
    nb="cg-$UNIQ-bad"
    before=$(parent_children)
    # shellcheck disable=SC2086
    out=$(md run --rm --name "$nb" "${P[@]}" $bad "${IMG[@]}" true 2>&1); rc=$?
    if [ "$rc" -eq 125 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && ! md inspect "$nb" >/dev/null 2>&1 \
        && [ "$(parent_children)" = "$before" ]; then ok "bad value $bad: 125, one line, nothing created"
    else fail "bad value $bad: 125, one line, nothing created" "rc=$rc out=$out"; md rm -f "$nb" >/dev/null 2>&1; fi
done

# ---------------------------------------------------------------- nothing left behind
for n in "${NAMES[@]}"; do md rm -f "$n" >/dev/null 2>&1; done
check_eq "rm -f of every container: no cgroup left under our parent" "$(parent_children)" ""
md run --rm "${P[@]}" -m 32m "${IMG[@]}" nosuchcmd-$$ >/dev/null 2>&1
check_eq "a failed start (missing command) leaves no cgroup" "$(parent_children)" ""
newname nf failed
md create --name "$nf" "${P[@]}" -m 32m "${IMG[@]}" /nonexistent >/dev/null 2>&1
md start "$nf" >/dev/null 2>&1
check_eq "a failed start -d leaves no cgroup" "$(parent_children)" ""
for i in $(seq 20); do
    md run --rm "${P[@]}" -m 16m --pids-limit 10 "${IMG[@]}" true >/dev/null 2>&1 || fail "cycle $i" "run failed"
    nc="cg-$UNIQ-cycle"
    md run -d --name "$nc" "${P[@]}" --cpus 0.2 "${IMG[@]}" sleep 30 >/dev/null 2>&1
    md rm -f "$nc" >/dev/null 2>&1
done
check_eq "20 run --rm and 20 run -d / rm -f cycles: no cgroup left" "$(parent_children)" ""
"$MYDOCKER" run --rm "${P[@]}" "${IMG[@]}" sleep 30 >/dev/null 2>&1 &
owner=$!
has_child() { [ -n "$(parent_children)" ] && [ -n "$(cat "$CG/$MEM/$PARENT"/*/cgroup.procs 2>/dev/null)" ]; }
wait_for 5 has_child
kill -9 "$owner"; wait "$owner" 2>/dev/null
sleep 0.2
md run --rm "${IMG[@]}" true >/dev/null 2>&1   # sweeps the dead owner's container
check_eq "owner killed with -9: the next run removes its cgroup" "$(parent_children)" ""
for n in "${NAMES[@]}"; do md rm -f "$n" >/dev/null 2>&1; done
summary
