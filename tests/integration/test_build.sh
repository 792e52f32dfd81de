#!/usr/bin/env bash
# `build` (issue 15), on a private MYDOCKER_ROOT with a busybox base imported into it: the
# Dockerfile's instructions built and then run, the cache (a rebuild with nothing changed starts
# no container and gives the same image; a changed file rebuilds from its COPY on), build args,
# .dockerignore, multi-stage and --target, FROM scratch, heredocs, ADD of a tar, --chown/--chmod,
# ONBUILD, docker's errors, and nothing left behind by a failed build.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/reglib.sh"
PROOT=$(mktemp -d /tmp/mydocker-build.XXXXXX)
CTX=$(mktemp -d /tmp/mydocker-buildctx.XXXXXX)
pmd() { MYDOCKER_ROOT=$PROOT "$MYDOCKER" "$@"; }
at_exit "MYDOCKER_ROOT='$PROOT' '$MYDOCKER' rm -f \$(MYDOCKER_ROOT='$PROOT' '$MYDOCKER' ps -aq) >/dev/null 2>&1; rm -rf '$PROOT' '$CTX'"
mk_busybox_tar "$PROOT/bb.tar"
pmd import "$PROOT/bb.tar" busybox >/dev/null
mounts_before=$(mounts_snapshot)
# events of containers since T (every RUN is a container: none means nothing ran)
created_since() { pmd events --since "$1" --until 0s -f type=container -f event=create --format '{{.Action}}' | wc -l; }

# ---------------------------------------------------------------- a Dockerfile of every day
mkdir -p "$CTX/app/sub"
echo "hello file" >"$CTX/app/hello.txt"
echo a >"$CTX/app/sub/a"
cat >"$CTX/app/Dockerfile" <<'EOF'
# syntax=docker/dockerfile:1
FROM busybox
ARG GREETING=hello
ENV APP=/srv/app \
    MODE=prod
WORKDIR $APP
RUN echo "$GREETING from $MODE" > /greeting \
 && mkdir -p /var/lib/thing
COPY hello.txt ./
COPY sub/ /data/
EXPOSE 8080/tcp
LABEL org.example.team=core version="1.0"
USER nobody
STOPSIGNAL SIGINT
VOLUME /data
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /greeting $APP/hello.txt /data/a; id -un"]
EOF
T0=$(date +%s.%N)
out=$(pmd build -t app:1 "$CTX/app" 2>&1); rc=$?
check_eq "build -t: exit 0" "$rc" 0
check_match "BuildKit's plain progress: steps, RUN output, export, name" "$out" \
    "#1 \[1/4\] FROM busybox.*#2 \[2/4\] RUN echo .*#3 \[3/4\] COPY hello.txt ./.*#5 writing image sha256:[0-9a-f]{64} done.*naming to docker.io/library/app:1 done"
check_eq "the RUN ran as a container, and it was removed" "$(created_since "$T0") $(pmd ps -aq | wc -l)" "1 0"
check_eq "the image runs: RUN's file, COPY's files, ENV, ARG, USER" "$(pmd run --rm app:1)" \
    "hello from prod
hello file
a
nobody"
check_eq "inspect: docker's config of the image" \
    "$(pmd image inspect -f '{{.Config.WorkingDir}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|{{.Config.User}}|{{.Config.StopSignal}}|{{json .Config.ExposedPorts}}|{{json .Config.Volumes}}|{{index .Config.Labels "org.example.team"}}|{{index .Config.Labels "version"}}' app:1)" \
    '/srv/app|["/bin/sh","-c"]|["cat /greeting $APP/hello.txt /data/a; id -un"]|nobody|SIGINT|{"8080/tcp":{}}|{"/data":{}}|core|1.0'
check_eq "ENV: both variables, the ARG not kept" \
    "$(pmd image inspect -f '{{range .Config.Env}}{{.}} {{end}}' app:1 | tr ' ' '\n' | grep -E '^(APP|MODE|GREETING)=' | tr '\n' ' ')" \
    "APP=/srv/app MODE=prod "
check_eq "history: one entry per instruction, layers for RUN and COPY" \
    "$(pmd history --no-trunc --format '{{.CreatedBy}}' app:1 | head -4 | tr '\n' '|')" \
    'CMD ["cat /greeting $APP/hello.txt /data/a; id -un"]|ENTRYPOINT ["/bin/sh", "-c"]|VOLUME /data|STOPSIGNAL SIGINT|'
check_eq "... the base image's layer and three more" "$(pmd image inspect -f '{{len .RootFS.Layers}}' app:1)" 4

