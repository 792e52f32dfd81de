#!/usr/bin/env bash
# The Docker Engine API (issue 16): `mydocker system service` on a temp socket, a private
# MYDOCKER_ROOT, and clients no one here wrote: Debian's docker CLI (/usr/bin/docker, API 1.41)
# and the Python docker SDK (python3-docker) — run with exit codes and both streams, run -d,
# logs, ps, inspect, stop, rm, images, a pull through the API from a loopback registry,
# docker's errors; and the server's idle exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/reglib.sh"
PROOT=$(mktemp -d /tmp/mydocker-api.XXXXXX)
SOCK=$PROOT/docker.sock
export DOCKER_CONFIG=$PROOT/dcfg # the docker CLI and compose write there, not in ~/.docker
pmd() { MYDOCKER_ROOT=$PROOT "$MYDOCKER" "$@"; }
at_exit "MYDOCKER_ROOT='$PROOT' '$MYDOCKER' rm -f \$(MYDOCKER_ROOT='$PROOT' '$MYDOCKER' ps -aq) >/dev/null 2>&1; rm -rf '$PROOT'"
mk_busybox_tar "$PROOT/bb.tar"
pmd import "$PROOT/bb.tar" busybox >/dev/null
MYDOCKER_ROOT=$PROOT MYDOCKER_AUTH_FILE=$PROOT/auth.json "$MYDOCKER" system service --time 0 "unix://$SOCK" >"$PROOT/api.log" 2>&1 &
spid=$!
at_exit "kill $spid 2>/dev/null"
wait_for 5 test -S "$SOCK"
D=(/usr/bin/docker -H "unix://$SOCK")

check_eq "_ping" "$(curl -s --unix-socket "$SOCK" http://x/_ping)" OK
check_match "versioned routes, docker's headers" "$(curl -si --unix-socket "$SOCK" http://x/v1.41/_ping)" "Api-Version: 1.41"
check_eq "an unknown route: 404 with docker's message" \
    "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://x/v1.41/nosuch) $(curl -s --unix-socket "$SOCK" http://x/nosuch)" \
    '404 {"message":"page not found"}'

# ---------------------------------------------------------------- the docker CLI
if [ -x /usr/bin/docker ]; then
    check_eq "docker version: the server's" "$("${D[@]}" version -f '{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}}')" "0.1.0 1.41 linux"
    check_eq "docker info: the store's" "$("${D[@]}" info -f '{{.Driver}} {{.Images}}')" "overlay2 1"
    check_eq "docker run --rm: the output, exit 0" "$(timeout 30 "${D[@]}" run --rm busybox echo hi from the api; echo "rc=$?")" \
        "hi from the api
