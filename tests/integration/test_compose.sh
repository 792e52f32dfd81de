#!/usr/bin/env bash
# `mydocker compose` (issue 17), in a private MYDOCKER_ROOT: the model (`config`: defaults,
# interpolation with .env, anchors and merge keys, short syntaxes in their long form, errors),
# then a project of real shape: a web service with a published port reached from the host, a
# database-like service with a healthcheck and a named volume that web waits for
# (service_healthy), an internal service on a second network, `ps`, `logs`, `exec`, `run --rm`,
# an edit that recreates only the edited service, `--scale`, stop/start, and `down -v` leaving
# no container, network, volume or nft rule behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/reglib.sh"
PROOT=$(mktemp -d /tmp/mydocker-compose.XXXXXX)
P=mdc$UNIQ
DIR=$PROOT/$P
mkdir -p "$DIR/site"
pmd() { MYDOCKER_ROOT=$PROOT "$MYDOCKER" "$@"; }
dc() { (cd "$DIR" && MYDOCKER_ROOT=$PROOT "$MYDOCKER" compose "$@"); }
at_exit "MYDOCKER_ROOT='$PROOT' '$MYDOCKER' rm -f \$(MYDOCKER_ROOT='$PROOT' '$MYDOCKER' ps -aq) >/dev/null 2>&1; for n in \$(MYDOCKER_ROOT='$PROOT' '$MYDOCKER' network ls -q -f label=com.docker.compose.project=$P); do MYDOCKER_ROOT='$PROOT' '$MYDOCKER' network rm \$n; done >/dev/null 2>&1; rm -rf '$PROOT'"
mk_busybox_tar "$PROOT/bb.tar"
pmd import "$PROOT/bb.tar" busybox >/dev/null

# ---------------------------------------------------------------- the model
cat >"$DIR/compose.yaml" <<'EOF'
x-base: &base
  image: busybox
  init: true
  labels:
    tier: test
services:
  cfg:
    <<: *base
    command: echo "two words" $$HOME
    environment:
      - GREETING=${GREETING:-hi}
      - FROM_DOTENV=${DOTENV_VALUE}
      - BARE
    ports:
      - "127.0.0.1:18080-18081:80-81/udp"
      - target: 443
        published: "8443"
    volumes:
      - data:/data
      - ./site:/site:ro
      - /anon
    depends_on: [other]
  other:
    <<: *base
    labels:
      tier: override
volumes:
  data:
EOF
echo "DOTENV_VALUE=from .env  # a comment" >"$DIR/.env"
cfg=$(GREETING= dc config 2>&1)
check_match "config: a merge key's keys, the mapping's own winning" "$cfg" "tier: override"
check_eq "config: a command string split as a shell splits it, \$\$ a dollar" "$(dc config --format json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["services"]["cfg"]["command"])')" "['echo', 'two words', '\$HOME']"
check_match "config: \${VAR:-default} of an empty variable" "$cfg" "GREETING: hi"
check_match "config: .env's value, its comment dropped" "$cfg" "FROM_DOTENV: from .env"
check_match "config: a KEY without value or environment is null" "$cfg" "BARE: null"
check_eq "config: ports in the long form, a range in one entry per port" \
    "$(dc config --format json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["services"]["cfg"]["ports"])')" \
    "[{'mode': 'ingress', 'host_ip': '127.0.0.1', 'target': 80, 'published': '18080', 'protocol': 'udp'}, {'mode': 'ingress', 'host_ip': '127.0.0.1', 'target': 81, 'published': '18081', 'protocol': 'udp'}, {'mode': 'ingress', 'target': 443, 'published': '8443', 'protocol': 'tcp'}]"
check_match "config: a relative bind made absolute" "$cfg" "source: $DIR/site"
check_match "config: the named volume named after the project" "$cfg" "name: ${P}_data"
check_match "config: the default network made" "$cfg" "name: ${P}_default"
check_eq "config --services" "$(dc config --services | sort | tr '\n' ' ')" "cfg other "
check_eq "the environment wins over .env" "$(DOTENV_VALUE=env dc config --format json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["services"]["cfg"]["environment"]["FROM_DOTENV"])')" env
check_eq "-p names the project" "$(dc -p Other_Name config --format json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')" other_name

# several files: compose.override.yaml after compose.yaml, -f in order
cat >"$DIR/compose.override.yaml" <<'EOF'
services:
  cfg:
    command: ["echo", "overridden"]
    environment:
      EXTRA: "1"
    ports:
      - "9000:9000"
