#!/usr/bin/env bash
# The Kubernetes node path (issue 18): containerd's CRI plugin runs pods with mydocker-runc as a
# runtime handler, driven through the CRI gRPC API as a kubelet drives it (cri/scenarios.py; no
# kubelet or crictl is packaged). A private containerd (root, state, socket, CNI config under a
# temp dir), a pause image built here, Debian's CNI plugins (bridge, host-local, portmap,
# loopback); the same scenarios with the `mydocker` handler and with runc's, and nothing left
# after: no pod, shim, mount, netns, cgroup or bridge of this test.
. "$(dirname "$0")/lib.sh"
for need in containerd ctr protoc /usr/bin/grpc_python_plugin /usr/lib/cni/bridge; do
    if ! command -v "$need" >/dev/null; then
        echo "FAIL - $need is not installed (scripts/setup.sh installs it)"
        summary
    fi
done
if ! /usr/bin/python3 -c 'import grpc, google.protobuf, websocket' 2>/dev/null; then
    echo "FAIL - python3-grpcio, python3-protobuf or python3-websocket missing (scripts/setup.sh)"
    summary
fi
. "$LIB_DIR/cri/env.sh"
T=$(mktemp -d /tmp/mydocker-cri.XXXXXX)
at_exit "rm -rf '$T'"
# the mydocker handler's binary, through a wrapper that notes the shim's command lines
cat >"$T/mydocker-runc" <<EOF
#!/bin/sh
echo "\$*" >>"$T/runtime-argv.log"
exec "$REPO_DIR/build/mydocker-runc" "\$@"
EOF
chmod +x "$T/mydocker-runc"
if cri_env_up "$T" "$T/mydocker-runc" >"$T/env.log" 2>&1; then
    ok "a private containerd with the CRI plugin, the stubs, busybox and pause images"
else
    fail "a private containerd with the CRI plugin" "$(tail -n 5 "$T/env.log" "$T/containerd.log")"
    summary
fi

for handler in mydocker runc; do
    out=$(timeout 600 /usr/bin/python3 "$LIB_DIR/cri/scenarios.py" "$GEN" "$CSOCK" "$handler" \
        "$IMG" "$CG" "$T" 2>&1)
    printf '%s\n' "$out" | grep -E '^(ok|FAIL) - ' | sed 's/^/  /' | sed 's/^  //'
    PASS=$((PASS + $(printf '%s\n' "$out" | grep -c '^ok - ')))
    FAILED=$((FAILED + $(printf '%s\n' "$out" | grep -c '^FAIL - ')))
    printf '%s\n' "$out" | grep -q -E '^[0-9]+ passed, [0-9]+ failed$' ||
        fail "[$handler] the scenarios ran to their end" "$(printf '%s\n' "$out" | tail -n 5)"
    if [ "$handler" = mydocker ]; then
        check_eq "[mydocker] the shim ran mydocker-runc: create, start, exec, update, kill, delete" \
            "$(cut -d' ' -f1-12 "$T/runtime-argv.log" 2>/dev/null | grep -oE ' (create|start|exec|update|delete|kill)( |$)' | sort -u | tr -d ' ' | tr '\n' ' ')" \
            "create delete exec kill start update "
    fi
done

cri_env_down
summary
