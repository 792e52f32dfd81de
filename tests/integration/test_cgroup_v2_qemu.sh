#!/usr/bin/env bash
# mydocker's cgroup checks on a real cgroup v2 host: this host is hybrid, so Debian's own
# kernel (linux-image-amd64, 6.1) boots under qemu's software emulation (KVM does not work
# here) with an initramfs built below: build/mydocker* and their shared libraries, busybox,
# the overlay module, and the busybox image from the local store. qemu/init.sh runs the
# checks in the VM and prints them on the serial console; this script counts them.
. "$(dirname "$0")/lib.sh"
QDIR="$LIB_DIR/qemu"
BUILD="$REPO_DIR/build"
QEMU=$(command -v qemu-system-x86_64)
KERNEL=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
KVER=${KERNEL#/boot/vmlinuz-}
BB=$(command -v busybox 2>/dev/null || echo /bin/busybox)
if [ -z "$QEMU" ] || [ -z "$KERNEL" ] || [ ! -d "/lib/modules/$KVER" ]; then
    fail "qemu and Debian's kernel are installed" "qemu-system-x86_64='$QEMU' kernel='$KERNEL' (scripts/setup.sh installs qemu-system-x86 and linux-image-amd64)"
    summary
fi
WORK=$(mktemp -d "/tmp/mydocker-v2vm.$UNIQ.XXXX")
at_exit "rm -rf '$WORK'"
R=$WORK/root
mkdir -p "$R"/{bin,usr/local/bin,etc,var/lib/mydocker/image/blobs/sha256,var/lib/mydocker/image/layers,lib/modules/"$KVER"}

# busybox and its applets
cp "$BB" "$R/bin/busybox"
for a in $("$BB" --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done
# mydocker with the shared libraries it needs (ldd), at the paths the loader looks at
for b in mydocker mydocker-monitor; do cp "$BUILD/$b" "$R/usr/local/bin/"; done
for lib in $(ldd "$BUILD/mydocker" | grep -oE '/[^ ]+'); do
    mkdir -p "$R$(dirname "$lib")"
    cp -L "$lib" "$R$lib"
done
# overlay (a module in Debian's kernel; no dependencies: modules.dep says so)
ovl=$(find "/lib/modules/$KVER" -name 'overlay.ko*' | head -n 1)
case "$ovl" in
*.xz) xz -dc "$ovl" >"$R/lib/modules/$KVER/overlay.ko" ;;
*.zst) zstd -qdc "$ovl" >"$R/lib/modules/$KVER/overlay.ko" ;;
*) cp "$ovl" "$R/lib/modules/$KVER/overlay.ko" ;;
esac
# the busybox image: its record, config and manifest blobs and layer dirs from our store
if ! python3 - "$R/var/lib/mydocker/image" <<'PY'
import json, os, shutil, sys
src, dst = "/var/lib/mydocker/image", sys.argv[1]
repos = json.load(open(os.path.join(src, "repositories.json")))
tag = repos["busybox:latest"]
rec = repos.get(tag["id"], tag)
json.dump({"busybox:latest": tag, tag["id"]: rec}, open(os.path.join(dst, "repositories.json"), "w"))
for digest in (tag["id"], tag["manifest"]):
    shutil.copy(os.path.join(src, "blobs/sha256", digest.split(":")[1]), os.path.join(dst, "blobs/sha256"))
config = json.load(open(os.path.join(src, "blobs/sha256", tag["id"].split(":")[1])))
for diff in config["rootfs"]["diff_ids"]:
    h = diff.split(":")[1]
    shutil.copytree(os.path.join(src, "layers", h), os.path.join(dst, "layers", h), symlinks=True)
PY
then
    fail "the busybox image is in the local store" "run ./scripts/setup.sh (or scripts/mkbusybox.sh)"
    summary
fi
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
: >"$R/etc/resolv.conf"
printf '127.0.0.1 localhost\n' >"$R/etc/hosts"
cp "$QDIR/init.sh" "$R/init"
chmod 755 "$R/init"
python3 "$QDIR/mkcpio.py" "$R" "$WORK/initramfs.cpio" || { fail "initramfs" "mkcpio.py failed"; summary; }
echo "# initramfs: $(du -h "$WORK/initramfs.cpio" | cut -f1), kernel $KERNEL"

start=$(date +%s.%N)
timeout 150 "$QEMU" -accel tcg -cpu max -smp 2 -m 1024 -nodefaults -display none -no-reboot \
    -serial "file:$WORK/console.log" -kernel "$KERNEL" -initrd "$WORK/initramfs.cpio" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1 cgroup_no_v1=all rdinit=/init" >"$WORK/qemu.out" 2>&1
rc=$?
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "# qemu exited $rc after ${secs}s"
tr -d '\r' <"$WORK/console.log" >"$WORK/console.txt"
grep -E '^# ' "$WORK/console.txt"
vm_pass=0 vm_fail=0
while IFS= read -r line; do
    case "$line" in
    "ok - "*) ok "vm: ${line#ok - }" ;;
    "FAIL - "*) fail "vm: ${line#FAIL - }" ;;
    esac
done <"$WORK/console.txt"
summary_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$WORK/console.txt" | tail -n 1)
if [ -n "$summary_line" ]; then
    ok "the VM booted, ran the checks and reported: $summary_line"
else
    fail "the VM reported a summary within the timeout" "qemu rc=$rc; console tail: $(tail -n 15 "$WORK/console.txt"; cat "$WORK/qemu.out")"
fi
summary