EOF
ov=$(dc config --format json | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin)["services"]["cfg"]; print(s["command"], s["environment"]["EXTRA"], s["environment"]["BARE"], len(s["ports"]))')
check_eq "the override file: a command replaced, environment merged, ports appended" "$ov" "['echo', 'overridden'] 1 None 4"
check_eq "-f names the files (no override then)" "$(dc -f compose.yaml config --format json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["services"]["cfg"]["ports"]))')" 3
rm "$DIR/compose.override.yaml"

bad() { # name, yaml, expected message part
    local d=$PROOT/bad; rm -rf "$d"; mkdir -p "$d"; printf '%s\n' "$2" >"$d/compose.yml"
    local out rc
    out=$(cd "$d" && MYDOCKER_ROOT=$PROOT "$MYDOCKER" compose config 2>&1 >/dev/null); rc=$?
    check_eq "$1: exit 1" "$rc" 1
    check_match "$1: message" "$out" "$3"
}
bad "an unknown service key is refused" $'services:\n  a:\n    image: busybox\n    bogus: 1' "services.a Additional property bogus is not allowed"
bad "\${VAR:?message} unset" $'services:\n  a:\n    image: ${NOPE_UNSET:?must be set}' "required variable NOPE_UNSET is missing a value: must be set"
bad "a service with neither image nor build" $'services:\n  a:\n    command: true' 'service "a" has neither an image nor a build context specified'
bad "an undefined network" $'services:\n  a:\n    image: busybox\n    networks: [nowhere]' "service \"a\" refers to undefined network nowhere"
bad "a dependency cycle" $'services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [a]' "dependency cycle detected"
bad "invalid YAML" $'services:\n  a: [' "yaml: line"
bad "a bad port" $'services:\n  a:\n    image: busybox\n    ports: ["99999:80"]' "invalid port 99999:80"
out=$(cd "$PROOT" && mkdir -p empty && cd empty && MYDOCKER_ROOT=$PROOT "$MYDOCKER" compose ps 2>&1); rc=$?
check_eq "no compose file: docker compose's message" "$rc $out" "1 mydocker: no configuration file provided: not found"

# ---------------------------------------------------------------- attached up, profiles, secrets
A=$PROOT/att
mkdir -p "$A"
echo "s3cret" >"$A/token.txt"
cat >"$A/compose.yaml" <<'EOF'
services:
  job:
    image: busybox
    command: sh -c 'cat /run/secrets/token; echo "limit $(cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max 2>/dev/null)"; exit 3'
    secrets: [token]
    deploy:
      resources:
        limits:
          pids: 64
  debug:
    image: busybox
    command: "true"
    profiles: [debug]
secrets:
  token:
    file: ./token.txt
EOF
ac() { (cd "$A" && MYDOCKER_ROOT=$PROOT "$MYDOCKER" compose -p "${P}a" "$@"); }
out=$(ac up --exit-code-from job 2>/dev/null); rc=$?
check_eq "up (attached) --exit-code-from: the job's exit code" "$rc" 3
check_match "... its output prefixed, the secret file mounted" "$out" "${P}a-job-1  \| s3cret"
check_match "... deploy.resources.limits.pids" "$out" "limit 64"
check_eq "a service of an inactive profile is not started" "$(pmd ps -aq -f name="${P}a-debug" | wc -l)" 0
check_eq "--profile debug enables it" "$(cd "$A" && MYDOCKER_ROOT=$PROOT "$MYDOCKER" compose -p "${P}a" --profile debug config --services | sort | tr '\n' ' ')" "debug job "
ac down >/dev/null 2>&1
check_eq "down: the attached project gone" "$(pmd ps -aq | wc -l)" 0

# ---------------------------------------------------------------- a project
# ranges no route here uses (the host's eth0 may sit in 192.0.2.0/24)
NET1=10.$((180 + RANDOM % 20)).$((RANDOM % 250)).0/24
cat >"$DIR/compose.yaml" <<EOF
services:
  web:
    build: ./web
    init: true
    ports:
      - "127.0.0.1:\${WEB_PORT}:80"
    volumes:
      - ./site:/site/extra:ro
    depends_on:
      db:
        condition: service_healthy
    networks: [front, back]
  db:
    image: busybox
    init: true
    command: sh -c 'echo started >> /data/log; echo db ready; exec sleep 300'
    volumes:
      - data:/data
    healthcheck:
      test: ["CMD", "test", "-f", "/data/log"]
      interval: 1s
      retries: 5
    networks:
      back:
        aliases: [database]
  worker:
    image: busybox
    init: true
    command: sh -c 'echo worker up; exec sleep 299'
    networks: [back]
networks:
  front:
    ipam:
      config:
        - subnet: $NET1
  back:
    internal: true
volumes:
  data:
EOF
export WEB_PORT=$((20000 + RANDOM % 20000))
mkdir -p "$DIR/web"
echo "hello from compose" >"$DIR/web/index.html"
echo "extra" >"$DIR/site/x.html"
printf 'FROM busybox\nCOPY index.html /site/index.html\nCMD ["httpd", "-f", "-p", "80", "-h", "/site"]\n' >"$DIR/web/Dockerfile"
out=$(dc up -d 2>&1); rc=$?
check_eq "up -d: exit 0" "$rc" 0
check_match "up -d: db waited for its health before web started" "$(printf '%s\n' "$out" | grep -n 'Healthy\|web-1  Started' | tr '\n' ' ')" "Healthy.*web-1  Started"
check_eq "docker compose's container names and labels" \
    "$(pmd inspect -f '{{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.container-number"}}' "$P-web-1")" \
    "$P web 1"
check_eq "the networks made with the project's label; back is internal" \
    "$(pmd network inspect -f '{{.Name}} {{.Internal}} {{index .Labels "com.docker.compose.project"}}' "${P}_front" "${P}_back" | tr '\n' ' ')" \
    "${P}_front false $P ${P}_back true $P "
check_eq "front has the ipam subnet of the file" "$(pmd network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "${P}_front")" "$NET1"
check_eq "the named volume made" "$(pmd volume ls -q | grep -c "^${P}_data$")" 1
check_match "ps: the three services up, web's port" "$(dc ps)" "$P-web-1 .*web .*Up .*127.0.0.1:$WEB_PORT->80/tcp"
check_eq "ps -q: three ids" "$(dc ps -q | wc -l)" 3
check_eq "ps --services" "$(dc ps --services | tr '\n' ' ')" "db web worker "
check_eq "web's image built from its Dockerfile, named after the project" "$(pmd images --format '{{.Repository}}' | grep -c "^$P-web$")" 1
check_eq "the published port is reached from the host: the built page, the bind mount" \
    "$(wait_for 5 curl -sf "http://127.0.0.1:$WEB_PORT/" && curl -s "http://127.0.0.1:$WEB_PORT/" "http://127.0.0.1:$WEB_PORT/extra/x.html")" "hello from compose
extra"
check_eq "web reaches db by its service name and its alias on back" \
    "$(dc exec -T web sh -c 'ping -c1 -W2 db >/dev/null && ping -c1 -W2 database >/dev/null && echo ok')" ok
