#!/usr/bin/env bash
# `events` (issue 14): docker's event stream without a daemon, on a private MYDOCKER_ROOT so that
# only this file's events are in its log: container lifecycle events in docker's order and with
# docker's attributes, volume/network/image events, --since/--until in docker's time forms,
# filters (ORed values, ANDed keys, unknown keys refused), --format, and following live events.
. "$(dirname "$0")/lib.sh"
PROOT=$(mktemp -d /tmp/mydocker-ev.XXXXXX)
RFS=$(mktemp -d /tmp/mydocker-evfs.XXXXXX)
mk_rootfs "$RFS"
pmd() { MYDOCKER_ROOT=$PROOT "$MYDOCKER" "$@"; }
NET=mdev$$
at_exit "MYDOCKER_ROOT='$PROOT' '$MYDOCKER' rm -f \$(MYDOCKER_ROOT='$PROOT' '$MYDOCKER' ps -aq) >/dev/null 2>&1; MYDOCKER_ROOT='$PROOT' '$MYDOCKER' network rm $NET >/dev/null 2>&1; rm -rf '$PROOT' '$RFS'"
# actions of one container since T: "create start ..."
actions() { pmd events --since "$1" --until 0s -f container="$2" --format '{{.Action}}' | tr '\n' ' '; }

T0=$(date +%s.%N)
id=$(pmd run -d --name ev-a -l team=a --network none --rootfs "$RFS" sleep 100)
pmd pause ev-a >/dev/null; pmd unpause ev-a >/dev/null
pmd rename ev-a ev-b
pmd stop -t 0 ev-b >/dev/null
pmd rm ev-b >/dev/null
check_eq "a container's life in docker's order" "$(actions "$T0" "$id")" \
    "create start pause unpause rename kill kill die stop destroy "
check_eq "docker's text line" \
    "$(pmd events --since "$T0" --until 0s -f event=die | sed -E 's/^[0-9T:.-]+Z //')" \
    "container die $id (exitCode=137, image=$RFS, name=ev-b, team=a)"
check_match "... with docker's RFC 3339 time, nine digits" "$(pmd events --since "$T0" --until 0s -f event=die)" \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z '
check_eq "kill events carry the signal (stop -t 0: TERM, then KILL)" \
    "$(pmd events --since "$T0" --until 0s -f event=kill --format '{{.Actor.Attributes.signal}}' | tr '\n' ' ')" "15 9 "
check_eq "rename: oldName" "$(pmd events --since "$T0" --until 0s -f event=rename --format '{{.Actor.Attributes.oldName}} -> {{.Actor.Attributes.name}}')" \
    "/ev-a -> ev-b"
check_eq "--format with Go's field names of the legacy fields" \
    "$(pmd events --since "$T0" --until 0s -f event=create --format '{{.Status}} {{.ID}} {{.From}} {{.Scope}} {{.Type}}')" \
    "create $id $RFS local container"
check_eq "--format json: docker's message" \
    "$(pmd events --since "$T0" --until 0s -f event=start --format json | /usr/bin/python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["Type"], e["Action"], e["status"], e["Actor"]["Attributes"]["name"], e["scope"], e["timeNano"] // 10**9 == e["time"])')" \
    "container start start ev-a local True"

# ---------------------------------------------------------------- other objects
T1=$(date +%s.%N)
pmd volume create evv >/dev/null; pmd volume rm evv >/dev/null
pmd network create "$NET" >/dev/null; pmd network rm "$NET" >/dev/null
mk_busybox_tar() { local r; r=$(mktemp -d /tmp/mydocker-evbb.XXXXXX); mk_rootfs "$r" && tar --numeric-owner -C "$r" -cf "$1" .; rm -rf "$r"; }
mk_busybox_tar "$PROOT/bb.tar"
iid=$(pmd import "$PROOT/bb.tar" ev-img:1)
pmd tag ev-img:1 ev-img:2
pmd rmi ev-img:1 ev-img:2 >/dev/null
check_eq "volume, network and image events" \
    "$(pmd events --since "$T1" --until 0s --format '{{.Type}} {{.Action}}' | tr '\n' ',')" \
    "volume create,volume destroy,network create,network destroy,image import,image tag,image untag,image untag,image delete,"
T3=$(date +%s.%N)
pmd import "$PROOT/bb.tar" ev-img:3 >/dev/null
pmd save -o "$PROOT/saved.tar" ev-img:3
pmd rmi ev-img:3 >/dev/null
pmd load -q -i "$PROOT/saved.tar"
cc=$(pmd create --name ev-c ev-img:3 true)
pmd commit -m note ev-c ev-img:4 >/dev/null
check_eq "image save and load events (docker's), container commit with comment and imageRef" \
    "$(pmd events --since "$T3" --until 0s -f event=save -f event=load -f event=commit --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}{{.Actor.Attributes.comment}} {{.Actor.Attributes.imageRef}}' | tr '\n' ',')" \
    "image save ev-img:3<no value> <no value>,image load ev-img:3<no value> <no value>,container commit ev-cnote ev-img:4,"
pmd rm ev-c >/dev/null; pmd rmi ev-img:3 ev-img:4 >/dev/null
check_eq "image events name the image" "$(pmd events --since "$T1" --until 0s -f type=image -f event=tag --format '{{.Actor.ID}} {{.Actor.Attributes.name}}')" \
    "$iid ev-img:2"