rc=0"
    out=$(timeout 30 "${D[@]}" run --rm busybox sh -c 'echo out; echo err >&2; exit 3' 2>"$PROOT/err"); rc=$?
    check_eq "docker run: stdout, stderr apart, the exit code" "$out|$(cat "$PROOT/err")|$rc" "out|err|3"
    check_eq "... and --rm removed them" "$(pmd ps -aq | wc -l)" 0
    id=$(timeout 30 "${D[@]}" run -d --name apid -l team=api busybox sh -c 'echo started; exec sleep 60')
    check_match "docker run -d: the id" "$id" '^[0-9a-f]{64}$'
    wait_for 5 sh -c "${D[*]} logs apid 2>/dev/null | grep -q started"
    check_eq "docker logs" "$("${D[@]}" logs apid)" started
    check_eq "docker inspect -f" "$("${D[@]}" inspect -f '{{.State.Status}} {{.Name}} {{.Config.Labels.team}}' apid)" "running /apid api"
    check_match "docker ps: docker's table of ours" "$("${D[@]}" ps)" "${id:0:12} +busybox +\"sh -c echo started.*Up .* apid$"
    out=$(timeout 20 "${D[@]}" exec apid sh -c 'echo in-exec; echo err >&2; exit 5' 2>"$PROOT/err"); rc=$?
    check_eq "docker exec: stdout, stderr apart, the exit code (exec inspect)" "$out|$(cat "$PROOT/err")|$rc" "in-exec|err|5"
    check_eq "docker exec -i: stdin through the hijacked connection" "$(echo piped | timeout 20 "${D[@]}" exec -i apid cat)" piped
    check_eq "docker exec -d, then its effect" \
        "$(timeout 20 "${D[@]}" exec -d apid sh -c 'echo detached > /tmp/d'; sleep 0.3; timeout 20 "${D[@]}" exec apid cat /tmp/d)" detached
    check_match "docker exec -it under a pty: a terminal inside" \
        "$(timeout 20 script -qec "${D[*]} exec -it apid sh -c 'tty; echo tty-ok'" /dev/null)" "/dev/pts/[0-9]+.*tty-ok"
    timeout 30 "${D[@]}" run -d --name apid2 -l team=other -p 127.0.0.1::80 --expose 90 busybox sleep 60 >/dev/null
    check_match "docker ps: the published and the exposed ports (the list's Ports)" \
        "$("${D[@]}" ps --format '{{.Ports}}' -f name=apid2)" "^(90/tcp, 127.0.0.1:[0-9]+->80/tcp|127.0.0.1:[0-9]+->80/tcp, 90/tcp)$"
    check_eq "docker ps -f label=... (the API's filters are ps's)" "$("${D[@]}" ps -q -f label=team=api)" "${id:0:12}"
    check_eq "docker ps -a -f name=apid" "$("${D[@]}" ps -aq -f name=apid | wc -l)" 2
    # the server keeps the summaries it parsed (store/summary.c): a change made beside it shows
    pmd rename apid2 apid2b >/dev/null
    check_eq "docker ps after a rename by mydocker beside the server" "$("${D[@]}" ps -a --format '{{.Names}}' -f name=apid2)" apid2b
    pmd rename apid2b apid2 >/dev/null
    err_case "docker ps -f status=bogus: the daemon's refusal" 1 "Error response from daemon: invalid filter 'status=bogus'" "${D[@]}" ps -f status=bogus
    timeout 30 "${D[@]}" rm -f apid2 >/dev/null
    timeout 30 "${D[@]}" run -d -i --name apia --network none busybox sh -c 'read line; echo got:$line' >/dev/null
    check_eq "docker attach to a running container: its stdin and output through the monitor" \
        "$(echo hello | timeout 10 "${D[@]}" attach apia)" "got:hello"
    timeout 30 "${D[@]}" rm -f apia >/dev/null
    timeout 30 "${D[@]}" run -d --name apis --network none -m 64m busybox sh -c 'while :; do :; done' >/dev/null
    check_match "docker stats --no-stream: CPU of a busy loop, the memory limit, pids" \
        "$(timeout 20 "${D[@]}" stats --no-stream --format '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}' apis)" \
        "^apis [1-9][0-9.]*% [0-9.]+[KMk]i?B / 64MiB 1$"
    check_match "docker top: docker's columns, the busy loop's row" "$(timeout 20 "${D[@]}" top apis)" \
        "^UID +PID +PPID +C +STIME +TTY +TIME +CMD
root +[0-9]+ +[0-9]+ .*sh -c while :; do :; done"
    check_match "docker top with ps arguments (aux)" "$(timeout 20 "${D[@]}" top apis aux)" "^USER +PID +%CPU +%MEM"
    timeout 30 "${D[@]}" rm -f apis >/dev/null
    echo "copied in" >"$PROOT/cpfile"
    "${D[@]}" cp "$PROOT/cpfile" apid:/tmp/
    check_eq "docker cp host -> container (HEAD stat, PUT archive)" "$("${D[@]}" exec apid cat /tmp/cpfile)" "copied in"
    "${D[@]}" cp apid:/tmp/cpfile "$PROOT/cpback"
    check_eq "docker cp container -> host (GET archive)" "$(cat "$PROOT/cpback")" "copied in"
    mkdir -p "$PROOT/cpdir"
    "${D[@]}" cp apid:/etc "$PROOT/cpdir/"
    check "... a directory" test -s "$PROOT/cpdir/etc/passwd"
    err_case "docker cp of a missing path" 1 "Error: No such container:path: apid:/nosuch" \
        "${D[@]}" cp apid:/nosuch "$PROOT/x"
    "${D[@]}" pause apid >/dev/null
    check_eq "docker pause" "$(pmd inspect -f '{{.State.Status}}' apid)" paused
    "${D[@]}" unpause apid >/dev/null
    check_eq "docker unpause" "$(pmd inspect -f '{{.State.Status}}' apid)" running
    "${D[@]}" rename apid apid-renamed && "${D[@]}" rename apid-renamed apid
    sleep 1.1 # the docker CLI sends --until in whole seconds: the events' second must be past
    # (the first rename's event names the new name: container=apid finds the second only)
    check_eq "docker events --since --until: the pause, unpause and the rename back, as docker's" \
        "$(timeout 20 "${D[@]}" events --since 30s --until 0s -f container=apid -f event=pause -f event=unpause -f event=rename --format '{{.Action}}' | tr '\n' ' ')" \
        "pause unpause rename "
    check_eq "docker stop" "$(timeout 30 "${D[@]}" stop -t 1 apid)" apid
    check_eq "... the same world through mydocker" "$(pmd ps -a --format '{{.Names}} {{.State}}')" "apid exited"
    "${D[@]}" update --memory 128m --memory-swap 256m --restart on-failure:2 apid >/dev/null
    check_eq "docker update: the memory limit and the restart policy" \
        "$(pmd inspect -f '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' apid)" \
        "134217728 on-failure:2"
    check_eq "docker diff: A/C/D as docker's" "$("${D[@]}" diff apid | grep -E '^A /tmp/cpfile$')" "A /tmp/cpfile"
    check "docker export: the filesystem as a tar" sh -c "${D[*]} export apid | tar -t | grep -qx bin/busybox"
    check_eq "docker rm" "$("${D[@]}" rm apid)" apid
    timeout 30 "${D[@]}" create --name api-dead busybox true >/dev/null
    check_match "docker container prune: the created one, docker's report" \
        "$("${D[@]}" container prune -f)" "Deleted Containers:
[0-9a-f]{64}

Total reclaimed space"
    "${D[@]}" volume create api-vol >/dev/null
    check_match "docker volume prune -a (docker 23+: named ones with -a)" "$("${D[@]}" volume prune -f --filter all=true 2>&1)" "api-vol"
    "${D[@]}" network create api-net-$$ >/dev/null
    check_match "docker network prune" "$("${D[@]}" network prune -f)" "api-net-$$"
    check_match "docker images" "$("${D[@]}" images)" "busybox +latest +[0-9a-f]{12}"
    check_eq "docker images -f reference= (the image tool's filters)" \
        "$("${D[@]}" images -f 'reference=busy*' --format '{{.Repository}}')" busybox
    check_eq "docker images -f dangling=true: none here" "$("${D[@]}" images -q -f dangling=true | wc -l)" 0
    err_case "docker images -f bogus=1: the refusal" 1 "Error response from daemon: invalid filter 'bogus'" \
        "${D[@]}" images -f bogus=1
    "${D[@]}" tag busybox api-tag:v1
    check_eq "docker tag" "$(pmd images -q api-tag:v1)" "$(pmd images -q busybox)"
    check_match "docker rmi: docker's report" "$("${D[@]}" rmi api-tag:v1)" "^Untagged: api-tag:v1"
    check_match "docker system df: docker's table from the API's document" "$("${D[@]}" system df)" \
        "^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE
Images +[0-9]+ .*
Containers +[0-9]+ .*
Local Volumes +[0-9]+ .*
Build Cache +0 "
    check_match "docker history" "$("${D[@]}" history busybox)" "^IMAGE +CREATED +CREATED BY +SIZE +COMMENT
[0-9a-f]{12} +.* ago +.*1.98MB"
    "${D[@]}" tag busybox api-save:1
    "${D[@]}" save -o "$PROOT/saved.tar" api-save:1
    "${D[@]}" rmi api-save:1 >/dev/null
    check_eq "docker save, rmi, load: the image is back" \
        "$("${D[@]}" load -i "$PROOT/saved.tar") $(pmd images -q api-save:1 | wc -l)" "Loaded image: api-save:1 1"
    err_case "docker rmi of no image" 1 "Error: No such image: nosuch:1" "${D[@]}" rmi nosuch:1
    err_case "docker rm of no container: docker's words, exit 1" 1 "Error: No such container: nosuch" "${D[@]}" rm nosuch
    err_case "docker stop of no container" 1 "Error response from daemon: No such container: nosuch" "${D[@]}" stop nosuch
    mkdir -p "$PROOT/bctx"
    printf 'FROM busybox\nARG X=1\nRUN echo "x=$X" > /x\nCOPY f /f\nCMD ["cat", "/x", "/f"]\n' >"$PROOT/bctx/Dockerfile"
    echo fcontent >"$PROOT/bctx/f"
    out=$(cd "$PROOT/bctx" && DOCKER_BUILDKIT=0 timeout 60 "${D[@]}" build -t apibuild:1 --build-arg X=7 . 2>&1)
    check_match "docker build through the API (the context as a tar, mydocker build on it)" "$out" \
        "Successfully built [0-9a-f]{12}.*Successfully tagged apibuild:1"
    check_eq "... the image runs with the build arg and the file" "$(timeout 20 "${D[@]}" run --rm apibuild:1)" "x=7
