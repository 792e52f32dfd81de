#!/usr/bin/env bash
# run's namespace and kernel flags (issue 14): --ipc, --pid, --uts, --userns, --shm-size,
# --sysctl, --domainname, --group-add, --annotation, --stop-timeout, each checked inside a real
# container against the kernel's view, with docker's refusals and exit codes.
. "$(dirname "$0")/lib.sh"
setup_image
N=mdrf-$UNIQ
at_exit "md rm -f $N-x $N-s $N-i $N-g $N-p $N-d $N-l $N-e $N-n $N-a >/dev/null 2>&1"
R=(--rm --network none "${IMG[@]}")

# ---------------------------------------------------------------- --shm-size, --ipc
check_eq "--shm-size 10m: /dev/shm is 10 MiB" "$(md run --shm-size 10m "${R[@]}" sh -c 'df -k /dev/shm | awk "NR==2 {print \$2}"')" 10240
check_eq "default /dev/shm: docker's 64 MiB" "$(md run "${R[@]}" sh -c 'df -k /dev/shm | awk "NR==2 {print \$2}"')" 65536
check_eq "--ipc none: no /dev/shm mount" "$(md run --ipc none "${R[@]}" sh -c 'grep -c " /dev/shm " /proc/mounts')" 0
check_eq "--ipc host: the host's IPC namespace" "$(md run --ipc host "${R[@]}" readlink /proc/self/ns/ipc)" "$(readlink /proc/self/ns/ipc)"
check_not "default: an IPC namespace of its own" test "$(md run "${R[@]}" readlink /proc/self/ns/ipc)" = "$(readlink /proc/self/ns/ipc)"
md run -d --name $N-x --network none "${IMG[@]}" sleep 100 >/dev/null
check_eq "--ipc container:X: X's IPC namespace" "$(md run --ipc container:$N-x "${R[@]}" readlink /proc/self/ns/ipc)" \
    "$(md exec $N-x readlink /proc/self/ns/ipc)"
check_eq "--pid container:X: X's processes are visible" \
    "$(md run --pid container:$N-x "${R[@]}" sh -c 'cat /proc/1/cmdline | tr "\0" " "')" "sleep 100 "
check_eq "--pid host: the host's PID namespace" "$(md run --pid host "${R[@]}" readlink /proc/self/ns/pid)" "$(readlink /proc/self/ns/pid)"
check_eq "inspect: HostConfig.IpcMode/PidMode/ShmSize of a default container" \
    "$(md inspect -f '{{.HostConfig.IpcMode}}|{{.HostConfig.PidMode}}|{{.HostConfig.ShmSize}}' $N-x)" "private||67108864"
md stop -t 0 $N-x >/dev/null
err_case "--pid container:X with X stopped" 125 "mydocker: cannot join PID of a non running container: $N-x" \
    md run --pid container:$N-x "${R[@]}" true
err_case "--ipc container:nosuch" 125 "mydocker: joining IPC namespace of container: No such container: nosuch-$UNIQ" \
    md run --ipc container:nosuch-$UNIQ "${R[@]}" true
err_case "--ipc bogus" 125 "mydocker: --ipc: invalid IPC mode
See 'mydocker run --help'." md run --ipc bogus "${R[@]}" true
err_case "--pid bogus" 125 "mydocker: --pid: invalid PID mode
See 'mydocker run --help'." md run --pid bogus "${R[@]}" true
err_case "--shm-size bogus" 125 "mydocker: invalid argument \"1q\" for \"--shm-size\" flag: invalid size: '1q'" \
    md run --shm-size 1q "${R[@]}" true

# ---------------------------------------------------------------- --uts, --domainname, --userns
check_eq "--uts host: the host's name" "$(md run --uts host "${R[@]}" hostname)" "$(hostname)"
err_case "--uts host with -h" 125 "mydocker: Conflicting options: hostname and the UTS mode" \
    md run --uts host -h x "${R[@]}" true