check_not "worker (back only) does not reach web's front network address" \
    dc exec -T worker sh -c "ping -c1 -W1 $(pmd inspect -f "{{(index .NetworkSettings.Networks \"${P}_front\").IPAddress}}" "$P-web-1")"
check_match "logs: each line prefixed with its container" "$(dc logs db)" "$P-db-1  | db ready"
flog=$( (cd "$DIR" && MYDOCKER_ROOT=$PROOT timeout 2 "$MYDOCKER" compose logs -f db worker) 2>&1)
check_match "logs -f: both containers' lines, interleaved, until interrupted" "$(printf '%s\n' "$flog" | sort | tr '\n' ' ')" "$P-db-1 +\| db ready $P-worker-1 +\| worker up"
check_eq "exec: the exit code comes back" "$(dc exec -T db sh -c 'exit 7'; echo $?)" 7
check_eq "run --rm: a one-off container with the service's volume" "$(dc run --rm -T db cat /data/log)" started
check_eq "run --rm leaves no one-off container" "$(pmd ps -aq --filter label=com.docker.compose.oneoff=True | wc -l)" 0
check_eq "run: the command's exit code" "$(dc run --rm -T --no-deps worker sh -c 'exit 3' >/dev/null 2>&1; echo $?)" 3

# an edit recreates only the edited service
web_id=$(pmd inspect -f '{{.Id}}' "$P-web-1"); db_id=$(pmd inspect -f '{{.Id}}' "$P-db-1")
start=$(date +%s%N)
out=$(dc up -d 2>&1)
check_match "up -d without a change: everything kept running" "$out" "$P-web-1  Running"
sed -i 's/exec sleep 299/exec sleep 298/' "$DIR/compose.yaml"
dc up -d >/dev/null 2>&1
check_eq "an edit of worker: web and db kept" "$(pmd inspect -f '{{.Id}}' "$P-web-1") $(pmd inspect -f '{{.Id}}' "$P-db-1")" "$web_id $db_id"
check_eq "... worker recreated with the new command" "$(pmd inspect -f '{{join .Config.Cmd " "}}' "$P-worker-1")" "sh -c echo worker up; exec sleep 298"
echo "rebuilt page" >"$DIR/web/index.html"
dc up -d --build >/dev/null 2>&1
check_eq "up --build after an edit of web's context: web recreated on the new image, db kept" \
    "$(wait_for 5 curl -sf "http://127.0.0.1:$WEB_PORT/" && curl -s "http://127.0.0.1:$WEB_PORT/") $(pmd inspect -f '{{.Id}}' "$P-db-1")" "rebuilt page $db_id"
echo "hello from compose" >"$DIR/web/index.html"
dc up -d --scale worker=3 >/dev/null 2>&1
check_eq "--scale worker=3: three workers" "$(dc ps --format json | /usr/bin/python3 -c 'import json,sys; print(sorted(c["Name"] for c in json.load(sys.stdin) if c["Service"] == "worker"))')" \
    "['$P-worker-1', '$P-worker-2', '$P-worker-3']"
dc up -d --scale worker=1 >/dev/null 2>&1
check_eq "--scale worker=1: back to one" "$(dc ps -q worker | wc -l)" 1
dc stop worker >/dev/null 2>&1
check_eq "stop worker: exited" "$(pmd inspect -f '{{.State.Status}}' "$P-worker-1")" exited
check_eq "ps -a shows it, ps does not" "$(dc ps -a -q | wc -l) $(dc ps -q | wc -l)" "3 2"
dc start worker >/dev/null 2>&1
check_eq "start worker: running again" "$(pmd inspect -f '{{.State.Status}}' "$P-worker-1")" running
check_match "ls: the project running" "$(MYDOCKER_ROOT=$PROOT "$MYDOCKER" compose ls)" "$P +running\(3\)"

out=$(dc down -v 2>&1); rc=$?
check_eq "down -v: exit 0" "$rc" 0
check_match "down: web (which depends on db) removed before db is stopped" \
    "$(printf '%s\n' "$out" | grep -E "$P-(web|db)-1  (Removed|Stopping)" | tr '\n' ' ')" "web-1  Removed .*db-1  Stopping"
check_eq "down -v: no container left" "$(pmd ps -aq | wc -l)" 0
check_eq "down -v: no network left" "$(pmd network ls -q -f label=com.docker.compose.project=$P | wc -l)" 0
check_eq "down -v: no volume left" "$(pmd volume ls -q | grep -c "^${P}_")" 0
check_not "down -v: no nft rule for the port left" sh -c "nft list ruleset | grep -q 'dport $WEB_PORT'"
check_eq "down --rmi local: the built image stays without it" "$(pmd images --format '{{.Repository}}' | grep -c "^$P-web$")" 1
dc down --rmi local >/dev/null 2>&1
check_eq "down --rmi local: the built image removed" "$(pmd images --format '{{.Repository}}' | grep -c "^$P-web$")" 0

# ---------------------------------------------------------------- the same file, docker-compose 1.29
if [ -x /usr/bin/docker-compose ]; then
    SOCK=$PROOT/docker.sock
    MYDOCKER_ROOT=$PROOT "$MYDOCKER" system service --time 0 "unix://$SOCK" >"$PROOT/api.log" 2>&1 &
    spid=$!
    at_exit "kill $spid 2>/dev/null"
    wait_for 5 test -S "$SOCK"
    export DOCKER_CONFIG=$PROOT/dcfg
    Q=${P}x
    dcv1() { (cd "$DIR" && DOCKER_HOST=unix://$SOCK /usr/bin/docker-compose -p "$Q" "$@"); }
    export WEB_PORT=$((WEB_PORT + 1))
    sed -i "s|subnet: .*|subnet: 10.$((200 + RANDOM % 20)).$((RANDOM % 250)).0/24|" "$DIR/compose.yaml"
    check "docker-compose 1.29 through the API server: up -d of the same file" dcv1 up -d
    check_eq "... the built page on the published port" "$(wait_for 5 curl -sf "http://127.0.0.1:$WEB_PORT/" && curl -s "http://127.0.0.1:$WEB_PORT/")" "hello from compose"
    check_eq "... db became healthy first" "$(pmd inspect -f '{{.State.Health.Status}}' "${Q}_db_1")" healthy
    check_eq "... web reaches db by name" "$(dcv1 exec -T web sh -c 'ping -c1 -W2 db >/dev/null && echo ok')" ok
    check "docker-compose down -v" dcv1 down -v --rmi local
    check_eq "... nothing left: containers, networks, volumes" \
        "$(pmd ps -aq | wc -l) $(pmd network ls -q -f label=com.docker.compose.project=$Q | wc -l) $(pmd volume ls -q | grep -c "^${Q}_")" "0 0 0"
else
    echo "# docker-compose missing: its run of the same file skipped"
fi
summary
