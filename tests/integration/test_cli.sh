#!/usr/bin/env bash
# The docker command line a script expects (issue 14): whole flag names only, volume flags and
# filters as docker's, and the scripts of docker users run unchanged. State that a prune or a
# filter could touch lives on a private MYDOCKER_ROOT, so nothing of anyone else's is at risk.
. "$(dirname "$0")/lib.sh"
PROOT=$(mktemp -d /tmp/mydocker-cli.XXXXXX)
RFS=$(mktemp -d /tmp/mydocker-clifs.XXXXXX)
mk_rootfs "$RFS"
pmd() { MYDOCKER_ROOT=$PROOT "$MYDOCKER" "$@"; }
at_exit "MYDOCKER_ROOT='$PROOT' '$MYDOCKER' rm -f \$(MYDOCKER_ROOT='$PROOT' '$MYDOCKER' ps -aq) >/dev/null 2>&1; rm -rf '$PROOT' '$RFS'"

# ================================================================ whole flag names only
# glibc's getopt_long takes a unique prefix; docker's parser does not (`--pid host` was --pids-limit)
err_case "run --pi (a prefix of --pid and --pids-limit)" 125 "mydocker: unknown flag: --pi
See 'mydocker run --help'." pmd run --rm --pi host --rootfs "$RFS" true
err_case "run --pids-lim=3" 125 "mydocker: unknown flag: --pids-lim
See 'mydocker run --help'." pmd run --rm --pids-lim=3 --rootfs "$RFS" true
check_eq "run --pids-limit=3 (the whole name) works" \
    "$(pmd run --rm --pids-limit=3 --rootfs "$RFS" cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null | head -n 1)" 3
err_case "ps --no-tru" 125 "mydocker: unknown flag: --no-tru
See 'mydocker ps --help'." pmd ps --no-tru
err_case "logs --tai" 125 "mydocker: unknown flag: --tai
See 'mydocker logs --help'." pmd logs --tai 3 x
err_case "images --dig (mydocker-image)" 125 "mydocker: unknown flag: --dig
See 'mydocker images --help'." pmd images --dig
err_case "volume ls --quie" 125 "mydocker: unknown flag: --quie
See 'mydocker volume ls --help'." pmd volume ls --quie
out=$("${MYDOCKER}-runc" --roo /tmp list 2>&1); rc=$?
check_eq "mydocker-runc --roo: refused" "$rc" 1
check_match "mydocker-runc --roo: runc's words" "$out" "flag provided but not defined: --roo"

check_match "version --format {{.Server.Version}} (scripts test for a daemon so)" "$(pmd version --format '{{.Server.Version}}')" '^[0-9]+\.[0-9]+'
check_eq "version --format json: Client and Server" \
    "$(pmd version --format json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["Client"]["Os"], d["Server"]["Os"])')" "linux linux"
err_case "version: an unknown flag refused, not ignored" 125 "mydocker: unknown flag: --nosuch
See 'mydocker version --help'." pmd version --nosuch
check_eq "info -f: counts of this root's containers and images" "$(pmd info -f '{{.Containers}} {{.ContainersRunning}} {{.Images}}')" \
    "$(pmd ps -aq | wc -l) $(pmd ps -q | wc -l) $(pmd images -q | sort -u | wc -l)"
check_match "info --format {{.CgroupVersion}}" "$(pmd info --format '{{.CgroupVersion}}')" '^[12]$'
check_eq "info --format {{.DockerRootDir}}" "$(pmd info --format '{{.DockerRootDir}}')" "$PROOT"
err_case "info -f with a bad template: Go's error, exit 1" 1 \
    "mydocker: template parsing error: template: :1: function \"nosuch\" not defined" pmd info -f '{{nosuch}}'
err_case "info: an argument refused" 125 "mydocker: \"mydocker info\" accepts no arguments.
See 'mydocker info --help'." pmd info x

# ================================================================ volume create / ls / inspect
check_eq "volume create --label prints the name" "$(pmd volume create --label team=a --label tmp vl1 2>&1)" vl1
pmd volume create --label team=b vl2 >/dev/null
pmd volume create vl3 >/dev/null
check_eq "volume inspect: Labels" "$(pmd volume inspect -f '{{json .Labels}}' vl1)" '{"team":"a","tmp":""}'
check_eq "volume inspect: Driver" "$(pmd volume inspect --format '{{.Driver}}' vl1)" local
check_eq "volume create --name" "$(pmd volume create --name vl4)" vl4
err_case "volume create -d nosuch" 1 'mydocker: create vl5: error looking up volume plugin nosuch: plugin "nosuch" not found' \
    pmd volume create -d nosuch vl5
