#!/usr/bin/env bash
# `build` on what users build (issue 15): a Debian 12 base made from Debian's archive by
# scripts/mkdebian.sh (debootstrap; the tarball is cached between runs), then apt-get install in
# RUN, a multi-stage C build (gcc in a builder stage, a static binary on scratch), a Python app
# with a HEALTHCHECK, and nginx serving a COPY'd site through -p. Needs deb.debian.org.
. "$(dirname "$0")/lib.sh"
PROOT=$(mktemp -d /tmp/mydocker-bdeb.XXXXXX)
CTX=$(mktemp -d /tmp/mydocker-bdebctx.XXXXXX)
pmd() { MYDOCKER_ROOT=$PROOT "$MYDOCKER" "$@"; }
at_exit "MYDOCKER_ROOT='$PROOT' '$MYDOCKER' rm -f \$(MYDOCKER_ROOT='$PROOT' '$MYDOCKER' ps -aq) >/dev/null 2>&1; rm -rf '$PROOT' '$CTX'"
if ! MYDOCKER_ROOT=$PROOT MYDOCKER=$MYDOCKER "$REPO_DIR/scripts/mkdebian.sh"; then
    echo "FAIL - scripts/mkdebian.sh could not make the Debian base image (deb.debian.org?)"
    summary
    exit
fi
check_eq "the Debian base image: bookworm" "$(pmd run --rm --network none debian:12 cat /etc/debian_version | cut -d. -f1)" 12

# ---------------------------------------------------------------- apt-get install in RUN
mkdir -p "$CTX/apt"
cat >"$CTX/apt/Dockerfile" <<'EOF'
FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends hello \
 && rm -rf /var/lib/apt/lists/*
CMD ["hello", "-g", "hi from apt"]
EOF
pmd build -q -t apt-hello "$CTX/apt" >"$CTX/apt.out" 2>&1
check_eq "RUN apt-get install: the package runs" "$(pmd run --rm --network none apt-hello)" "hi from apt"

# ---------------------------------------------------------------- a multi-stage C build onto scratch
mkdir -p "$CTX/c"
cat >"$CTX/c/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("static hello from scratch"); return 0; }
EOF
cat >"$CTX/c/Dockerfile" <<'EOF'
FROM debian:bookworm AS build
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean; apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev
WORKDIR /src
COPY hello.c .
RUN gcc -static -Os -o /hello hello.c

FROM scratch
COPY --from=build /hello /hello
ENTRYPOINT ["/hello"]
EOF
pmd build -q -t c-hello "$CTX/c" >"$CTX/c.out" 2>&1
check_eq "gcc in a builder stage, the static binary alone on scratch" "$(pmd run --rm --network none c-hello)" \
    "static hello from scratch"
check_eq "... one layer, the binary's" "$(pmd image inspect -f '{{len .RootFS.Layers}}' c-hello)" 1

# ---------------------------------------------------------------- a Python app with a HEALTHCHECK
mkdir -p "$CTX/py"
cat >"$CTX/py/app.py" <<'EOF'
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"py app up\n")
http.server.HTTPServer(("", 8000), H).serve_forever()
EOF
cat >"$CTX/py/Dockerfile" <<'EOF'
FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/*
COPY app.py /app/
EXPOSE 8000
HEALTHCHECK --interval=200ms --start-period=10s \
    CMD python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/')"
CMD ["python3", "/app/app.py"]
EOF
pmd build -q -t py-app "$CTX/py" >"$CTX/py.out" 2>&1
pmd run -d --name py --network none py-app >/dev/null
wait_for 20 sh -c "[ \"\$(MYDOCKER_ROOT=$PROOT $MYDOCKER inspect -f '{{.State.Health.Status}}' py)\" = healthy ]"
check_eq "the image's HEALTHCHECK: the app turns healthy" "$(pmd inspect -f '{{.State.Health.Status}}' py)" healthy
pmd rm -f py >/dev/null

# ---------------------------------------------------------------- nginx serving a COPY'd site
mkdir -p "$CTX/web/site"
echo "<h1>site from COPY</h1>" >"$CTX/web/site/index.html"
cat >"$CTX/web/Dockerfile" <<'EOF'
FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends nginx-light \
 && rm -rf /var/lib/apt/lists/* && ln -sf /dev/stdout /var/log/nginx/access.log
COPY site/ /var/www/html/
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
EOF
pmd build -q -t web "$CTX/web" >"$CTX/web.out" 2>&1
pmd run -d --name web -p 127.0.0.1::80 web >/dev/null
port=$(pmd port web 80 | sed 's/.*://')
wait_for 10 curl -sf "http://127.0.0.1:$port/"
check_eq "nginx serves the COPY'd site through -p" "$(curl -s "http://127.0.0.1:$port/")" "<h1>site from COPY</h1>"
pmd rm -f web >/dev/null
for f in apt c py web; do
    grep -q "ERROR" "$CTX/$f.out" && { echo "# build output of $f:"; tail -20 "$CTX/$f.out"; }
done
summary