err_case "--uts bogus" 125 "mydocker: --uts: invalid UTS mode
See 'mydocker run --help'." md run --uts bogus "${R[@]}" true
check_eq "--domainname" "$(md run -h web --domainname example.org "${R[@]}" sh -c 'echo $(hostname) $(cat /proc/sys/kernel/domainname)')" "web example.org"
check_rc "--userns host (no remapping: the default)" 0 md run --userns host "${R[@]}" true
err_case "--userns other than host" 125 "mydocker: --userns: invalid USER mode
See 'mydocker run --help'." md run --userns remap "${R[@]}" true

# ---------------------------------------------------------------- --sysctl
check_eq "--sysctl of the container's namespaces" \
    "$(md run --sysctl net.ipv4.ip_forward=1 --sysctl kernel.shmmax=1000000 "${R[@]}" cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax | tr '\n' ' ')" "1 1000000 "
check_not "... the host's unchanged" test "$(cat /proc/sys/kernel/shmmax)" = 1000000
err_case "--sysctl of the whole host refused" 125 \
    "mydocker: invalid argument \"kernel.core_pattern=|/x\" for \"--sysctl\" flag: sysctl 'kernel.core_pattern=|/x' is not allowed" \
    md run --sysctl 'kernel.core_pattern=|/x' "${R[@]}" true
err_case "--sysctl net.* with --network host" 125 "mydocker: --sysctl net.ipv4.ip_forward cannot be used with --net=host" \
    md run --rm --network host --sysctl net.ipv4.ip_forward=1 "${IMG[@]}" true
err_case "--sysctl kernel.shm* with --ipc host" 125 "mydocker: --sysctl kernel.shmmax cannot be used with --ipc=host" \
    md run --ipc host --sysctl kernel.shmmax=1 "${R[@]}" true

# ---------------------------------------------------------------- --group-add, --annotation
check_match "--group-add 1234: a supplementary group" "$(md run --group-add 1234 "${R[@]}" id)" "groups=.*1234"
err_case "--group-add of a group the image lacks" 125 "mydocker: Unable to find group nosuchgroup: no matching entries in group file" \
    md run --group-add nosuchgroup "${R[@]}" true
id=$(md create --name $N-i --network none --annotation org.example.k=v --annotation flag \
    --sysctl net.ipv4.ip_forward=1 --group-add 1234 --domainname d.example "${IMG[@]}" true)
check_eq "inspect: Annotations, Sysctls, GroupAdd, Domainname" \
    "$(md inspect -f '{{json .HostConfig.Annotations}} {{json .HostConfig.Sysctls}} {{json .HostConfig.GroupAdd}} {{.Config.Domainname}}' $N-i)" \
    '{"org.example.k":"v","flag":""} {"net.ipv4.ip_forward":"1"} ["1234"] d.example'
spec=$(ls /var/lib/mydocker/containers/"$id"/config.json 2>/dev/null)
if [ -n "$spec" ]; then
    check_eq "--annotation reaches the OCI spec" \
        "$(/usr/bin/python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["annotations"]; print(a.get("org.example.k"), repr(a.get("flag")))' "$spec")" "v ''"
else
    fail "--annotation reaches the OCI spec" "no config.json for $id"
fi
md rm $N-i >/dev/null

# ---------------------------------------------------------------- --stop-timeout
md run -d --name $N-s --stop-timeout 1 --network none "${IMG[@]}" sh -c 'trap "" TERM; while :; do sleep 1; done' >/dev/null
check_eq "inspect: Config.StopTimeout" "$(md inspect -f '{{.Config.StopTimeout}}' $N-s)" 1
# the container ignores SIGTERM: stop must fall back to SIGKILL after 1 s, not docker's 10 s
check_rc "stop uses --stop-timeout (done well before the default 10 s)" 0 timeout 8 "$MYDOCKER" stop $N-s
check_eq "... killed: exit 137" "$(md inspect -f '{{.State.ExitCode}}' $N-s)" 137
err_case "--stop-timeout x" 125 "mydocker: invalid argument \"x\" for \"--stop-timeout\" flag: strconv.ParseInt: parsing \"x\": invalid syntax" \
    md run --stop-timeout x "${R[@]}" true
# ---------------------------------------------------------------- --expose, --dns-option
id=$(md create --name $N-i --network none --expose 8080 --expose 9000-9001/udp "${IMG[@]}" true)
check_eq "--expose: Config.ExposedPorts" "$(md inspect -f '{{range $p, $v := .Config.ExposedPorts}}{{$p}} {{end}}' $N-i)" \
    "8080/tcp 9000/udp 9001/udp "