check_not "... no volume made" test -e "$PROOT/volumes/vl5"
err_case "volume create -o type without device: docker's refusal" 1 \
    "mydocker: create vl5: missing required option: \"device\"" pmd volume create -o type=tmpfs vl5
err_case "volume create -o of an unknown key" 1 \
    "mydocker: create vl5: invalid option key: \"size\"" pmd volume create -o size=1g vl5
err_case "volume create: two names" 125 "mydocker: \"mydocker volume create\" requires at most 1 argument.
See 'mydocker volume create --help'." pmd volume create a b
check_same "volume ls: docker's table" "$(pmd volume ls)" "DRIVER    VOLUME NAME
local     vl1
local     vl2
local     vl3
local     vl4"
check_same "volume ls -q -f label=team" "$(pmd volume ls -q -f label=team)" "vl1
vl2"
check_eq "volume ls -f label=team=b" "$(pmd volume ls -q --filter label=team=b)" vl2
check_eq "two label filters: both required" "$(pmd volume ls -q -f label=team -f label=tmp)" vl1
check_eq "label! filter" "$(pmd volume ls -q -f 'label!=team' | tr '\n' ' ')" "vl3 vl4 "
check_eq "name filter (substring)" "$(pmd volume ls -q -f name=l3)" vl3
check_eq "two name filters: either" "$(pmd volume ls -q -f name=l3 -f name=l4 | tr '\n' ' ')" "vl3 vl4 "
check_eq "driver=local" "$(pmd volume ls -q -f driver=local | wc -l)" 4
check_eq "a label no volume has: nothing" "$(pmd volume ls -q -f label=nosuch)" ""
err_case "an unknown filter is an error" 1 "mydocker: invalid filter 'nosuch'" pmd volume ls -q -f nosuch=1
err_case "a filter without =" 1 "mydocker: bad format of filter (expected name=value)" pmd volume ls -f dangling
err_case "dangling=maybe" 1 "mydocker: invalid filter 'dangling=maybe'" pmd volume ls -f dangling=maybe
check_eq "volume ls --format" "$(pmd volume ls -f name=vl1 --format '{{.Name}}:{{.Driver}}:{{.Labels}}')" "vl1:local:team=a,tmp="
check_same "volume ls --format table" "$(pmd volume ls -f label=team --format 'table {{.Name}}\t{{.Labels}}')" "VOLUME NAME   LABELS
vl1           team=a,tmp=
vl2           team=b"

# dangling: vl2 in use by a container (even a stopped one)
cid=$(pmd create -v vl2:/data --network none --rootfs "$RFS" true 2>&1)
check_eq "dangling=false: the volume a container uses" "$(pmd volume ls -q -f dangling=false)" vl2
check_eq "dangling=true: the others" "$(pmd volume ls -q -f dangling=true | tr '\n' ' ')" "vl1 vl3 vl4 "

# the script that wiped every volume here: only the labelled ones may go
pmd volume ls -q --filter label=tmp | xargs -r env MYDOCKER_ROOT="$PROOT" "$MYDOCKER" volume rm >/dev/null
check_eq "ls -q --filter label=x | xargs volume rm: only those" "$(pmd volume ls -q | tr '\n' ' ')" "vl2 vl3 vl4 "
pmd volume ls -q --filter label=nosuch | xargs -r env MYDOCKER_ROOT="$PROOT" "$MYDOCKER" volume rm >/dev/null
check_eq "... a filter that matches nothing removes nothing" "$(pmd volume ls -q | wc -l)" 3

# ================================================================ volume prune
anon=$(pmd run -d -v /anon --network none --rootfs "$RFS" true 2>&1)
pmd wait "$anon" >/dev/null
pmd rm "$anon" >/dev/null            # without -v: its anonymous volume stays
nanon=$(pmd volume ls -q | grep -cvx -e vl2 -e vl3 -e vl4)
check_eq "an anonymous volume left by rm without -v" "$nanon" 1
out=$(pmd volume prune </dev/null 2>&1)
check_match "prune without -f asks" "$out" "Are you sure you want to continue\? \[y/N\]"
check_eq "... and, not confirmed, removes nothing" "$(pmd volume ls -q | wc -l)" 4
out=$(echo y | pmd volume prune 2>&1)
check_match "prune confirmed: docker's report" "$out" "Deleted Volumes:"
check_match "... and the reclaimed space" "$out" "Total reclaimed space: [0-9.]+k?B"
check_eq "prune (no -a): only the anonymous one went" "$(pmd volume ls -q | tr '\n' ' ')" "vl2 vl3 vl4 "
pmd volume create --label keep=1 vl5 >/dev/null
out=$(pmd volume prune -a -f --filter label=keep 2>&1)
check_eq "prune -a --filter label=keep: only that one" "$(pmd volume ls -q | tr '\n' ' ')" "vl2 vl3 vl4 "
pmd volume prune -a -f >/dev/null
check_eq "prune -a -f: every unused one; the one in use stays" "$(pmd volume ls -q)" vl2
err_case "prune: an unknown filter" 1 "mydocker: invalid filter 'name'" pmd volume prune -f --filter name=x
pmd rm -f "$cid" >/dev/null 2>&1