# ---------------------------------------------------------------- the cache
id1=$(pmd images -q --no-trunc app:1)
T1=$(date +%s.%N)
out=$(pmd build -t app:2 "$CTX/app" 2>&1)
check_eq "rebuild with nothing changed: every layer step CACHED" "$(grep -c CACHED <<<"$out")" 3
check_eq "... no container started" "$(created_since "$T1")" 0
check_eq "... the same image" "$(pmd images -q --no-trunc app:2)" "$id1"
check_eq "-q: only the image id on stdout" "$(pmd build -q "$CTX/app" 2>/dev/null)" "$id1"
echo "hello again" >"$CTX/app/hello.txt"
out=$(pmd build -t app:3 "$CTX/app" 2>&1)
check_eq "a changed file: the RUN before it cached, its COPY and the next rebuilt" \
    "$(grep -E '^#[0-9]+ (CACHED|DONE)' <<<"$out" | sed 's/ [0-9.]*s$//' | tr '\n' ' ')" \
    "#1 DONE #2 CACHED #3 DONE #4 DONE #5 DONE "
check_eq "... and the image has it" "$(pmd run --rm --entrypoint cat app:3 /srv/app/hello.txt)" "hello again"
touch "$CTX/app/hello.txt"
check_eq "a new mtime alone changes nothing (content keys, as docker's)" \
    "$(pmd build -q "$CTX/app")" "$(pmd images -q --no-trunc app:3)"
T2=$(date +%s.%N)
pmd build -q --no-cache "$CTX/app" >/dev/null
check_eq "--no-cache: the RUN runs again" "$(created_since "$T2")" 1
check_eq "--build-arg: the RUN sees the new value (and is not taken from the cache)" \
    "$(pmd build -q --build-arg GREETING=bye -t app:4 "$CTX/app" >/dev/null; pmd run --rm --entrypoint cat app:4 /greeting)" "bye from prod"
check_match "a build arg no ARG declares: docker's warning" \
    "$(pmd build --build-arg NOPE=1 "$CTX/app" 2>&1)" "WARNING: One or more build-args \[NOPE\] were not consumed"