fcontent"
    printf 'FROM busybox\nRUN exit 3\n' >"$PROOT/bctx/bad.df"
    out=$(cd "$PROOT/bctx" && DOCKER_BUILDKIT=0 timeout 60 "${D[@]}" build -f bad.df . 2>&1); rc=$?
    check_match "a failing build: its error, exit 1" "$out|$rc" 'did not complete successfully: exit code: 3\|1$'
    if command -v htpasswd >/dev/null; then
        mkdir -p "$PROOT/areg"
        htpasswd -Bbn alice "pw-$UNIQ" >"$PROOT/areg/htpasswd"
        start_registry "$PROOT/areg" "auth:
  htpasswd:
    realm: basic-realm
    path: $PROOT/areg/htpasswd"
        # the docker CLI keeps credentials client-side too: a config dir of the test's own
        check_eq "docker login through the API (the registry checks the password)" \
            "$(echo "pw-$UNIQ" | DOCKER_CONFIG=$PROOT/dcfg "${D[@]}" login -u alice --password-stdin "$REG" 2>/dev/null)" "Login Succeeded"
        check_match "docker login with a wrong password: refused" \
            "$(echo wrong | DOCKER_CONFIG=$PROOT/dcfg "${D[@]}" login -u alice --password-stdin "$REG" 2>&1; echo "rc=$?")" "rc=1$"
    fi
    if start_registry "$PROOT/reg"; then
        pmd tag busybox "$REG/api/bb:1"
        pmd push -q "$REG/api/bb:1" >/dev/null
        pmd rmi "$REG/api/bb:1" >/dev/null
        "${D[@]}" tag busybox "$REG/api/pushed:1"
        check_match "docker push through the API to the loopback registry" \
            "$(timeout 60 "${D[@]}" push "$REG/api/pushed:1" 2>&1)" "1: digest: sha256:[0-9a-f]{64}"
        check_eq "docker run of an image not here: pulled through the API, then run" \
            "$(timeout 60 "${D[@]}" run --rm "$REG/api/bb:1" echo pulled 2>/dev/null)" pulled
    fi
else
    echo "# /usr/bin/docker missing (Debian's docker.io): the docker CLI checks skipped"
fi

# ---------------------------------------------------------------- a newer docker CLI, when there is one
if [ -x /usr/local/bin/docker ]; then
    N=(/usr/local/bin/docker -H "unix://$SOCK")
    check_eq "a newer docker CLI negotiates down to 1.41: version, run, ps" \
        "$("${N[@]}" version -f '{{.Server.APIVersion}}' 2>&1)|$(timeout 30 "${N[@]}" run --rm busybox echo newer 2>&1)|$("${N[@]}" ps -aq | wc -l)" \
        "1.41|newer|0"
fi

# ---------------------------------------------------------------- the Python docker SDK
if /usr/bin/python3 -c 'import docker' 2>/dev/null; then
    out=$(SOCK=$SOCK timeout 60 /usr/bin/python3 - <<'EOF' 2>&1
import os, docker
c = docker.DockerClient(base_url="unix://" + os.environ["SOCK"])
print(c.ping(), c.version()["ApiVersion"])
print(c.containers.run("busybox", ["echo", "sdk says hi"], remove=True).decode().strip())
ct = c.containers.run("busybox", ["sh", "-c", "echo from-detached; exit 4"], detach=True, name="sdk1")
print(ct.wait()["StatusCode"], ct.logs().decode().strip())
ct.reload()
print(ct.status, ct.name, any("busybox:latest" in i.tags for i in c.images.list()))
ct.remove()
print(len(c.containers.list(all=True)))
EOF
)
    check_eq "the Python SDK: ping, run, detach, wait, logs, reload, images, remove" "$out" "True 1.41
sdk says hi
4 from-detached
exited sdk1 True
0"
else
    echo "# python3-docker missing: the SDK checks skipped"
fi

# ---------------------------------------------------------------- docker-compose (Debian's 1.29)
if command -v docker-compose >/dev/null; then
    P=mdc$$
    mkdir -p "$PROOT/compose"
    cat >"$PROOT/compose/docker-compose.yml" <<'EOF'