# ================================================================ container labels, ps filters
printf 'tier=web\n# a comment\n\nowner=ops\n' >"$PROOT/labels"
R=(--network none --rootfs "$RFS")
c1=$(pmd run -d --name cl1 -l app=a -l role --label-file "$PROOT/labels" -v lvol:/data "${R[@]}" sleep 60 2>&1)
c2=$(pmd run -d --name cl2 --label app=b "${R[@]}" sleep 60 2>&1)
c3=$(pmd create --name cl3 -l app=a "${R[@]}" sh -c 'exit 3' 2>&1)
pmd start cl3 >/dev/null 2>&1; pmd wait cl3 >/dev/null 2>&1
check_eq "-l k=v in Config.Labels" "$(pmd inspect -f '{{.Config.Labels.app}}' cl1)" a
check_eq "-l k (empty value)" "$(pmd inspect -f '{{json .Config.Labels.role}}' cl1)" '""'
check_eq "--label-file (comments and blank lines skipped)" "$(pmd inspect -f '{{.Config.Labels.tier}}/{{.Config.Labels.owner}}' cl1)" web/ops
check_eq "ps -q -f label=app=a: running ones only" "$(pmd ps -q -f label=app=a)" "${c1:0:12}"
check_same "ps -aq -f label=app=a: newest first" "$(pmd ps -aq -f label=app=a)" "${c3:0:12}
${c1:0:12}"
check_eq "two label filters: both" "$(pmd ps -aq -f label=app=a -f label=role)" "${c1:0:12}"
check_eq "label=app (key only)" "$(pmd ps -aq -f label=app | wc -l)" 3
check_eq "status=exited without -a (docker's idiom)" "$(pmd ps -q -f status=exited)" "${c3:0:12}"
check_eq "exited=3" "$(pmd ps -q -f exited=3)" "${c3:0:12}"
check_eq "exited=0: none" "$(pmd ps -q -f exited=0)" ""
check_eq "status=exited OR status=running" "$(pmd ps -q -f status=exited -f status=running | wc -l)" 3
check_eq "name=cl2" "$(pmd ps -q -f name=cl2)" "${c2:0:12}"
check_eq "name and label: ANDed" "$(pmd ps -aq -f name=cl -f label=app=b)" "${c2:0:12}"
check_same "since=cl1" "$(pmd ps -aq -f since=cl1)" "${c3:0:12}
${c2:0:12}"
check_eq "before=cl2" "$(pmd ps -aq -f before=cl2)" "${c1:0:12}"
check_eq "volume=lvol" "$(pmd ps -q -f volume=lvol)" "${c1:0:12}"
check_eq "volume=/data (destination)" "$(pmd ps -q -f volume=/data)" "${c1:0:12}"
check_eq "network=none" "$(pmd ps -aq -f network=none | wc -l)" 3
check_eq "is-task=true: no swarm, so no task containers" "$(pmd ps -aq -f is-task=true)" ""
check_eq "is-task=false: all of them" "$(pmd ps -aq -f is-task=false | wc -l)" 3
check_eq "ps --format {{.Labels}}" "$(pmd ps -f name=cl2 --format '{{.Names}} {{.Labels}}')" "cl2 app=b"
err_case "ps: an unknown filter" 1 "mydocker: invalid filter 'foo'" pmd ps -q -f foo=1
err_case "ps: status=bogus" 1 "mydocker: invalid filter 'status=bogus'" pmd ps -q -f status=bogus
err_case "swarm commands: docker's answer outside a swarm" 1 "mydocker: This node is not a swarm manager. mydocker has no swarm mode: one machine, no orchestrator." pmd service ls
err_case "plugin: refused with the reason" 1 "mydocker: 'plugin' is not supported: plugins extend a daemon; mydocker has none" pmd plugin ls
err_case "an unknown command" 1 "mydocker: 'nosuch' is not a mydocker command.
See 'mydocker --help'" pmd nosuch
err_case "ps: is-task=maybe" 1 "mydocker: invalid filter 'is-task=maybe'" pmd ps -q -f is-task=maybe
err_case "ps: exited=x" 1 "mydocker: invalid filter 'exited=x'" pmd ps -q -f exited=x
check_eq "a label nobody has: nothing" "$(pmd ps -aq -f label=nosuch)" ""
# a CI cleanup script written for docker
pmd ps -aq -f label=app=a | xargs -r env MYDOCKER_ROOT="$PROOT" "$MYDOCKER" rm -f >/dev/null
check_eq "ps -aq -f label=... | xargs rm -f: only those" "$(pmd ps -aq | tr '\n' ' ')" "${c2:0:12} "
pmd ps -aq -f label=nosuch | xargs -r env MYDOCKER_ROOT="$PROOT" "$MYDOCKER" rm -f >/dev/null
check_eq "... a label nobody has removes nothing" "$(pmd ps -aq | wc -l)" 1
pmd rm -f cl2 >/dev/null 2>&1
pmd volume rm lvol >/dev/null 2>&1