printf 'FROM busybox\nARG TARGETARCH\nARG TARGETPLATFORM\nRUN echo "$TARGETARCH $TARGETPLATFORM $HTTP_PROXY" > /args\n' >"$CTX/args.df"
out=$(pmd build -q -t args -f "$CTX/args.df" --build-arg HTTP_PROXY=http://proxy.invalid:3128 "$CTX/app" 2>&1)
check_eq "the platform ARGs, and HTTP_PROXY (predefined: no ARG, no warning)" \
    "$out|$(pmd run --rm args cat /args)" "$(pmd images -q --no-trunc args)|amd64 linux/amd64 http://proxy.invalid:3128"
check_eq "... a proxy is not in the cache key: another one, the same image" \
    "$(pmd build -q -f "$CTX/args.df" --build-arg HTTP_PROXY=http://other.invalid "$CTX/app")" "$(pmd images -q --no-trunc args)"

# ---------------------------------------------------------------- .dockerignore, -f, stdin, --iidfile
mkdir -p "$CTX/ign/logs" "$CTX/ign/src"
echo keep >"$CTX/ign/src/main.c"; echo secret >"$CTX/ign/.env"; echo l >"$CTX/ign/logs/a.log"
echo k >"$CTX/ign/logs/keep.log"; echo t >"$CTX/ign/src/x.tmp"
printf '# comment\n.env\nlogs\n!logs/keep.log\n**/*.tmp\n' >"$CTX/ign/.dockerignore"
printf 'FROM busybox\nCOPY . /ctx/\nCMD ["find", "/ctx", "-type", "f"]\n' >"$CTX/ign/Build.df"
pmd build -q -f "$CTX/ign/Build.df" --iidfile "$CTX/iid" -t ign "$CTX/ign" >/dev/null
check_eq ".dockerignore: docker's rules (a file, a dir, an exception, **)" \
    "$(pmd run --rm ign | sort | tr '\n' ' ')" "/ctx/.dockerignore /ctx/Build.df /ctx/logs/keep.log /ctx/src/main.c "
check_eq "--iidfile: the image id" "$(cat "$CTX/iid")" "$(pmd images -q --no-trunc ign)"
check_eq "build - (the Dockerfile on stdin, no context)" \
    "$(printf 'FROM busybox\nRUN echo from-stdin >/s\nCMD ["cat", "/s"]\n' | pmd build -q -t stdin - >/dev/null; pmd run --rm stdin)" from-stdin

# ---------------------------------------------------------------- multi-stage, --target, scratch
mkdir -p "$CTX/ms"
cp "$(command -v busybox)" "$CTX/ms/busybox"
cat >"$CTX/ms/Dockerfile" <<'EOF'
FROM busybox AS builder
RUN mkdir /out && echo built-in-builder > /out/artifact
FROM busybox AS unused
RUN echo this stage is not needed && exit 1
FROM scratch
COPY busybox /bin/busybox
COPY --from=builder /out/artifact /artifact
ENTRYPOINT ["/bin/busybox"]
CMD ["cat", "/artifact"]
EOF
out=$(pmd build -t ms "$CTX/ms" 2>&1); rc=$?
check_eq "multi-stage: only the stages the target needs (the failing one is skipped)" "$rc" 0
check_match "... with the stages' names in the progress" "$out" "\[builder 2/2\] RUN mkdir"
check_eq "FROM scratch + COPY --from: the artifact, on a static busybox" "$(pmd run --rm ms)" built-in-builder
check_eq "... a single-binary image: two layers" "$(pmd image inspect -f '{{len .RootFS.Layers}}' ms)" 2
check_eq "--target builder" \
    "$(pmd build -q --target builder -t ms-b "$CTX/ms" >/dev/null; pmd run --rm ms-b cat /out/artifact)" built-in-builder
err_case "--target of no stage: BuildKit's words" 1 "ERROR: failed to solve: failed to reach build target nosuch in Dockerfile" \
    pmd build -q --target nosuch "$CTX/ms"

# ---------------------------------------------------------------- heredocs, SHELL, ADD, owners, ONBUILD
mkdir -p "$CTX/more/tree"
echo inside >"$CTX/more/tree/f"
tar -C "$CTX/more" -czf "$CTX/more/tree.tgz" tree
echo plain >"$CTX/more/plain.txt"
cat >"$CTX/more/Dockerfile" <<'DOCKERFILE'
FROM busybox
RUN <<EOF
echo "line one" > /h1
echo "line two" >> /h1
EOF
COPY <<EOF /etc/motd
welcome
EOF
SHELL ["/bin/sh", "-ec"]
RUN test "$0" = /bin/sh && echo shell-ok > /shell
ADD tree.tgz /unpacked/
ADD --chown=user:users --chmod=640 plain.txt /owned.txt
HEALTHCHECK --interval=5s --retries=2 CMD test -e /h1
ONBUILD RUN echo triggered > /onbuild
DOCKERFILE
pmd build -q -t more "$CTX/more" >/dev/null
check_eq "RUN <<EOF: the heredoc is the script" "$(pmd run --rm more cat /h1)" "line one
line two"
check_eq "COPY <<EOF: a file from the heredoc" "$(pmd run --rm more cat /etc/motd)" welcome
check_eq "SHELL: RUN's shell form uses it" "$(pmd run --rm more cat /shell)" shell-ok
check_eq "ADD of a local .tgz: unpacked" "$(pmd run --rm more cat /unpacked/tree/f)" inside
check_eq "ADD --chown=user:users --chmod=640 (names from the image's passwd)" \
    "$(pmd run --rm more stat -c '%U:%G %a' /owned.txt)" "user:users 640"
check_eq "HEALTHCHECK in the config" "$(pmd image inspect -f '{{json .Config.Healthcheck}}' more)" \
    '{"Test":["CMD-SHELL","test -e /h1"],"Interval":5000000000,"Retries":2}'
check_eq "ONBUILD kept for children" "$(pmd image inspect -f '{{json .Config.OnBuild}}' more)" '["RUN echo triggered > /onbuild"]'
check_eq "... and run in a child build right after its FROM" \
    "$(printf 'FROM more\n' | pmd build -q -t child - >/dev/null; pmd run --rm child cat /onbuild; pmd image inspect -f '{{json .Config.OnBuild}}' child)" "triggered
null"

check_eq "COPY into a directory the image reaches through a symlink: written there, the link kept" \
    "$(printf 'FROM busybox\nRUN mkdir /real && ln -s /real /link\nCOPY <<EOF /link/\nx\nEOF\n' | pmd build -q -t sl - >/dev/null; pmd run --rm sl sh -c 'readlink /link; cat /real/EOF')" "/real
x"

# ---------------------------------------------------------------- reproducible with SOURCE_DATE_EPOCH
a=$(SOURCE_DATE_EPOCH=1700000000 pmd build -q --no-cache "$CTX/app")
sleep 1.1
b=$(SOURCE_DATE_EPOCH=1700000000 pmd build -q --no-cache "$CTX/app")
check_eq "SOURCE_DATE_EPOCH: two builds from scratch, one image id" "$a" "$b"
check_eq "... its created time is the epoch's" "$(pmd image inspect -f '{{.Created}}' "$a")" "2023-11-14T22:13:20Z"
check_not "without it, the times differ" test "$(pmd build -q --no-cache "$CTX/app")" = "$a"

# ---------------------------------------------------------------- RUN --mount, --secret
mkdir -p "$CTX/mnt/src"
echo "bound content" >"$CTX/mnt/src/file"
echo "s3cr3t" >"$PROOT/secret.txt"
cat >"$CTX/mnt/Dockerfile" <<'DOCKERFILE'
FROM busybox
RUN --mount=type=bind,source=src,target=/mnt/src cat /mnt/src/file > /bound
RUN --mount=type=cache,target=/var/cache/thing sh -c 'echo run >> /var/cache/thing/log; wc -l < /var/cache/thing/log > /cachecount'
RUN --mount=type=tmpfs,target=/scratch sh -c 'grep -c " /scratch tmpfs" /proc/mounts > /tmpfsseen'
RUN --mount=type=secret,id=tok sh -c 'test "$(cat /run/secrets/tok)" = s3cr3t && echo seen > /secretseen'
RUN --mount=type=secret,id=envtok,target=/etc/envtok sh -c 'test "$(cat /etc/envtok)" = from-env && echo seen > /envseen'
DOCKERFILE
sec=(--secret id=tok,src="$PROOT/secret.txt" --secret id=envtok,env=TOKVAL)
TOKVAL=from-env pmd build -q -t mnt "${sec[@]}" "$CTX/mnt" >/dev/null
check_eq "RUN --mount=type=bind (the context), cache, tmpfs, secret (file and env)" \
    "$(pmd run --rm mnt cat /bound /cachecount /tmpfsseen /secretseen /envseen | tr '\n' ' ')" \
    "bound content 1 1 seen seen "
check_eq "... none of the mount points, nor a secret, in the image" \
    "$(pmd run --rm mnt sh -c 'ls -d /mnt /run/secrets /var/cache/thing /scratch /etc/envtok 2>/dev/null | wc -l')" 0
TOKVAL=from-env pmd build -q --no-cache -t mnt2 "${sec[@]}" "$CTX/mnt" >/dev/null
check_eq "the cache mount is kept across builds" "$(pmd run --rm mnt2 cat /cachecount)" 2
echo "bound changed" >"$CTX/mnt/src/file"
check_eq "a bind mount's content is in the RUN's cache key" \
    "$(TOKVAL=from-env pmd build -t mnt3 "${sec[@]}" "$CTX/mnt" 2>&1 | grep -c CACHED) $(pmd run --rm mnt3 cat /bound)" "0 bound changed"
check_match "a secret not given: the mount is absent (BuildKit's), the RUN fails" \
    "$(TOKVAL=from-env pmd build --secret id=envtok,env=TOKVAL "$CTX/mnt" 2>&1)" "ERROR: failed to solve: process .*exit code: 1"
err_case "RUN --mount=type=ssh" 1 "ERROR: failed to solve: RUN --mount=type=ssh is not supported" \
    sh -c "printf 'FROM busybox\nRUN --mount=type=ssh true\n' | MYDOCKER_ROOT=$PROOT $MYDOCKER build -q -"

# ---------------------------------------------------------------- ADD of a URL, --checksum
mkdir -p "$CTX/www"
echo "remote file" >"$CTX/www/remote.txt"
/usr/bin/python3 -m http.server 0 --bind 127.0.0.1 --directory "$CTX/www" >"$CTX/http.log" 2>&1 &
hpid=$!
at_exit "kill $hpid 2>/dev/null"
wait_for 5 grep -q "port [0-9]" "$CTX/http.log"
URL=http://127.0.0.1:$(grep -o "port [0-9]*" "$CTX/http.log" | awk '{print $2}')
SUM=$(sha256sum "$CTX/www/remote.txt" | cut -d' ' -f1)
printf 'FROM busybox\nADD %s/remote.txt /dl/\nADD --checksum=sha256:%s %s/remote.txt /checked.txt\n' \
    "$URL" "$SUM" "$URL" | pmd build -q -t url - >/dev/null
check_eq "ADD URL: named by the URL, mode 0600 (docker's); --checksum verified" \
    "$(pmd run --rm url sh -c 'stat -c %a /dl/remote.txt; cat /dl/remote.txt /checked.txt')" "600
remote file
remote file"
err_case "ADD --checksum of other content" 1 \
    "ERROR: failed to solve: digest mismatch sha256:0000: sha256:$SUM" \
    sh -c "printf 'FROM busybox\nADD --checksum=sha256:0000 $URL/remote.txt /x\n' | MYDOCKER_ROOT=$PROOT $MYDOCKER build -q -"
err_case "ADD of a URL the server does not have" 1 "ERROR: failed to solve: invalid response status 404" \
    sh -c "printf 'FROM busybox\nADD $URL/nope /x\n' | MYDOCKER_ROOT=$PROOT $MYDOCKER build -q -"
kill $hpid 2>/dev/null

# ---------------------------------------------------------------- the cache's images, builder prune
untagged=0 shown=0 listed=0
for f in "$PROOT"/image/buildcache/*; do
    id=$(cat "$f")
    [ "$(pmd image inspect -f '{{len .RepoTags}}' "$id")" = 0 ] || continue
    untagged=$((untagged + 1))
    pmd images -q --no-trunc | grep -q "$id" && shown=$((shown + 1))
    pmd images -aq --no-trunc | grep -q "$id" && listed=$((listed + 1))
done
check "the cache holds untagged images" test "$untagged" -gt 0
check_eq "images hides them (docker's intermediate images), images -a shows them" "$shown $listed" "0 $untagged"
check_eq "image prune (not -a) leaves them: the cache still hits" \
    "$(pmd image prune -f >/dev/null; pmd build -t app:5 "$CTX/app" 2>&1 | grep -c CACHED)" 3
out=$(pmd builder prune -f)
check_match "builder prune: docker's report" "$out" "^Deleted build cache objects:
[0-9a-f]{12}
.*Total reclaimed space: [0-9.]+k?B$"
check_eq "... the cache is empty: the next build runs its RUN" \
    "$(pmd build -t app:6 "$CTX/app" 2>&1 | grep -c CACHED) $(pmd run --rm app:6 | head -1)" "0 hello from prod"
check_eq "... tagged images stay" "$(pmd images -q app:1 | wc -l)" 1
pmd build -q "$CTX/ms" >/dev/null
check_match "system prune -a -f: the build cache's section too" "$(pmd system prune -a -f)" "Deleted build cache objects:"
check_eq "... nothing of the cache left" "$(pmd images -aq | wc -l) $(ls "$PROOT/image/buildcache" | wc -l)" "0 0"
pmd import "$PROOT/bb.tar" busybox >/dev/null
err_case "builder prune: an unknown filter" 1 "mydocker: invalid filter 'label'" pmd builder prune -f --filter label=x

# ---------------------------------------------------------------- errors, and nothing left behind
printf 'FROM busybox\nRUN echo before\nRUN echo failing; exit 3\n' >"$CTX/bad.df"
out=$(pmd build -f "$CTX/bad.df" "$CTX/app" 2>&1); rc=$?
check_eq "a failing RUN: exit 1" "$rc" 1
check_match "... its output and BuildKit's error" "$out" \
    "failing.*ERROR: failed to solve: process \"/bin/sh -c echo failing; exit 3\" did not complete successfully: exit code: 3$"
check_eq "... no container, mount or temporary directory left" \
    "$(pmd ps -aq | wc -l) $(ls "$PROOT"/image/tmp 2>/dev/null | wc -l)" "0 0"
check_same "... and the host's mounts as before" "$(mounts_snapshot)" "$mounts_before"
err_case "an unknown instruction: docker's parse error" 1 \
    "ERROR: failed to solve: dockerfile parse error on line 2: unknown instruction: FOO" \
    sh -c "printf 'FROM busybox\nFOO bar\n' | MYDOCKER_ROOT=$PROOT $MYDOCKER build -q -"
err_case "COPY of a missing file" 1 'ERROR: failed to solve: failed to compute cache key: "/nosuch": not found' \
    sh -c "printf 'FROM busybox\nCOPY nosuch /x\n' | MYDOCKER_ROOT=$PROOT $MYDOCKER build -q -"
err_case "COPY out of the context" 1 'ERROR: failed to solve: forbidden path outside the build context: ../x' \
    sh -c "printf 'FROM busybox\nCOPY ../x /x\n' | MYDOCKER_ROOT=$PROOT $MYDOCKER build -q -"
err_case "an empty Dockerfile" 1 "ERROR: failed to solve: the Dockerfile cannot be empty" \
    sh -c "printf '# nothing\n' | MYDOCKER_ROOT=$PROOT $MYDOCKER build -q -"
err_case "no context directory" 1 'ERROR: failed to solve: unable to prepare context: path "/nonexistent" not found' \
    pmd build /nonexistent
err_case "an unknown flag" 125 "mydocker: unknown flag: --nosuch
See 'mydocker build --help'." pmd build --nosuch .
summary