md rm $N-i >/dev/null
md run -d --name $N-i -P --expose 7777 "${IMG[@]}" sleep 100 >/dev/null
check_match "-P publishes an --expose port" "$(md port $N-i 7777)" "^0\.0\.0\.0:[0-9]+$"
md rm -f $N-i >/dev/null
err_case "--expose bad" 125 "mydocker: invalid range format for --expose: bad" md run --expose bad "${R[@]}" true
err_case "--expose 80/icmp" 125 "mydocker: invalid proto: icmp" md run --expose 80/icmp "${R[@]}" true
check_match "--dns-option: resolv.conf options" \
    "$(md run --rm --dns-option ndots:2 --dns-option rotate "${IMG[@]}" cat /etc/resolv.conf)" "(^|
)options ndots:2 rotate($|
)"
# ---------------------------------------------------------------- --cidfile
CID=$(mktemp -u /tmp/mydocker-cid.XXXXXX); at_exit "rm -f $CID"
id=$(md run -d --name $N-i --cidfile "$CID" --network none "${IMG[@]}" sleep 100)
check_eq "--cidfile: the id, written once the container exists" "$(cat "$CID")" "$id"
err_case "--cidfile of a file that exists" 125 \
    "mydocker: Container ID file found, make sure the other container isn't running or delete $CID" \
    md create --cidfile "$CID" "${IMG[@]}" true
check_eq "... the file is untouched" "$(cat "$CID")" "$id"
md rm -f $N-i >/dev/null; rm -f "$CID"
check_rc "a create that fails" 125 md create --cidfile "$CID" --pull never nosuch-image-$UNIQ true
check_not "... leaves no --cidfile behind" test -e "$CID"
check_eq "foreground run --rm --cidfile" "$(md run --rm --cidfile "$CID" --network none "${IMG[@]}" echo hi)" hi
check_match "... the file has the id" "$(cat "$CID")" "^[0-9a-f]{64}$"
rm -f "$CID"
# ---------------------------------------------------------------- inspect fields scripts read
md create --name $N-i --network none -u 1000:1000 -w /tmp --entrypoint /bin/sh -v /tmp:/h:ro --cap-add NET_ADMIN \
    --cap-drop MKNOD --security-opt no-new-privileges --ulimit nofile=100:200 --tmpfs /run:size=1m "${IMG[@]}" -c true >/dev/null
check_eq "Config.User/WorkingDir/Entrypoint" "$(md inspect -f '{{.Config.User}}|{{.Config.WorkingDir}}|{{json .Config.Entrypoint}}' $N-i)" \
    '1000:1000|/tmp|["/bin/sh"]'
check_eq "HostConfig.Binds/CapAdd/CapDrop/SecurityOpt" \
    "$(md inspect -f '{{json .HostConfig.Binds}}{{json .HostConfig.CapAdd}}{{json .HostConfig.CapDrop}}{{json .HostConfig.SecurityOpt}}' $N-i)" \
    '["/tmp:/h:ro"]["NET_ADMIN"]["MKNOD"]["no-new-privileges"]'
check_eq "HostConfig.Ulimits/Tmpfs" "$(md inspect -f '{{json .HostConfig.Ulimits}}{{json .HostConfig.Tmpfs}}' $N-i)" \
    '[{"Name":"nofile","Hard":200,"Soft":100}]{"/run":"size=1m"}'
dir=$(dirname "$(md inspect -f '{{.LogPath}}' $N-i)")
check_eq "ResolvConfPath/HostsPath/HostnamePath" "$(md inspect -f '{{.ResolvConfPath}} {{.HostsPath}} {{.HostnamePath}}' $N-i)" \
    "$dir/resolv.conf $dir/hosts $dir/hostname"
check_eq "GraphDriver, Platform" "$(md inspect -f '{{.GraphDriver.Name}} {{.Platform}} {{if .GraphDriver.Data.UpperDir}}upper{{end}}' $N-i)" \
    "overlay2 linux upper"
md rm $N-i >/dev/null

