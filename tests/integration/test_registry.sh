#!/usr/bin/env bash
# pull/push against Debian's docker-registry on 127.0.0.1 (a free port), in a private
# MYDOCKER_ROOT: push + pull back by tag and by digest (same id), OCI and docker v2s2
# manifests, an OCI index and a docker manifest list (fed by skopeo), multi-layer images,
# blobs not fetched twice, a tampered blob refused with nothing left, chunked upload,
# login/logout with htpasswd Basic auth, and Bearer tokens from a token server.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/reglib.sh"
REPO=$(cd "$HERE/../.." && pwd)
TOOL=${MYDOCKER_IMAGE_TOOL:-$REPO/build/mydocker-image}
for b in /usr/bin/docker-registry /usr/bin/skopeo "$TOOL"; do
    if [ ! -x "$b" ] || [ "$(id -u)" -ne 0 ]; then
        echo "FAIL - needs root and $b (scripts/setup.sh installs docker-registry and skopeo)"
        echo "0 passed, 1 failed"; exit 1
    fi
done
T=$(mktemp -d /tmp/mydocker-registry-test.XXXXXX)
at_exit "rm -rf '$T'"
export MYDOCKER_ROOT=$T/root MYDOCKER_AUTH_FILE=$T/auth.json
S=$MYDOCKER_ROOT/image
mi() { "$TOOL" "$@"; }
image_id() { mi images -q --no-trunc "$1" | head -n 1; }
stray_temps() { find "$S" -name '.tmp-*' 2>/dev/null | wc -l; }
sk() { skopeo "$@" >/dev/null 2>&1; }

start_registry "$T/reg" || { echo "0 passed, 1 failed"; exit 1; }
echo "# registry at $REG"

# ---- push a local image, pull it back ----
mk_busybox_tar "$T/bb.tar"
src_id=$(mi import -c 'CMD ["sh"]' "$T/bb.tar" "bb:$UNIQ")
mi tag "bb:$UNIQ" "$REG/bb:v1"
out=$(mi push "$REG/bb:v1" 2>&1)
check_match "push prints the manifest digest" "$out" "v1: digest: sha256:[0-9a-f]{64} size: [0-9]+"
check_match "push reports the layer pushed" "$out" "[0-9a-f]{12}: Pushed"
digest=$(printf '%s\n' "$out" | sed -nE 's/.*digest: (sha256:[0-9a-f]{64}).*/\1/p')
out=$(mi push "$REG/bb:v1" 2>&1)
check_match "second push: layer already exists" "$out" "Layer already exists"
check "skopeo reads the pushed image" sk inspect --tls-verify=false "docker://$REG/bb:v1"
check "registry has the manifest by digest" sk inspect --tls-verify=false "docker://$REG/bb@$digest"

mi rmi "$REG/bb:v1" "bb:$UNIQ" >/dev/null
check_eq "image gone before the pull" "$(image_id "$REG/bb:v1")" ""
out=$(mi pull "$REG/bb:v1" 2>&1)
check_match "pull: docker's status lines" "$out" "Pull complete"
check_match "pull: digest line" "$out" "Digest: $digest"
check_eq "pull by tag gives the same image id" "$(image_id "$REG/bb:v1")" "$src_id"
check_eq "run the pulled image" "$(md run --rm "$REG/bb:v1" echo pulled 2>&1)" "pulled"
check_match "images --digests shows the digest" "$(mi images --digests "$REG/bb")" "$digest"
out=$(mi pull "$REG/bb:v1" 2>&1)
check_match "pull again: up to date" "$out" "Image is up to date"
check_match "pull again: layers already exist" "$out" "Already exists"

mi rmi "$REG/bb:v1" >/dev/null
out=$(mi pull "$REG/bb@$digest" 2>&1)
check_match "pull by digest" "$out" "Status: Downloaded newer image for $REG/bb@$digest"
check_eq "pull by digest gives the same image id" "$(image_id "$REG/bb@$digest")" "$src_id"
check_eq "digest reference runs" "$(md run --rm "$REG/bb@$digest" echo bydigest 2>&1)" "bydigest"
check_rc "pull of an unknown digest fails" 1 mi pull "$REG/bb@sha256:$(printf %064d 0)"
check_rc "pull of an unknown tag fails" 1 mi pull "$REG/bb:nosuchtag"
check_rc "pull of a bad reference fails" 1 mi pull "$REG/BAD"

