#!/usr/bin/env bash
# Volumes: every form of -v, --mount and --tmpfs, named/anonymous volumes
# with docker's copy-up, image VOLUMEs, --volumes-from, rm -v, the volume
# commands, and failures that leave nothing behind.
. "$(dirname "$0")/lib.sh"
trap _run_at_exit EXIT
IMG=(busybox)
[ -n "$(md images -q busybox 2>/dev/null)" ] || { echo "FAIL - no busybox image"; echo "0 passed, 1 failed"; exit 1; }
R=(run --rm --network none)
HOST=$(mktemp -d "/tmp/mydocker-vol.$UNIQ.XXXX")
at_exit "rm -rf '$HOST'"
V1="vol1-$UNIQ"; V2="vol2-$UNIQ"; C1="vc1-$UNIQ"; C2="vc2-$UNIQ"; IM="volimg-$UNIQ:1"
at_exit "md rm -f $C1 $C2; md volume rm -f $V1 $V2; md rmi -f $IM"
echo hello >"$HOST/f"

# ---------------------------------------------------------------- binds
check_eq "-v host:ctr reads the host file" "$(md "${R[@]}" -v "$HOST:/data" "${IMG[@]}" cat /data/f 2>&1)" "hello"
md "${R[@]}" -v "$HOST:/data" "${IMG[@]}" sh -c 'echo w > /data/w' >/dev/null 2>&1
check_eq "-v host:ctr is writable" "$(cat "$HOST/w" 2>&1)" "w"
check_rc "-v host:ctr:ro refuses writes" 1 md "${R[@]}" -v "$HOST:/data:ro" "${IMG[@]}" sh -c 'echo x > /data/x'
check_not "-v :ro wrote nothing" test -e "$HOST/x"
check_match "-v :ro shows as ro in the container" "$(md "${R[@]}" -v "$HOST:/data:ro" "${IMG[@]}" grep ' /data ' /proc/mounts 2>&1)" ' ro[, ]'
check_eq "-v of a single file" "$(md "${R[@]}" -v "$HOST/f:/etc/motd:ro" "${IMG[@]}" cat /etc/motd 2>&1)" "hello"
check_eq "-v creates a missing host dir (docker's -v)" "$(md "${R[@]}" -v "$HOST/new/dir:/n" "${IMG[@]}" sh -c 'ls -d /n' 2>&1)" "/n"
check "... and the host dir exists" test -d "$HOST/new/dir"
check_rc "--mount bind with a missing source: 125" 125 md "${R[@]}" --mount "type=bind,source=$HOST/missing,target=/x" "${IMG[@]}" true
check_not "... and nothing was created on the host" test -e "$HOST/missing"
check_eq "--mount type=bind,readonly" "$(md "${R[@]}" --mount "type=bind,source=$HOST,target=/m,readonly" "${IMG[@]}" sh -c 'cat /m/f; touch /m/y 2>/dev/null || echo ro' 2>&1 | tr '\n' ' ')" "hello ro "
check_rc "a relative bind source is refused" 125 md "${R[@]}" -v "./rel:/x" "${IMG[@]}" true
check_rc "duplicate mount point is refused" 125 md "${R[@]}" -v "$HOST:/d" -v "$HOST/new:/d" "${IMG[@]}" true

# ---------------------------------------------------------------- named volumes
out=$(md "${R[@]}" -v "$V1:/etc" "${IMG[@]}" cat /etc/passwd 2>&1)
check_match "named volume over /etc gets the image's content (copy-up)" "$out" '^root:x:0:0'
check_eq "... the volume exists" "$(md volume ls -q | grep -cx "$V1")" 1
mp=$(md volume inspect -f '{{.Mountpoint}}' "$V1" 2>&1)
check "... its mountpoint holds the copied files" test -f "$mp/passwd"
md "${R[@]}" -v "$V1:/etc" "${IMG[@]}" sh -c 'echo kept > /etc/marker' >/dev/null 2>&1
check_eq "a named volume keeps data across containers" "$(md "${R[@]}" -v "$V1:/v" "${IMG[@]}" cat /v/marker 2>&1)" "kept"
check_rc "named volume :ro" 1 md "${R[@]}" -v "$V1:/v:ro" "${IMG[@]}" sh -c 'echo x > /v/x'
check_eq "--mount type=volume" "$(md "${R[@]}" --mount "type=volume,source=$V1,target=/mv" "${IMG[@]}" cat /mv/marker 2>&1)" "kept"
check_eq "volume create prints the name" "$(md volume create "$V2" 2>&1)" "$V2"
check_match "volume inspect is docker-shaped" "$(md volume inspect "$V2" 2>&1)" '"Driver": "local"'
md run -d --network none --name "$C1" -v "$V2:/data" "${IMG[@]}" sleep 60 >/dev/null 2>&1
check_rc "volume rm of a volume in use is refused" 1 md volume rm "$V2"
check_eq "--volumes-from shares the volume" "$(md exec "$C1" sh -c 'echo shared > /data/s' 2>&1; md "${R[@]}" --volumes-from "$C1" "${IMG[@]}" cat /data/s 2>&1)" "shared"
md rm -f "$C1" >/dev/null 2>&1
check "volume rm once unused" md volume rm "$V2"
check_eq "... gone from volume ls" "$(md volume ls -q | grep -cx "$V2")" 0

