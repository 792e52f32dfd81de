# Registry helpers for the integration tests (sourced after lib.sh).
#
#   free_port                       a free TCP port on 127.0.0.1
#   start_registry DIR [AUTHYAML]   Debian's docker-registry (the distribution registry) on
#                                   127.0.0.1:<free port>, storage in DIR/data, config DIR/config.yml
#                                   (AUTHYAML: an "auth:" block, indented by two spaces);
#                                   sets REG (host:port) and REG_PID; stopped at exit
#   reg_blob_file DIR DIGEST        the file holding a blob in the registry's storage
#   mk_busybox_tar FILE             the busybox rootfs of lib.sh's mk_rootfs as a tar
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_registry() {
    local dir=$1 auth=${2:-} port i
    mkdir -p "$dir/data"
    port=$(free_port)
    cat >"$dir/config.yml" <<CFG
version: 0.1
log:
  level: error
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$auth
CFG
    /usr/bin/docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
    REG_PID=$!
    at_exit "kill $REG_PID; wait $REG_PID"
    REG=127.0.0.1:$port
    for ((i = 0; i < 100; i++)); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "# registry did not start: $(tail -3 "$dir/log")"
    return 1
}

reg_blob_file() {
    local hex=${2#sha256:}
    echo "$1/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

mk_busybox_tar() {
    local root
    root=$(mktemp -d /tmp/mydocker-bbroot.XXXXXX)
    mk_rootfs "$root" && tar --numeric-owner -C "$root" -cf "$1" .
    local rc=$?
    rm -rf "$root"
    return $rc
}