# ---------------------------------------------------------------- --add-host host-gateway
gw=$(md network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' bridge)
check_match "--add-host NAME:host-gateway: the default bridge's gateway" \
    "$(md run --rm --add-host host.docker.internal:host-gateway "${IMG[@]}" grep host.docker.internal /etc/hosts)" \
    "^$gw[[:space:]]+host.docker.internal$"

# ---------------------------------------------------------------- stop -s, logs --since DURATION
md run -d --name $N-g --network none "${IMG[@]}" sh -c 'trap "echo got-usr1; exit 3" USR1; echo started; while :; do sleep 0.1; done' >/dev/null
wait_for 5 sh -c "$MYDOCKER logs $N-g | grep -q started"
check "stop -s USR1" md stop -s USR1 -t 5 $N-g
check_eq "... the container got that signal" "$(md logs $N-g | tail -n 1)/$(md inspect -f '{{.State.ExitCode}}' $N-g)" "got-usr1/3"
check_eq "logs --since 1h30m (a Go duration)" "$(md logs --since 1h30m $N-g | head -n 1)" started
check_eq "logs --since 1s after a pause: nothing newer" "$(sleep 1.2; md logs --since 1s $N-g)" ""
md rm -f $N-g >/dev/null

# ---------------------------------------------------------------- ps -f publish= / expose=
md run -d --name $N-p -p 127.0.0.1::80 --expose 9000 "${IMG[@]}" sleep 100 >/dev/null
pid12=$(md inspect -f '{{.Id}}' $N-p | cut -c1-12)
check_eq "ps -f publish=80" "$(md ps -q -f publish=80 -f name=$N-p)" "$pid12"
check_eq "ps -f publish=80/udp: none" "$(md ps -q -f publish=80/udp -f name=$N-p)" ""
check_eq "ps -f publish=9000 (exposed, not published): none" "$(md ps -q -f publish=9000 -f name=$N-p)" ""
check_eq "ps -f expose=9000" "$(md ps -q -f expose=9000 -f name=$N-p)" "$pid12"
check_eq "ps -f expose=8000-9500/tcp (a range)" "$(md ps -q -f expose=8000-9500/tcp -f name=$N-p)" "$pid12"
md rm -f $N-p >/dev/null
# ---------------------------------------------------------------- diff
if [ -z "$ROOTFS" ]; then
    md run --name $N-d --network none "${IMG[@]}" sh -c 'echo x > /newfile; echo y >> /etc/passwd; rm /bin/ls' >/dev/null
    check_eq "diff: docker's A/C/D lines, sorted" "$(md diff $N-d)" "C /bin
D /bin/ls
C /etc
C /etc/passwd
A /newfile"
    md rm $N-d >/dev/null
else
    check_match "diff of a --rootfs container: refused, nothing to compare with" \
        "$(md run --name $N-d --network none "${IMG[@]}" true; md diff $N-d 2>&1; md rm $N-d >/dev/null)" "no image layers"
fi
check_rc "diff of no container: 1" 1 md diff nosuch-$UNIQ
# ---------------------------------------------------------------- --log-driver none | local
check_eq "--log-driver none: the output still reaches the terminal" "$(md run --name $N-l --log-driver none --network none "${IMG[@]}" echo hi)" hi
err_case "... logs: docker's refusal" 1 "mydocker: configured logging driver does not support reading" md logs $N-l
check_eq "... and no log file was written" "$(ls "$(dirname "$(md inspect -f '{{.LogPath}}' $N-l)")" | grep -c -- '-json.log')" 0
md rm $N-l >/dev/null
md run --name $N-l --log-driver local --network none "${IMG[@]}" echo hi-local >/dev/null
check_eq "--log-driver local: logs reads it" "$(md logs $N-l)/$(md inspect -f '{{.HostConfig.LogConfig.Type}}' $N-l)" "hi-local/local"
md rm $N-l >/dev/null
err_case "--log-driver syslog: refused (it needs its daemon)" 125 "mydocker: logging driver \"syslog\" is not supported (json-file, local and none are)" \
    md run --rm --log-driver syslog "${R[@]}" true
# ---------------------------------------------------------------- -a/--attach
check_eq "-a stdout: only the container's stdout on ours" \
    "$(md run --rm -a stdout "${R[@]}" sh -c 'echo out; echo err >&2' 2>&1)" "out"
check_eq "-a stderr: only its stderr" "$(md run --rm -a stderr "${R[@]}" sh -c 'echo out; echo err >&2' 2>/dev/null)" ""
check_eq "... which is there" "$(md run --rm -a stderr "${R[@]}" sh -c 'echo out; echo err >&2' 2>&1)" "err"
check_eq "-a stdout -a stderr: both" "$(md run --rm -a STDOUT -a stderr "${R[@]}" sh -c 'echo out; echo err >&2' 2>&1 | sort | tr '\n' ' ')" "err out "
check_eq "-a without stdin: the container reads EOF" "$(echo piped | md run --rm -i -a stdout "${R[@]}" cat)" ""
check_eq "-a stdin -a stdout -i: it reads ours" "$(echo piped | md run --rm -i -a stdin -a stdout "${R[@]}" cat)" "piped"
err_case "-a with -d" 125 "mydocker: Conflicting options: -a and -d" md run -d -a stdout "${R[@]}" true
err_case "-a bogus" 125 "mydocker: invalid argument \"bogus\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR" \
    md run -a bogus "${R[@]}" true
NA=mdrfa-$UNIQ NB=mdrfb-$UNIQ
at_exit "md network rm $NA $NB >/dev/null 2>&1"
md network create "$NA" >/dev/null; md network create "$NB" >/dev/null
check_eq "--network twice (docker >= 25): attached to both" \
    "$(md run --rm --network "$NA" --network "$NB" "${IMG[@]}" sh -c 'ip -4 -o addr | grep -c eth')" 2
md create --name $N-n --network "$NA" --network "$NB" "${IMG[@]}" true >/dev/null
check_eq "... both in the record" "$(md inspect -f '{{len .NetworkSettings.Networks}}' $N-n)" 2
md rm $N-n >/dev/null
err_case "--network none with another one" 125 \
    "mydocker: conflicting options: cannot attach both user-defined and non-user-defined network-modes" \
    md run --rm --network none --network "$NA" "${IMG[@]}" true
md network rm "$NA" "$NB" >/dev/null
# ---------------------------------------------------------------- exec --env-file
EF=$(mktemp /tmp/mydocker-envf.XXXXXX); at_exit "rm -f $EF"
printf '# a comment\nA=1\n  B=two words\n\nHOME_FROM_HOST\n' > "$EF"
md run -d --name $N-e --network none "${IMG[@]}" sleep 100 >/dev/null
check_eq "exec --env-file: docker's entries (comments, blanks, KEY alone from ours)" \
    "$(HOME_FROM_HOST=h md exec --env-file "$EF" -e C=3 $N-e sh -c 'echo "$A|$B|$HOME_FROM_HOST|$C"')" "1|two words|h|3"
err_case "exec --env-file of a missing file" 125 "mydocker: open /nonexistent/env: No such file or directory" \
    md exec --env-file /nonexistent/env $N-e true
md rm -f $N-e >/dev/null
# ---------------------------------------------------------------- attach: --sig-proxy, --detach-keys
md run -d --name $N-a --network none "${IMG[@]}" sh -c 'trap "echo got-usr1; exit 4" USR1; while :; do sleep 0.1; done' >/dev/null
"$MYDOCKER" attach $N-a >"$EF.out" 2>&1 &
apid=$!
sleep 0.5
kill -USR1 $apid
wait $apid; arc=$?
check_eq "attach proxies a signal to the container (docker's --sig-proxy default)" "$(cat "$EF.out")/$arc" "got-usr1/4"
rm -f "$EF.out"
md rm -f $N-a >/dev/null
# run --sig-proxy=false: the container outlives its client (it runs under a monitor, as docker's
# under its daemon); a signal to run is not passed on
"$MYDOCKER" run --name $N-sp --sig-proxy=false --network none "${IMG[@]}" sh -c 'trap "echo got-term; exit 4" TERM; i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done' >"$EF.out" 2>&1 &
rpid=$!
wait_for 10 sh -c "$MYDOCKER inspect -f '{{.State.Running}}' $N-sp 2>/dev/null | grep -qx true"
kill -TERM $rpid
wait $rpid
check_eq "run --sig-proxy=false: SIGTERM ends run, the container runs on" \
    "$(md inspect -f '{{.State.Running}}' $N-sp)/$(cat "$EF.out")" "true/"
md rm -f $N-sp >/dev/null
# run --detach-keys without a tty: signals proxied (docker's default), the exit code and --rm kept
"$MYDOCKER" run --rm --name $N-dk --detach-keys ctrl-x --network none "${IMG[@]}" sh -c 'trap "echo got-usr1; exit 4" USR1; echo ready; while :; do sleep 0.1; done' >"$EF.out" 2>&1 &
rpid=$!
wait_for 10 grep -q ready "$EF.out"
kill -USR1 $rpid
wait $rpid; rrc=$?
check_eq "run --detach-keys: a signal to run reaches the container, its code is run's" \
    "$(cat "$EF.out" | tr '\n' ' ')/$rrc" "ready got-usr1 /4"
check_eq "... and --rm removed it before run returned" "$(md ps -aq -f name=$N-dk)" ""
check_eq "run --sig-proxy=false: stdout, stderr and the exit code as docker's" \
    "$(md run --rm --sig-proxy=false --network none "${IMG[@]}" sh -c 'echo out; echo err >&2; exit 7' 2>&1; echo "rc=$?")" \
    "out
err
rc=7"
rm -f "$EF.out"
err_case "run --detach-keys of a bad key" 125 "mydocker: Invalid detach keys (ctrl-1) provided" md run --detach-keys ctrl-1 "${IMG[@]}" true
err_case "run --sig-proxy=maybe" 125 "mydocker: invalid argument \"maybe\" for \"--sig-proxy\" flag" md run --sig-proxy=maybe "${IMG[@]}" true
err_case "create has no --detach-keys (run's own)" 125 "mydocker: unknown flag: --detach-keys
See 'mydocker create --help'." md create --detach-keys ctrl-x "${IMG[@]}" true
err_case "start --detach-keys of a bad key" 125 "mydocker: Invalid detach keys (ctrl-1) provided" md start -a --detach-keys ctrl-1 x
err_case "attach --detach-keys of a bad key" 1 "mydocker: Invalid detach keys (ctrl-1) provided" md attach --detach-keys ctrl-1 x
err_case "attach: an unknown flag refused (it was ignored)" 1 "mydocker: unknown flag: --nosuch
See 'mydocker attach --help'." md attach --nosuch x

# ---------------------------------------------------------------- --runtime, --storage-opt, journald
check_eq "--runtime runc: the built-in runtime, docker's default name" \
    "$(md run --runtime runc "${R[@]}" echo ok) $(md run -d --name $N-rt --runtime io.containerd.runc.v2 --network none "${IMG[@]}" true >/dev/null; md inspect -f '{{.HostConfig.Runtime}}' $N-rt)" \
    "ok io.containerd.runc.v2"
md rm -f $N-rt >/dev/null
check_eq "HostConfig.Runtime of a default container, StorageOpt null" \
    "$(md create --name $N-rt "${IMG[@]}" true >/dev/null; md inspect -f '{{.HostConfig.Runtime}} {{json .HostConfig.StorageOpt}}' $N-rt)" "runc null"
md rm -f $N-rt >/dev/null
err_case "--runtime crun: a runtime docker's daemon was not given" 125 "mydocker: unknown or invalid runtime name: crun" \
    md run --runtime crun "${R[@]}" true
before=$(md ps -aq | wc -l)
if [ "$(stat -f -c %T "$(md info -f "{{.DockerRootDir}}")")" != xfs ]; then
    err_case "--storage-opt size= on a non-XFS store: docker's refusal" 125 \
        "mydocker: --storage-opt is supported only for overlay over xfs with 'pquota' mount option" \
        md run --storage-opt size=10M "${R[@]}" true
fi
err_case "--storage-opt of a key overlay2 does not know" 125 "mydocker: Unknown option foo" \
    md run --storage-opt foo=1 "${R[@]}" true
err_case "--storage-opt size=bad" 125 "mydocker: invalid size: 'bad'" md run --storage-opt size=bad "${R[@]}" true
check_eq "... and no container left behind by the refusals" "$(md ps -aq | wc -l)" "$before"
# an XFS without project quotas (a loop device; this kernel's XFS has no quota support at all, so
# pquota cannot be mounted here): the same refusal, nothing left in that store
XF=$(mktemp /tmp/mydocker-xfs.XXXXXX); XD=$(mktemp -d /tmp/mydocker-xfsmnt.XXXXXX)
at_exit "umount '$XD' 2>/dev/null; rm -rf '$XD' '$XF'"
if truncate -s 320M "$XF" && mkfs.xfs -q "$XF" && mount -o loop "$XF" "$XD"; then
    xmd() { MYDOCKER_ROOT=$XD/root "$MYDOCKER" "$@"; }
    XR=$(mktemp -d /tmp/mydocker-xfsrfs.XXXXXX); mk_rootfs "$XR"
    tar --numeric-owner -C "$XR" -cf "$XD/bb.tar" . && rm -rf "$XR"
    xmd import "$XD/bb.tar" xbb >/dev/null
    if mount -o remount,pquota "$XD" 2>/dev/null && xfs_quota -x -c state "$XD" | grep -q "Enforcement: ON"; then
        xmd run --rm --storage-opt size=20M --network none xbb sh -c 'dd if=/dev/zero of=/big bs=1M count=40 2>/dev/null'; qrc=$?
        check_eq "--storage-opt size=20M on XFS pquota: a 40 MB write fails" "$qrc" 1
    else
        err_case "--storage-opt on XFS without pquota: docker's refusal" 125 \
            "mydocker: --storage-opt is supported only for overlay over xfs with 'pquota' mount option" \
            xmd run --storage-opt size=10M --network none xbb true
        check_eq "... nothing left in the XFS store" "$(xmd ps -aq; ls "$XD/root/containers" 2>/dev/null)" ""
    fi
    # a removed container's directory is deleted by a detached process (store/cstore.c)
    wait_for 5 sh -c "! ls -A '$XD/root/containers' 2>/dev/null | grep -q ."
    umount "$XD"
fi
# ---------------------------------------------------------------- docker's flags for other platforms
check_eq "--isolation default, --volume-driver local, --disable-content-trust: accepted" \
    "$(md run --isolation default --volume-driver local --disable-content-trust "${R[@]}" echo ran 2>&1)" ran
check_eq "--kernel-memory: docker's deprecation warning, and it runs" \
    "$(md run --kernel-memory 10m "${R[@]}" echo ran 2>&1)" "WARNING: Specifying a kernel memory limit is deprecated and will be removed in a future release.
ran"
check_eq "--cpu-count / --cpu-percent: Windows' own, discarded with docker's warnings" \
    "$(md run --cpu-count 2 --cpu-percent 10 "${R[@]}" echo ran 2>&1)" "WARNING: linux does not support CPU count. Count discarded.
WARNING: linux does not support CPU percent. Percent discarded.
ran"
err_case "--io-maxiops: docker's refusal on Linux" 125 \
    "mydocker: Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps" \
    md run --io-maxiops 5 "${R[@]}" true
err_case "--gpus without a GPU runtime: docker's error" 125 'mydocker: could not select device driver "" with capabilities: [[gpu]]' \
    md run --gpus all "${R[@]}" true
err_case "--isolation hyperv" 125 "mydocker: Invalid isolation: \"hyperv\" - linux only supports 'default'" \
    md run --isolation hyperv "${R[@]}" true
err_case "--volume-driver of a plugin" 125 'mydocker: error looking up volume plugin nfs: plugin "nfs" not found' \
    md run --volume-driver nfs "${R[@]}" true
err_case "--link: refused with the way to do it" 125 \
    "mydocker: --link (docker's legacy links) is not supported: put the containers on one user network, where they reach each other by name" \
    md run --link a:b "${R[@]}" true
check_eq "... and none of the refusals left a container" "$(md ps -aq | wc -l)" "$before"
if [ ! -e /run/systemd/journal/socket ]; then
    err_case "--log-driver journald without journald: docker's error" 125 \
        "mydocker: failed to initialize logging driver: journald is not enabled on this host" \
        md run --log-driver journald "${R[@]}" true
fi
summary