# ---- multi-layer images in all four manifest kinds (built here, copied by skopeo) ----
mkdir -p "$T/l1/bin" "$T/l2/etc" "$T/l3/data"
tar -C "$T/l1" -xf "$T/bb.tar"
echo two >"$T/l2/etc/two"
head -c 3000000 /dev/urandom >"$T/l3/data/blob"
for n in 1 2 3; do tar --numeric-owner -C "$T/l$n" -cf "$T/layer$n.tar" .; done
python3 "$HERE/oci_layout.py" "$T/oci" one --cmd "cat /etc/two" "$T/layer1.tar" "$T/layer2.tar" "$T/layer3.tar"
python3 "$HERE/oci_layout.py" "$T/multi" multi --arch arm64 --arch amd64 "$T/layer1.tar" "$T/layer2.tar"
check "skopeo: OCI manifest" sk copy --dest-tls-verify=false "oci:$T/oci:one" "docker://$REG/multi/oci:1"
check "skopeo: docker v2s2 manifest" sk copy --format v2s2 --dest-tls-verify=false "oci:$T/oci:one" "docker://$REG/multi/v2s2:1"
check "skopeo: OCI index" sk copy --all --dest-tls-verify=false "oci:$T/multi:multi" "docker://$REG/multi/index:1"
check "skopeo: docker manifest list" sk copy --all --format v2s2 --dest-tls-verify=false "oci:$T/multi:multi" "docker://$REG/multi/list:1"
want=$(python3 -c "import json; m=json.load(open('$T/oci/index.json'))['manifests'][0]['digest']; print(json.load(open('$T/oci/blobs/sha256/'+m[7:]))['config']['digest'])")
out=$(mi pull "$REG/multi/oci:1" 2>&1)
check_eq "OCI manifest: id is the config digest" "$(image_id "$REG/multi/oci:1")" "$want"
check_eq "OCI manifest: 3 layers pulled" "$(printf '%s\n' "$out" | grep -c 'Pull complete')" 3
check_eq "multi-layer image runs with every layer" "$(md run --rm "$REG/multi/oci:1" sh -c 'cat /etc/two; wc -c < /data/blob' 2>&1)" "two
3000000"
out=$(mi pull "$REG/multi/v2s2:1" 2>&1)
check_eq "v2s2: same config, same id" "$(image_id "$REG/multi/v2s2:1")" "$want"
check_eq "v2s2: no layer fetched twice" "$(printf '%s\n' "$out" | grep -c 'Already exists')" 3
before=$(stat -c %Y "$S/blobs/sha256/"* | sort | md5sum)
out=$(mi pull "$REG/multi/index:1" 2>&1)
check "OCI index: pulled" test -n "$(image_id "$REG/multi/index:1")"
check_eq "OCI index: amd64 picked" "$(cat "$S/blobs/sha256/$(image_id "$REG/multi/index:1" | cut -c8-)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["architecture"])')" amd64
check_eq "OCI index: shared layers already exist" "$(printf '%s\n' "$out" | grep -c 'Already exists')" 2
out=$(mi pull "$REG/multi/list:1" 2>&1)
check "docker manifest list: pulled" test -n "$(image_id "$REG/multi/list:1")"
out=$(mi pull --platform linux/arm64 "$REG/multi/list:1" 2>&1)
check_eq "--platform picks arm64" "$(cat "$S/blobs/sha256/$(image_id "$REG/multi/list:1" | cut -c8-)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["architecture"])')" arm64
check_rc "no manifest for the platform" 1 mi pull --platform linux/s390x "$REG/multi/list:1"
check_eq "no temp files after the pulls" "$(stray_temps)" 0

