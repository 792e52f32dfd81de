#!/usr/bin/env bash
# save/load in a private MYDOCKER_ROOT: docker-archive structure, round trip (same id, runs),
# several images, stdin/stdout, a compressed archive, skopeo reading our archive, an OCI
# image layout archive (single image and multi-platform index), and tampered archives
# refused with nothing left in the store.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/reglib.sh"
REPO=$(cd "$HERE/../.." && pwd)
TOOL=${MYDOCKER_IMAGE_TOOL:-$REPO/build/mydocker-image}
if [ "$(id -u)" -ne 0 ] || [ ! -x "$TOOL" ]; then
    echo "FAIL - needs root and $TOOL"; echo "0 passed, 1 failed"; exit 1
fi
T=$(mktemp -d /tmp/mydocker-saveload-test.XXXXXX)
at_exit "rm -rf '$T'"
export MYDOCKER_ROOT=$T/root
S=$MYDOCKER_ROOT/image
mi() { "$TOOL" "$@"; }
image_id() { mi images -q --no-trunc "$1" | head -n 1; }
stray_temps() { find "$S" -name '.tmp-*' 2>/dev/null | wc -l; }
py() { python3 -c "$1"; }

mk_busybox_tar "$T/bb.tar"
id1=$(mi import -c 'CMD ["echo","from-saved"]' "$T/bb.tar" "sl/one:v1")
mkdir -p "$T/extra/etc" && echo extra >"$T/extra/etc/extra"
tar -C "$T/extra" -cf "$T/extra.tar" .
id2=$(mi import "$T/extra.tar" "sl/two:v2")

# ---- docker-archive structure ----
check "save -o" mi save -o "$T/one.tar" sl/one:v1
check_eq "no temp file next to the output" "$(ls "$T" | grep -c tmp-)" 0
names=$(tar -tf "$T/one.tar")
check "archive has manifest.json" grep -qx manifest.json <<<"$names"
check "archive has repositories" grep -qx repositories <<<"$names"
check_match "archive has the config named by the id" "$names" "${id1#sha256:}.json"
mkdir -p "$T/x" && tar -C "$T/x" -xf "$T/one.tar"
check_eq "manifest.json: Config, RepoTags, Layers" "$(py "import json; m=json.load(open('$T/x/manifest.json')); print(len(m), m[0]['Config'], m[0]['RepoTags'], len(m[0]['Layers']))")" \
    "1 ${id1#sha256:}.json ['sl/one:v1'] 1"
layer=$(py "import json; print(json.load(open('$T/x/manifest.json'))[0]['Layers'][0])")
check_eq "layer tar is the uncompressed diff" "sha256:$(sha256sum "$T/x/$layer" | cut -c1-64)" \
    "$(py "import json; print(json.load(open('$T/x/${id1#sha256:}.json'))['rootfs']['diff_ids'][0])")"