# ================================================================ pull on demand (--pull)
. "$(dirname "$0")/reglib.sh"
if [ -x /usr/bin/docker-registry ]; then
    start_registry "$PROOT/reg" || fail "registry" "did not start"
    mk_busybox_tar "$PROOT/bb.tar"
    pmd import -c 'CMD ["sh"]' "$PROOT/bb.tar" "$REG/bb:1" >/dev/null
    pmd push -q "$REG/bb:1" >/dev/null 2>&1
    pmd rmi "$REG/bb:1" >/dev/null 2>&1
    check_eq "the image is gone locally" "$(pmd images -q "$REG/bb:1")" ""
    out=$(pmd run --rm --network none "$REG/bb:1" echo hi 2>"$PROOT/err"); rc=$?
    check_eq "run of a missing image pulls it and runs (stdout is the container's)" "$out/$rc" "hi/0"
    err=$(cat "$PROOT/err")
    check_match "... docker's line first" "$(head -n 1 <<<"$err")" "^Unable to find image '$REG/bb:1' locally\$"
    check_match "... then the pull's progress, on stderr" "$err" "Status: Downloaded newer image for $REG/bb:1"
    check "... and the image is stored" test -n "$(pmd images -q "$REG/bb:1")"
    out=$(pmd run --rm --network none --pull always "$REG/bb:1" true 2>&1); rc=$?
    check_eq "--pull always: exit 0" "$rc" 0
    check_match "--pull always pulls although present" "$out" "Status: Image is up to date for $REG/bb:1"
    out=$(pmd run --rm --network none "$REG/bb:1" true 2>&1)
    check_eq "present image, default --pull missing: no pull" "$out" ""
    out=$(pmd run --rm --network none "$REG/bb:1" /no/such 2>&1); rc=$?
    check_eq "a command missing in a present image: 127, not a pull" "$rc" 127
    check_not "... nothing pulled" grep -q "Pulling" <<<"$out"
    pmd rmi "$REG/bb:1" >/dev/null 2>&1
    err_case "--pull never with a missing image" 125 "mydocker: Unable to find image '$REG/bb:1' locally" \
        pmd run --rm --pull never "$REG/bb:1" true
    check_eq "... nothing pulled" "$(pmd images -q "$REG/bb:1")" ""
    cid=$(pmd create -q --network none "$REG/bb:1" true 2>"$PROOT/err"); rc=$?
    check_match "create pulls too; stdout is the id alone" "$cid/$rc" "^[0-9a-f]{64}/0\$"
    check_eq "-q: no pull output" "$(cat "$PROOT/err")" "Unable to find image '$REG/bb:1' locally"
    check_eq "ps -f ancestor=IMAGE" "$(pmd ps -aq -f "ancestor=$REG/bb:1")" "${cid:0:12}"
    check_eq "ps -f ancestor=image id prefix" "$(pmd ps -aq -f "ancestor=$(pmd images -q "$REG/bb:1")")" "${cid:0:12}"
    check_eq "ps -f ancestor=other" "$(pmd ps -aq -f ancestor=nosuch)" ""
    pmd rm -f "$cid" >/dev/null 2>&1
    n_before=$(pmd ps -aq | wc -l)
    out=$(pmd run --rm "$REG/nosuch:1" true 2>&1); rc=$?
    check_eq "a missing image the registry lacks too: exit 125" "$rc" 125
    check_match "... the pull's error is shown" "$out" "Unable to find image '$REG/nosuch:1' locally"
    check_eq "... no container left" "$(pmd ps -aq | wc -l)" "$n_before"
    err_case "--pull bogus" 125 "mydocker: invalid pull option: 'bogus': must be one of \"always\", \"missing\" or \"never\"" \
        pmd run --pull bogus "$REG/bb:1" true