# ---- a tampered blob: refused, nothing left ----
check "skopeo: image to tamper with" sk copy --dest-tls-verify=false "oci:$T/oci:one" "docker://$REG/tamper/x:1"
layer3=$(python3 -c "import json; m=json.load(open('$T/oci/index.json'))['manifests'][0]['digest']; print(json.load(open('$T/oci/blobs/sha256/'+m[7:]))['layers'][2]['digest'])")
f=$(reg_blob_file "$T/reg" "$layer3")
check "the layer is in the registry's storage" test -f "$f"
python3 -c "
f = open('$f', 'r+b'); f.seek(1000); b = f.read(1); f.seek(1000); f.write(bytes([b[0] ^ 0xff])); f.close()"
mi rmi "$REG/multi/oci:1" "$REG/multi/v2s2:1" "$REG/multi/index:1" "$REG/multi/list:1" >/dev/null 2>&1
out=$(mi pull "$REG/tamper/x:1" 2>&1); rc=$?
check_eq "tampered blob: pull fails" "$rc" 1
check_match "tampered blob: digest mismatch reported" "$out" "digest mismatch"
check_eq "tampered blob: no image" "$(image_id "$REG/tamper/x:1")" ""
check "tampered blob: no blob stored" test ! -e "$S/blobs/sha256/${layer3#sha256:}"
check_eq "tampered blob: no temp files left" "$(stray_temps)" 0

# ---- chunked upload ----
mi tag "$src_id" "$REG/chunked:1"
out=$(MYDOCKER_PUSH_CHUNK=300000 mi push "$REG/chunked:1" 2>&1)
check_match "chunked push" "$out" "digest: $digest"
check "chunked blobs readable" sk copy --src-tls-verify=false "docker://$REG/chunked:1" "dir:$T/chunked"

# ---- Basic auth (htpasswd) ----
if command -v htpasswd >/dev/null; then
    mkdir -p "$T/basic"
    htpasswd -Bbn alice "s3cret-$UNIQ" >"$T/basic/htpasswd"
    start_registry "$T/basic" "auth:
  htpasswd:
    realm: basic-realm
    path: $T/basic/htpasswd"
    B=$REG
    mi tag "$src_id" "$B/private:1"
    check_rc "basic: push without login refused" 1 mi push "$B/private:1"
    check_rc "basic: wrong password refused" 1 mi login -u alice -p wrong "$B"
    check_eq "basic: no credentials stored after a failed login" "$(grep -c "$B" "$T/auth.json" 2>/dev/null)" 0
    check "basic: login --password-stdin" sh -c "echo 's3cret-$UNIQ' | '$TOOL' login -u alice --password-stdin '$B'"
    check_eq "basic: auth.json is mode 0600" "$(stat -c %a "$T/auth.json")" 600
    check_match "basic: auth.json holds the server" "$(cat "$T/auth.json")" "\"$B\""
    check "basic: push" mi push "$B/private:1"
    mi rmi "$B/private:1" >/dev/null
    check "basic: pull" mi pull "$B/private:1"
    check_eq "basic: same id" "$(image_id "$B/private:1")" "$src_id"
    check_match "basic: logout" "$(mi logout "$B")" "Removing login credentials"
    mi rmi "$B/private:1" >/dev/null
    check_rc "basic: pull after logout refused" 1 mi pull "$B/private:1"
else
    fail "basic auth" "htpasswd (apache2-utils) missing"
fi

# ---- Bearer tokens from a token server ----
if command -v openssl >/dev/null; then
    mkdir -p "$T/tok"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tok/key.pem" -out "$T/tok/cert.pem" \
        -days 1 -subj /CN=mydocker-test-token >/dev/null 2>&1
    python3 "$HERE/token_server.py" "$T/tok/port" "$T/tok/key.pem" "$T/tok/cert.pem" \
        "bob:tok-$UNIQ" mydocker-test mydocker-issuer &
    tpid=$!
    at_exit "kill $tpid"
    wait_for 5 test -s "$T/tok/port"
    start_registry "$T/tok" "auth:
  token:
    realm: http://127.0.0.1:$(cat "$T/tok/port")/token
    service: mydocker-test
    issuer: mydocker-issuer
    rootcertbundle: $T/tok/cert.pem"
    K=$REG
    mi tag "$src_id" "$K/tok:1"
    check_rc "token: push without login refused" 1 mi push "$K/tok:1"
    check "token: login" mi login -u bob -p "tok-$UNIQ" "$K"
    check "token: push" mi push "$K/tok:1"
    mi rmi "$K/tok:1" >/dev/null
    check "token: pull" mi pull "$K/tok:1"
    check_eq "token: same id" "$(image_id "$K/tok:1")" "$src_id"
    mi logout "$K" >/dev/null
else
    fail "token auth" "openssl missing"
fi
summary