check_eq "config bytes unchanged" "$(sha256sum "$T/x/${id1#sha256:}.json" | cut -c1-64)" "${id1#sha256:}"
check_eq "repositories maps the tag to the top layer" "$(py "import json; print(json.load(open('$T/x/repositories'))['sl/one']['v1'])")" \
    "$(dirname "$layer")"
check "layer dir has VERSION and json" test -f "$T/x/$(dirname "$layer")/VERSION" -a -f "$T/x/$(dirname "$layer")/json"
if command -v skopeo >/dev/null; then
    check "skopeo reads the archive" skopeo inspect "docker-archive:$T/one.tar"
    check "skopeo copies it to an OCI layout" skopeo copy "docker-archive:$T/one.tar" "oci:$T/sk-oci:x"
else
    fail "skopeo" "not installed"
fi

# ---- round trip ----
mi rmi sl/one:v1 >/dev/null
check_eq "image removed" "$(image_id sl/one:v1)" ""
out=$(mi load -i "$T/one.tar")
check_eq "load reports the tag" "$out" "Loaded image: sl/one:v1"
check_eq "round trip: same image id" "$(image_id sl/one:v1)" "$id1"
check_eq "round trip: the loaded image runs" "$(md run --rm sl/one:v1 2>&1)" "from-saved"
check_eq "loading twice is fine" "$(mi load -q -i "$T/one.tar"; image_id sl/one:v1)" "$id1"

# ---- several images, stdout/stdin, compressed ----
mi save sl/one:v1 sl/two:v2 >"$T/both.tar"
check_eq "two images in manifest.json" "$(tar -xOf "$T/both.tar" manifest.json | py "import json,sys; print(len(json.load(sys.stdin)))")" 2
mi rmi sl/one:v1 sl/two:v2 >/dev/null
out=$(mi load <"$T/both.tar")
check_match "load from stdin: first" "$out" "Loaded image: sl/one:v1"
check_match "load from stdin: second" "$out" "Loaded image: sl/two:v2"
check_eq "second image id" "$(image_id sl/two:v2)" "$id2"
gzip -c "$T/both.tar" >"$T/both.tar.gz"
mi rmi sl/two:v2 >/dev/null
check "load a gzip-compressed archive" mi load -i "$T/both.tar.gz"
check_eq "compressed: same id" "$(image_id sl/two:v2)" "$id2"
mi save -o "$T/byid.tar" "$id2"
check_eq "saved by id: no RepoTags" "$(tar -xOf "$T/byid.tar" manifest.json | py "import json,sys; print(json.load(sys.stdin)[0]['RepoTags'])")" "[]"
check_rc "save of an unknown image fails" 1 mi save -o "$T/none.tar" nosuch:image
check "failed save leaves no file" test ! -e "$T/none.tar"

# ---- OCI image layouts ----
python3 "$HERE/oci_layout.py" "$T/oci" "localhost/oci/img:1" --cmd "cat /etc/extra" "$T/bb.tar" "$T/extra.tar"
tar -C "$T/oci" -cf "$T/oci.tar" .
want=$(py "import json; m=json.load(open('$T/oci/index.json'))['manifests'][0]['digest']; print(json.load(open('$T/oci/blobs/sha256/'+m[7:]))['config']['digest'])")
out=$(mi load -i "$T/oci.tar" 2>&1)
check_eq "OCI layout: loaded by its ref.name" "$out" "Loaded image: localhost/oci/img:1"
check_eq "OCI layout: id is the config digest" "$(image_id localhost/oci/img:1)" "$want"
check_eq "OCI layout: runs (gzip layers unpacked)" "$(md run --rm localhost/oci/img:1 2>&1)" "extra"
python3 "$HERE/oci_layout.py" "$T/ocim" "localhost/oci/multi:1" --arch arm64 --arch amd64 "$T/bb.tar"
tar -C "$T/ocim" -cf "$T/ocim.tar" .
check "OCI index archive loads" mi load -i "$T/ocim.tar"
check_eq "OCI index: the amd64 image" "$(cat "$S/blobs/sha256/$(image_id localhost/oci/multi:1 | cut -c8-)" | py 'import json,sys; print(json.load(sys.stdin)["architecture"])')" amd64
if [ -d "$T/sk-oci" ]; then
    tar -C "$T/sk-oci" -cf "$T/sk-oci.tar" .
    check "skopeo's OCI layout loads" mi load -i "$T/sk-oci.tar"
fi

# ---- tampered archives ----
before=$(ls "$S/blobs/sha256" "$S/layers" | md5sum)
mkdir -p "$T/bad" && tar -C "$T/bad" -xf "$T/one.tar"
lt=$(py "import json; print(json.load(open('$T/bad/manifest.json'))[0]['Layers'][0])")
echo tampered >>"$T/bad/etc-added" && tar -C "$T/bad" -xf "$T/bad/$lt" ./etc/passwd -O >/dev/null
mkdir -p "$T/badlayer" && tar -C "$T/badlayer" -xf "$T/bad/$lt" && echo evil >"$T/badlayer/etc/evil"
tar -C "$T/badlayer" -cf "$T/bad/$lt" . && rm -f "$T/bad/etc-added"
mi rmi sl/one:v1 >/dev/null
tar -C "$T/bad" -cf "$T/bad.tar" .
out=$(mi load -i "$T/bad.tar" 2>&1); rc=$?
check_eq "layer not matching its diff_id: load fails" "$rc" 1
check_match "diff_id mismatch reported" "$out" "digest"
check_eq "failed load: no image" "$(image_id sl/one:v1)" ""
check_eq "failed load: no temp files" "$(stray_temps)" 0
sed -i 's/"os"/"Os"/' "$T/oci/blobs/sha256/$(ls "$T/oci/blobs/sha256" | head -n 1)" 2>/dev/null
printf 'x' >>"$T/oci/blobs/sha256/${want#sha256:}"
tar -C "$T/oci" -cf "$T/badoci.tar" .
mi rmi localhost/oci/img:1 >/dev/null
check_rc "OCI blob not matching its name: load fails" 1 mi load -i "$T/badoci.tar"
check_eq "failed OCI load: no image" "$(image_id localhost/oci/img:1)" ""
check_rc "not an image archive" 1 mi load -i "$T/extra.tar"
check_eq "no temp files at the end" "$(stray_temps)" 0
summary