else
    fail "pull on demand" "/usr/bin/docker-registry is needed (scripts/setup.sh installs it)"
fi
# ================================================================ images --filter / --format
pmd images -q | sort -u | xargs -r env MYDOCKER_ROOT="$PROOT" "$MYDOCKER" rmi -f >/dev/null 2>&1
check_eq "an empty private store to start from" "$(pmd images -q)" ""
mk_busybox_tar "$PROOT/img.tar"
iA=$(pmd import -c 'LABEL team=a tier=web' "$PROOT/img.tar" cli-a:1 | sed 's/^sha256://')
sleep 1.1   # created times a second apart: before/since have an order to find
iB=$(pmd import -c 'LABEL team=b' "$PROOT/img.tar" cli-b:1 | sed 's/^sha256://')
pmd tag cli-b:1 cli-b:2
iC=$(pmd import "$PROOT/img.tar" | sed 's/^sha256://')   # untagged: dangling
check_match "three images imported" "${iA:0:12} ${iB:0:12} ${iC:0:12}" "^[0-9a-f]{12} [0-9a-f]{12} [0-9a-f]{12}$"
check_same "images: docker's table, newest first" "$(pmd images | awk '{print $1, $2, $3}')" "REPOSITORY TAG IMAGE
<none> <none> ${iC:0:12}
cli-b 1 ${iB:0:12}
cli-b 2 ${iB:0:12}
cli-a 1 ${iA:0:12}"
check_eq "-f dangling=true" "$(pmd images -q -f dangling=true)" "${iC:0:12}"
check_eq "-f dangling=false" "$(pmd images -q -f dangling=false | sort -u | wc -l)" 2
check_eq "-f label=team=a" "$(pmd images -q -f label=team=a)" "${iA:0:12}"
check_eq "-f label=team (key only)" "$(pmd images -q -f label=team | sort -u | wc -l)" 2
check_eq "-f label=team -f label=tier=web (all required)" "$(pmd images -q -f label=team -f label=tier=web)" "${iA:0:12}"
check_eq "-f reference=cli-b (name, any tag)" "$(pmd images --format '{{.Repository}}:{{.Tag}}' -f reference=cli-b)" "cli-b:1
cli-b:2"
check_eq "-f reference='cli-*:2' (glob)" "$(pmd images --format '{{.Repository}}:{{.Tag}}' -f 'reference=cli-*:2')" "cli-b:2"
check_eq "-f before=cli-b:1" "$(pmd images -q -f before=cli-b:1)" "${iA:0:12}"
check_eq "-f since=cli-a:1 -f dangling=false" "$(pmd images -q -f since=cli-a:1 -f dangling=false | sort -u)" "${iB:0:12}"
check_eq "-f until=2000-01-01: none made before" "$(pmd images -q -f until=2000-01-01)" ""
check_eq "-f until=0s (now): all of them" "$(pmd images -q -f until=0s | sort -u | wc -l)" 3
err_case "images: until=bogus" 1 'mydocker: failed to parse value as time or duration: "bogus"' pmd images -f until=bogus
err_case "images: an unknown filter" 1 "mydocker: invalid filter 'foo'" pmd images -f foo=1
err_case "images: dangling=maybe" 1 "mydocker: Invalid filter 'dangling=maybe'" pmd images -f dangling=maybe
err_case "images: before=an unknown image" 1 "mydocker: No such image: nosuch" pmd images -f before=nosuch
check_eq "images --format json: one object per row" \
    "$(pmd images --format json cli-a:1 | /usr/bin/python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print(r["Repository"], r["Tag"], r["ID"] == sys.argv[1])' "${iA:0:12}")" "cli-a 1 True"
check_same "images --format table with chosen columns" "$(pmd images --format 'table {{.Repository}}\t{{.Tag}}' cli-b)" "REPOSITORY   TAG
cli-b        1
cli-b        2"
check_eq "images --no-trunc -q: whole ids" "$(pmd images --no-trunc -q cli-a:1)" "sha256:$iA"

# ================================================================ Go templates through the commands
cid=$(pmd create --name tpl -l b=2 -l a=1 --rootfs "$RFS" -e X=1 sh -c 'exit 3')
check_eq "inspect: range over a map, sorted keys, variables" \
    "$(pmd inspect -f '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}' tpl)" "a=1;b=2;"