# ---------------------------------------------------------------- anonymous volumes
before=$(md volume ls -q | sort)
md run --network none --name "$C2" -v /anon "${IMG[@]}" sh -c 'echo a > /anon/a' >/dev/null 2>&1
after=$(md volume ls -q | sort)
new=$(comm -13 <(echo "$before") <(echo "$after"))
check_match "-v /path makes an anonymous volume (64 hex name)" "$new" '^[0-9a-f]{64}$'
check_match "inspect lists the mount" "$(md inspect -f '{{json .Mounts}}' "$C2" 2>&1)" '"Destination":"/anon"'
md rm -v "$C2" >/dev/null 2>&1
check_eq "rm -v removes the anonymous volume" "$(md volume ls -q | grep -c "^$new\$")" "0"
before=$(md volume ls -q | sort)
md "${R[@]}" -v /anon2 "${IMG[@]}" true >/dev/null 2>&1
check_eq "--rm removes anonymous volumes too" "$(md volume ls -q | sort)" "$before"

# image VOLUME: an image whose config declares one
tmp=$(mktemp -d); mkdir -p "$tmp/r/bin" "$tmp/r/data"; cp /bin/busybox "$tmp/r/bin/"; ln -s busybox "$tmp/r/bin/sh"; ln -s busybox "$tmp/r/bin/cat"
echo from-image > "$tmp/r/data/seed"
tar -C "$tmp/r" -cf "$tmp/r.tar" . && md import -c 'VOLUME /data' "$tmp/r.tar" "$IM" >/dev/null 2>&1
rm -rf "$tmp"
before=$(md volume ls -q | sort)
out=$(md run --network none --name "$C2" "$IM" /bin/cat /data/seed 2>&1)
check_eq "an image VOLUME is an anonymous volume filled from the image" "$out" "from-image"
check_match "... recorded in Mounts" "$(md inspect -f '{{json .Mounts}}' "$C2" 2>&1)" '"Destination":"/data"'
md rm -v "$C2" >/dev/null 2>&1
check_eq "... and removed with rm -v" "$(md volume ls -q | sort)" "$before"

# ---------------------------------------------------------------- tmpfs
check_match "--tmpfs /path with options" "$(md "${R[@]}" --tmpfs /scratch:size=1m "${IMG[@]}" grep ' /scratch ' /proc/mounts 2>&1)" 'tmpfs /scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k'
check_match "--mount type=tmpfs,tmpfs-size" "$(md "${R[@]}" --mount type=tmpfs,target=/t,tmpfs-size=2m "${IMG[@]}" grep ' /t ' /proc/mounts 2>&1)" 'size=2048k'

# ---------------------------------------------------------------- nothing left
m0=$(mounts_snapshot)
check_rc "bad --mount type: 125" 125 md "${R[@]}" --mount type=nfs,target=/x "${IMG[@]}" true
check_rc "bad -v mode: 125" 125 md "${R[@]}" -v "$HOST:/x:bogus" "${IMG[@]}" true
check_same "no mount left on the host by the volume tests" "$(mounts_snapshot)" "$m0"
# ---------------------------------------------------------------- docker's local driver options (-o)
TV=mdtv-$UNIQ BV=mdbv-$UNIQ
SRC=$(mktemp -d /tmp/mydocker-bvsrc.XXXXXX); echo keep > "$SRC/keep"
at_exit "md volume rm -f $TV $BV >/dev/null 2>&1; rm -rf $SRC"
md volume create -o type=tmpfs -o device=tmpfs -o o=size=1m,mode=0750 $TV >/dev/null
check_eq "-o type=tmpfs: Options in inspect" "$(md volume inspect -f '{{.Options.type}} {{.Options.device}} {{.Options.o}}' $TV)" "tmpfs tmpfs size=1m,mode=0750"
check_eq "... a tmpfs of that size in the container" "$(md run --rm --network none -v $TV:/d "${IMG[@]}" sh -c 'df -k /d | awk "NR==2 {print \$2}"')" 1024
tdata=$(md volume inspect -f '{{.Mountpoint}}' $TV)
check_match "... mounted on the volume's directory on the host" "$(findmnt -n -o FSTYPE "$tdata")" "^tmpfs$"
md volume rm $TV >/dev/null
check_eq "volume rm: unmounted and gone" "$(findmnt -n "$tdata" | wc -l)/$(test -e "$tdata" && echo there || echo gone)" "0/gone"
md volume create -o type=none -o device="$SRC" -o o=bind $BV >/dev/null
check_eq "-o type=none,o=bind: the host directory in the container" "$(md run --rm --network none -v $BV:/d "${IMG[@]}" sh -c 'cat /d/keep; echo new > /d/new')" keep
check_eq "... writes reach the host directory" "$(cat "$SRC/new")" new
md volume rm $BV >/dev/null
check_eq "volume rm of a bind volume unmounts it and leaves the host directory's files alone" "$(ls "$SRC" | tr '\n' ' ')" "keep new "
summary