check_eq "-f type= values ORed" "$(pmd events --since "$T1" --until 0s -f type=volume -f type=network --format '{{.Type}}' | sort -u | tr '\n' ' ')" "network volume "
check_eq "-f network=NAME" "$(pmd events --since "$T1" --until 0s -f network=$NET --format '{{.Action}}' | tr '\n' ' ')" "create destroy "
check_eq "-f volume=NAME -f event=destroy (keys ANDed)" "$(pmd events --since "$T1" --until 0s -f volume=evv -f event=destroy --format '{{.Action}}')" "destroy"

# ---------------------------------------------------------------- exec, network connect/disconnect
T2=$(date +%s.%N)
pmd network create "$NET" >/dev/null
nid=$(pmd network inspect -f '{{.Id}}' "$NET")
cid=$(pmd run -d --name ev-x --network none --rootfs "$RFS" sleep 100)
pmd network disconnect none ev-x >/dev/null 2>&1
pmd exec ev-x sh -c 'exit 3'
pmd rm -f ev-x >/dev/null
cid2=$(pmd create --name ev-y --rootfs "$RFS" true)
pmd network connect "$NET" ev-y; pmd network disconnect "$NET" ev-y
pmd rm ev-y >/dev/null; pmd network rm "$NET" >/dev/null
check_eq "rm -f of a running container: die (137), then destroy" \
    "$(pmd events --since "$T2" --until 0s -f container=$cid -f event=die -f event=destroy --format '{{.Action}} {{.Actor.Attributes.exitCode}}' | tr '\n' ',')" \
    "die 137,destroy <no value>,"
check_eq "... its cgroups and its monitor gone (rm -f kills the monitor first)" \
    "$(ls -d /sys/fs/cgroup/*/mydocker/$cid /sys/fs/cgroup/mydocker/$cid 2>/dev/null | wc -l) $(pgrep -fc "^mydocker-monitor $cid")" "0 0"
check_eq "exec: docker's exec_create, exec_start (with the command) and exec_die" \
    "$(pmd events --since "$T2" --until 0s -f container=$cid -f event=exec_create -f event=exec_start -f event=exec_die --format '{{.Action}}|{{.Actor.Attributes.exitCode}}' | tr '\n' ',')" \
    "exec_create: sh -c exit 3|<no value>,exec_start: sh -c exit 3|<no value>,exec_die|3,"
check_eq "... one execID for all three" \
    "$(pmd events --since "$T2" --until 0s -f container=$cid --format '{{.Actor.Attributes.execID}}' | grep -cE '^[0-9a-f]{64}$') $(pmd events --since "$T2" --until 0s -f container=$cid --format '{{.Actor.Attributes.execID}}' | grep -E '^[0-9a-f]{64}$' | sort -u | wc -l)" "3 1"
check_eq "network connect/disconnect: the network is the actor, the container an attribute" \
    "$(pmd events --since "$T2" --until 0s -f type=network -f event=connect -f event=disconnect --format '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.container}} {{.Actor.Attributes.name}}' | tr '\n' ',')" \
    "connect $nid $cid2 $NET,disconnect $nid $cid2 $NET,"

# ---------------------------------------------------------------- time forms, refusals
check_eq "--since as Unix seconds" "$(pmd events --since "${T0%.*}" --until 0s -f event=destroy -f container=$id --format '{{.Action}}')" destroy
check_eq "--since as RFC 3339" "$(pmd events --since "$(date -u -d "@${T0%.*}" +%Y-%m-%dT%H:%M:%SZ)" --until 0s -f event=destroy -f container=$id --format '{{.Action}}')" destroy
check_eq "--since as a duration back from now" "$(pmd events --since 10m --until 0s -f event=destroy -f container=$id --format '{{.Action}}')" destroy
check_eq "--until before the events: none" "$(pmd events --since 10m --until "${T0%.*}" -f type=container)" ""
check_rc "an unknown filter: exit 1" 1 pmd events -f nosuch=1 --until 0s
check_eq "... docker's words" "$(pmd events -f nosuch=1 --until 0s 2>&1)" "mydocker: invalid filter 'nosuch'"
check_eq "a bad time" "$(pmd events --since yesterday 2>&1)" 'mydocker: failed to parse value as time or duration: "yesterday"'

# ---------------------------------------------------------------- following live events
OUT=$PROOT/follow.out
# not through pmd: $! must be mydocker's own pid, or a kill leaves it following (and holding
# the test runner's output open)
MYDOCKER_ROOT=$PROOT "$MYDOCKER" events -f type=container -f event=start -f event=die \
    --format '{{.Action}} {{.Actor.Attributes.name}}' >"$OUT" &
fpid=$!
at_exit "kill $fpid 2>/dev/null"
# it reads from the end of the log it opened: the run below must come after that open
wait_for 5 sh -c "ls -l /proc/$fpid/fd 2>/dev/null | grep -q events.log"
pmd run --rm --name ev-live --network none --rootfs "$RFS" true
wait_for 5 grep -q "die ev-live" "$OUT"
kill $fpid 2>/dev/null; wait $fpid 2>/dev/null
check_eq "events without --since follow what happens next" "$(cat "$OUT")" "start ev-live
die ev-live"
check_not "... and the follower is gone" kill -0 $fpid
# (a duration is back from now, as docker's: a future end is a timestamp)
check_eq "--until in the future: follows, then ends by itself" \
    "$( (sleep 1; pmd run --rm --name ev-late --network none --rootfs "$RFS" true) & pmd events --until $(($(date +%s) + 4)) -f event=die --format '{{.Actor.Attributes.name}}'; wait)" "ev-late"
summary