check_eq "inspect: index" "$(pmd inspect -f '{{index .Config.Labels "b"}}' tpl)" 2
check_eq "inspect: if/else with eq" "$(pmd inspect -f '{{if eq .State.Status "created"}}new{{else}}old{{end}}' tpl)" new
check_eq "inspect: printf, len, join, upper" \
    "$(pmd inspect -f '{{printf "%.5s" .Id}} {{len .Config.Labels}} {{join .Config.Cmd "+"}} {{upper .Name}}' tpl)" \
    "${cid:0:5} 2 sh+-c+exit 3 /TPL"
check_eq "inspect: a pipeline into a function" "$(pmd inspect -f '{{.Name | printf "%q"}}' tpl)" '"/tpl"'
err_case "inspect: an unknown function (Go's parse error, exit 1)" 1 \
    'mydocker: template parsing error: template: :1: function "nosuch" not defined' pmd inspect -f '{{nosuch .Id}}' tpl
err_case "inspect: a field of a missing key (Go's execution error)" 1 \
    'mydocker: template parsing error: template: :1:1: executing "" at <.Nope.X>: nil pointer evaluating interface {}.X' \
    pmd inspect -f '{{.Nope.X}}' tpl
check_eq "ps --format with a function" "$(pmd ps -a -f name=tpl --format '{{.Names | upper}} {{truncate .ID 4}}')" "TPL ${cid:0:4}"
pmd volume create tplv >/dev/null
check_eq "volume ls --format with if" "$(pmd volume ls --format '{{if eq .Name "tplv"}}{{.Name}}!{{end}}' | tr -d '\n')" "tplv!"
pmd volume rm tplv >/dev/null
pmd rm tpl >/dev/null
# ================================================================ network ls / prune filters, labels
# networks are host-wide (docs/state.md): every listing here is narrowed to this run's names
NA=mdna-$UNIQ NB=mdnb-$UNIQ
at_exit "MYDOCKER_ROOT='$PROOT' '$MYDOCKER' network rm $NA $NB >/dev/null 2>&1"
check "network create --label" pmd network create --label team=a --label tmp "$NA"
pmd network create "$NB" >/dev/null
check_eq "network inspect: Labels" "$(pmd network inspect -f '{{json .Labels}}' "$NA")" '{"team":"a","tmp":""}'
check_eq "network ls -f label=team=a" "$(pmd network ls -f label=team=a --format '{{.Name}} {{.Labels}}')" "$NA team=a,tmp="
check_eq "network ls -f name= (part of a name), two values ORed" \
    "$(pmd network ls -f name=mdna-$UNIQ -f name=mdnb-$UNIQ --format '{{.Name}}' | sort | tr '\n' ' ')" "$NA $NB "