version: "3.8"
services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www; exec httpd -f -p 8080 -h /www"]
    volumes:
      - data:/www
    ports:
      - "127.0.0.1::8080"
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/index.html"]
      interval: 1s
  client:
    image: busybox
    command: ["sh", "-c", "echo hello > /www/index.html; sleep 1; wget -q -O- http://web:8080/index.html; exec sleep 300"]
    volumes:
      - data:/www
    depends_on:
      - web
volumes:
  data:
EOF
    dc() { (cd "$PROOT/compose" && DOCKER_HOST=unix://$SOCK timeout 90 docker-compose -p "$P" "$@"); }
    at_exit "cd '$PROOT/compose' && DOCKER_HOST=unix://$SOCK timeout 60 docker-compose -p $P down -v >/dev/null 2>&1"
    check "docker-compose up -d: a network, a volume, two services" dc up -d
    check_match "docker-compose ps: both up, the published port" "$(dc ps)" "${P}_web_1 .* Up .*127.0.0.1:[0-9]+->8080/tcp"
    wait_for 15 sh -c "${D[*]} inspect -f '{{.State.Health.Status}}' ${P}_web_1 | grep -qx healthy"
    check_eq "... the service's healthcheck turns it healthy" "$("${D[@]}" inspect -f '{{.State.Health.Status}}' "${P}_web_1")" healthy
    wait_for 10 sh -c "cd $PROOT/compose && DOCKER_HOST=unix://$SOCK docker-compose -p $P logs --no-color client | grep -q hello"
    check_match "docker-compose logs: the client reached web by its service name, through the shared volume" \
        "$(dc logs --no-color client)" "client_1 +\| hello"
    check_eq "docker-compose exec" "$(dc exec -T web echo exec-ok)" exec-ok
    port=$("${D[@]}" inspect -f '{{(index (index .NetworkSettings.Ports "8080/tcp") 0).HostPort}}' "${P}_web_1")
    check_eq "the published port from the host" "$(curl -s "http://127.0.0.1:$port/index.html")" hello
    check "docker-compose down -v" dc down -v
    check_eq "... nothing left: containers, the network, the volume" \
        "$(pmd ps -aq | wc -l) $(pmd network ls -q -f name=$P | wc -l) $(pmd volume ls -q | grep -c "$P")" "0 0 0"
else
    echo "# docker-compose missing: the compose checks skipped"
fi

# ---------------------------------------------------------------- starts beside other requests
# the server has a thread per connection: a start's forked child must not run library code that
# another thread's lock can hang (a monitor-to-be once hung in json-c's parse for good)
for i in $(seq 12); do
    curl -s --unix-socket "$SOCK" -H 'Content-Type: application/json' \
        -d '{"Image":"busybox","Cmd":["sleep","30"],"Labels":{"api-par":"1"},"HostConfig":{"NetworkMode":"none"}}' \
        "http://x/v1.41/containers/create?name=api-par-$i" >/dev/null
done
( for i in $(seq 60); do curl -s --unix-socket "$SOCK" "http://x/v1.41/containers/json?all=1" >/dev/null; done ) &
lister=$!
for i in $(seq 12); do
    timeout 30 curl -s --unix-socket "$SOCK" -X POST "http://x/v1.41/containers/api-par-$i/start" >/dev/null &
done
wait_for 40 sh -c "[ \$(MYDOCKER_ROOT='$PROOT' '$MYDOCKER' ps -q -f label=api-par=1 | wc -l) -eq 12 ]"
check_eq "12 parallel starts beside a stream of lists: all running" "$(pmd ps -q -f label=api-par=1 | wc -l)" 12
wait $lister
check_eq "... and each removed" "$(pmd rm -f $(pmd ps -aq -f label=api-par=1) 2>&1 | wc -l) $(pmd ps -aq -f label=api-par=1 | wc -l)" "12 0"
# the starts' helper (engine/start_helper.c): a child of the server; when it is gone a start
# spawns its monitor-to-be instead
helper=$(pgrep -P "$spid" -f "__start-helper")
check_match "the server's start helper runs beside it" "$helper" '^[0-9]+$'
kill -9 $helper 2>/dev/null; sleep 0.2
check_eq "without the helper, a start still runs its container" \
    "$(timeout 30 "${D[@]}" run --rm --network none busybox echo spawned 2>&1)" spawned

# ---------------------------------------------------------------- the idle exit
kill $spid; wait $spid 2>/dev/null
MYDOCKER_ROOT=$PROOT timeout 10 "$MYDOCKER" system service --time 1 "unix://$PROOT/idle.sock" &
ipid=$!
wait_for 5 test -S "$PROOT/idle.sock"
curl -s --unix-socket "$PROOT/idle.sock" http://x/_ping >/dev/null
wait $ipid; irc=$?
check_eq "--time 1: the server exits once idle, and removes its socket" "$irc $(test -e "$PROOT/idle.sock" && echo left)" "0 "
check_eq "... and its start helper ends with it" "$(sleep 0.3; pgrep -fc "__start-helper")" 0
# a client that attached to a created container and left, and one still waiting: neither may keep
# the server (idle exit; SIGTERM)
MYDOCKER_ROOT=$PROOT "$MYDOCKER" system service --time 1 "unix://$PROOT/idle2.sock" &
ipid=$!
wait_for 5 test -S "$PROOT/idle2.sock"
cid=$(curl -s --unix-socket "$PROOT/idle2.sock" -H 'Content-Type: application/json' \
    -d '{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}' \
    http://x/v1.41/containers/create | sed 's/.*"Id":"\([0-9a-f]*\)".*/\1/')
timeout 1 curl -s --unix-socket "$PROOT/idle2.sock" -H 'Connection: Upgrade' -H 'Upgrade: tcp' \
    -X POST "http://x/v1.41/containers/$cid/attach?stream=1&stdout=1" >/dev/null
wait_for 10 sh -c "! kill -0 $ipid 2>/dev/null"
check_not "an attach whose client left does not keep the server from its idle exit" kill -0 $ipid
MYDOCKER_ROOT=$PROOT "$MYDOCKER" system service --time 0 "unix://$PROOT/idle3.sock" &
ipid=$!
wait_for 5 test -S "$PROOT/idle3.sock"
pmd run -d --name api-waited --network none busybox sleep 30 >/dev/null
curl -s --unix-socket "$PROOT/idle3.sock" -X POST http://x/v1.41/containers/api-waited/wait >/dev/null &
cpid=$!
sleep 0.3
kill $ipid
wait_for 5 sh -c "! kill -0 $ipid 2>/dev/null"
check_not "SIGTERM ends the server while a client waits on a container" kill -0 $ipid
kill $cpid 2>/dev/null
pmd rm -f api-waited "$cid" >/dev/null 2>&1
# a second server on the same path: the first one's exit leaves the second one's socket
MYDOCKER_ROOT=$PROOT "$MYDOCKER" system service --time 0 "unix://$PROOT/twice.sock" &
ipid=$!
wait_for 5 test -S "$PROOT/twice.sock"
ino=$(stat -c %i "$PROOT/twice.sock")
MYDOCKER_ROOT=$PROOT "$MYDOCKER" system service --time 0 "unix://$PROOT/twice.sock" &
ipid2=$!
wait_for 5 sh -c "[ \"\$(stat -c %i '$PROOT/twice.sock' 2>/dev/null)\" != $ino ]"
wait_for 5 curl -sf --unix-socket "$PROOT/twice.sock" http://x/_ping
kill $ipid; wait $ipid 2>/dev/null
check_eq "a server's exit does not remove the socket a second server made on its path" \
    "$(curl -s --unix-socket "$PROOT/twice.sock" http://x/_ping)" OK
kill $ipid2; wait $ipid2 2>/dev/null
check_not "... which the second one removes when it goes" test -e "$PROOT/twice.sock"
if command -v systemd-socket-activate >/dev/null; then
    MYDOCKER_ROOT=$PROOT timeout 10 systemd-socket-activate -l "$PROOT/act.sock" "$MYDOCKER" system service --time 1 >/dev/null 2>&1 &
    apid_=$!
    wait_for 5 test -S "$PROOT/act.sock"
    check_eq "socket activation: the server takes the socket systemd listens on" \
        "$(curl -s --unix-socket "$PROOT/act.sock" http://x/_ping)" OK
    wait $apid_
fi
err_case "a tcp address not on loopback is refused" 125 \
    "mydocker: cannot listen on tcp://0.0.0.0:2375: unix:///path or tcp://127.0.0.1:PORT" \
    pmd system service tcp://0.0.0.0:2375
summary