check_eq "network ls -f type=builtin" "$(pmd network ls -f type=builtin --format '{{.Name}}' | sort | tr '\n' ' ')" "bridge host none "
check_eq "network ls -f driver=null" "$(pmd network ls -f driver=null -q)" "9a1f2e3d4c5b"
check_eq "network ls -f dangling=true: unused custom ones" "$(pmd network ls -f dangling=true -f name=$UNIQ --format '{{.Name}}' | sort | tr '\n' ' ')" "$NA $NB "
check_eq "network ls -f dangling=true: never a predefined one" "$(pmd network ls -f dangling=true -f type=builtin -q)" ""
w=$(( ${#NA} + 3 ))
check_same "network ls --format table: docker's columns" "$(pmd network ls -f name=$NA --format 'table {{.Name}}\t{{.Driver}}')" \
    "$(printf "%-${w}s%s\n%-${w}s%s" NAME DRIVER "$NA" bridge)"
err_case "network ls: an unknown filter" 1 "mydocker: invalid filter 'foo'" pmd network ls -f foo=1
err_case "network ls: type=other" 1 "mydocker: invalid filter 'type=other'" pmd network ls -f type=other
check_eq "network prune --filter until=1h: made within the hour, none pruned" "$(pmd network prune -f --filter until=1h)" ""
err_case "network prune --filter until=bogus" 1 'mydocker: failed to parse value as time or duration: "bogus"' \
    pmd network prune -f --filter until=bogus
check_eq "... nothing pruned" "$(pmd network ls -f type=custom -f name=$UNIQ -q | wc -l)" 2
check_eq "network prune --filter label=team=a: only that one" "$(pmd network prune -f --filter label=team=a)" "Deleted Networks:
$NA"
check_eq "... the other one kept" "$(pmd network ls -f type=custom -f name=$UNIQ --format '{{.Name}}')" "$NB"
pmd network rm "$NB" >/dev/null
# ================================================================ system df / prune, container and image prune filters
pmd rm -f $(pmd ps -aq) >/dev/null 2>&1
pmd images -q | sort -u | xargs -r env MYDOCKER_ROOT="$PROOT" "$MYDOCKER" rmi -f >/dev/null 2>&1
pmd import -c 'LABEL keep=yes' "$PROOT/img.tar" sp-keep:1 >/dev/null
pmd import "$PROOT/img.tar" >/dev/null                    # dangling
sp_used=$(pmd import "$PROOT/img.tar" sp-used:1)
pmd create --name sp-c1 -l keep=yes sp-used:1 true >/dev/null
pmd run --name sp-c2 sp-used:1 sh -c 'head -c 300000 /dev/zero > /big'
pmd volume ls -q | xargs -r env MYDOCKER_ROOT="$PROOT" "$MYDOCKER" volume rm -f >/dev/null
pmd volume create sp-named >/dev/null
c2id=$(pmd inspect -f '{{.Id}}' sp-c2)
# an image is active while any container (running or not) is made from it, as docker counts
check_match "system df: docker's table" "$(pmd system df)" "^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE
Images +3 +1 +[0-9.]+MB +[0-9.]+MB \(66%\)
Containers +2 +0 +300kB +300kB
Local Volumes +1 +0 +0B +0B \(0%\)
Build Cache +0 +0 +0B +0B$"
check_eq "system df --format" "$(pmd system df --format '{{.Type}}={{.TotalCount}}' | tr '\n' ' ')" "Images=3 Containers=2 Local Volumes=1 Build Cache=0 "
out=$(pmd system df -v)
check_match "system df -v: docker's sections" "$out" "^Images space usage:

REPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS
"
check_match "... a row per container, with its writable layer" "$out" "
[0-9a-f]{12} +sp-used:1 +\"sh\" +0 +300kB +.* ago +Exited \(0\) .* ago +sp-c2
"
check_match "... and per volume" "$out" "
sp-named +0 +0B
"
check_match "... build cache" "$out" "Build cache usage: 0B$"
err_case "system df -x: refused" 125 "mydocker: unknown shorthand flag: 'x' in -x
See 'mydocker system df --help'." pmd system df -x
check_eq "container prune --filter label!=keep: only the unlabelled one" \
    "$(pmd container prune -f --filter 'label!=keep' | tr '\n' '|')" "Deleted Containers:|$c2id||Total reclaimed space: 300kB|"
check_eq "... sp-c1 kept" "$(pmd ps -a --format '{{.Names}}')" "sp-c1"
err_case "container prune --filter until=bogus" 1 'mydocker: failed to parse value as time or duration: "bogus"' \
    pmd container prune -f --filter until=bogus
check_eq "container prune --filter until=1h (made within the hour): nothing" \
    "$(pmd container prune -f --filter until=1h)" "Total reclaimed space: 0B"
check_eq "image prune --filter label=keep=yes -a: only that one, although unused images are more" \
    "$(pmd image prune -f -a --filter label=keep=yes | grep -c '^untagged: sp-keep:1')" 1
check_eq "... the dangling one stays" "$(pmd images -q -f dangling=true | wc -l)" 1
out=$(pmd system prune -f)
check_match "system prune: the stopped container" "$out" "Deleted Containers:
[0-9a-f]{64}"
check_match "... the dangling image" "$out" "Deleted Images:
deleted: sha256:[0-9a-f]{64}"
check_match "... one total" "$(grep -c 'Total reclaimed space' <<<"$out")" "^1$"
check_eq "... the used image is kept (no -a)" "$(pmd images --format '{{.Repository}}')" "sp-used"
check_eq "... the named volume is kept (no --volumes, and named)" "$(pmd volume ls -q)" "sp-named"
out=$(echo n | pmd system prune -a)
check_match "system prune -a asks first, docker's list" "$out" "WARNING! This will remove:
  - all stopped containers
  - all networks not used by at least one container
  - all images without at least one container associated to them
  - all build cache
"
check_eq "... 'n' removes nothing" "$(pmd images -q | wc -l)" 1
pmd system prune -f -a >/dev/null
check_eq "system prune -f -a: every unused image" "$(pmd images -q | wc -l)" 0
pmd volume rm sp-named >/dev/null
# ================================================================ global flags
check_eq "-D --log-level=debug -H unix://... before the command" \
    "$(pmd -D --log-level=debug -H unix:///var/run/docker.sock version --format '{{.Client.Os}}')" linux
err_case "-H tcp://: another machine's engine, out of reach (exit 1)" 1 \
    "mydocker: cannot connect to tcp://192.0.2.9:2375: mydocker is daemonless and drives this machine's engine only (unix:// addresses)" \
    pmd -H tcp://192.0.2.9:2375 ps
err_case "DOCKER_HOST=ssh://... the same" 1 \
    "mydocker: cannot connect to ssh://host: mydocker is daemonless and drives this machine's engine only (unix:// addresses)" \
    env DOCKER_HOST=ssh://host MYDOCKER_ROOT="$PROOT" "$MYDOCKER" ps
err_case "--log-level loud" 125 "mydocker: unable to parse logging level: loud" pmd --log-level loud ps
check_eq "--context default, --tls/--tlsverify and the TLS files (for tcp:// hosts only) accepted" \
    "$(pmd --context default --tls --tlsverify --tlscacert /x --tlscert=/y --tlskey /z version --format '{{.Client.Os}}')" linux
err_case "--context of another engine: docker's words" 1 'mydocker: context "remote" does not exist' pmd --context remote ps
# ================================================================ history --format
pmd import -m 'hist-msg' "$PROOT/img.tar" hist:1 >/dev/null
check_match "history: docker's table" "$(pmd history hist:1)" "^IMAGE +CREATED +CREATED BY +SIZE +COMMENT
[0-9a-f]{12} +.* ago +[0-9.]+MB +hist-msg$"
check_eq "history --format" "$(pmd history --format '{{.Comment}}|{{.ID}}' hist:1)" "hist-msg|$(pmd images -q hist:1)"
check_match "history -H=false: bytes and RFC 3339" "$(pmd history -H=false --format '{{.Size}} {{.CreatedSince}}' hist:1)" '^[0-9]+ [0-9]{4}-[0-9]{2}-[0-9]{2}T'
pmd rmi hist:1 >/dev/null
# ================================================================ a script written for docker, unchanged
# (the only change: which program `docker` is): start a service on a user network with a published
# port and a healthcheck, wait until it is healthy, look up its address and port as such scripts do
NS=mdns-$UNIQ
at_exit "MYDOCKER_ROOT='$PROOT' '$MYDOCKER' network rm $NS >/dev/null 2>&1"
cat >"$PROOT/deploy.sh" <<'EOF'
set -eu
net=$1 rootfs=$2
docker network create "$net" >/dev/null
cid=$(docker run -d --name web --network "$net" -p 127.0.0.1::80 --label role=web \
    --health-cmd 'test -e /tmp/ready' --health-interval 100ms --rootfs "$rootfs" \
    sh -c 'sleep 0.5; touch /tmp/ready; exec sleep 60')
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$cid")" = healthy ]; do sleep 0.1; done
ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$cid")
port=$(docker inspect -f '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}' "$cid")
role=$(docker inspect -f '{{index .Config.Labels "role"}}' "$cid")
echo "$ip $port $role $(docker ps -f health=healthy -f label=role=web --format '{{.Names}}')"
docker ps -aq -f label=role=web | xargs -r docker rm -f >/dev/null
docker network rm "$net" >/dev/null
EOF
mkdir -p "$PROOT/bin"
printf '#!/bin/sh\nexec env MYDOCKER_ROOT=%s %s "$@"\n' "$PROOT" "$MYDOCKER" >"$PROOT/bin/docker"
chmod +x "$PROOT/bin/docker"
out=$(PATH=$PROOT/bin:$PATH timeout 60 bash "$PROOT/deploy.sh" "$NS" "$RFS" 2>&1)
check_match "the docker script: healthy, its address, its port, its label, in ps" "$out" \
    '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ [0-9]+ web web$'
check_eq "... and it cleaned up after itself" "$(pmd ps -aq -f label=role=web)$(pmd network ls -q -f name=$NS)" ""

# ---------------------------------------------------------------- ps -a of many
# from 256 containers on, two threads read the summaries (store/ctr.c): all of them, newest first
MR=$(mktemp -d /tmp/mydocker-many.XXXXXX)
at_exit "MYDOCKER_ROOT='$MR/root' MYDOCKER_RUN_ROOT='$MR/run' '$MYDOCKER' rm -f \$(MYDOCKER_ROOT='$MR/root' '$MYDOCKER' ps -aq) >/dev/null 2>&1; rm -rf '$MR'"
mmd() { MYDOCKER_ROOT=$MR/root MYDOCKER_RUN_ROOT=$MR/run "$MYDOCKER" "$@"; }
mk_busybox_tar "$MR/bb.tar" && mmd import "$MR/bb.tar" many:1 >/dev/null
for i in $(seq 300); do mmd create --network none many:1 true; done >"$MR/ids"
mmd run -d --network none many:1 sleep 60 >>"$MR/ids"
check_eq "ps -a of 301: every container, newest first" "$(mmd ps -aq --no-trunc)" "$(tac "$MR/ids")"
check_eq "ps of 301: the running one" "$(mmd ps -q --no-trunc)" "$(tail -n 1 "$MR/ids")"
summary
