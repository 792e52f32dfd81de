#!/usr/bin/env bash
# Both state roots can be private (util/paths.c): MYDOCKER_ROOT (images, containers, volumes,
# networks) and MYDOCKER_RUN_ROOT (runtime state, locks, port registry, caches). A whole
# lifecycle in temp roots leaves the host's default roots as they were.
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d /tmp/mydocker-roots.XXXXXX)
at_exit "rm -rf '$T'"
export MYDOCKER_ROOT=$T/lib MYDOCKER_RUN_ROOT=$T/run
# before the rm -rf (at_exit runs last first): a container left running by a failed check
at_exit "md rm -f priv-$UNIQ"
mk_rootfs "$T/rootfs" || { fail "rootfs" "busybox-rootfs.sh failed"; summary; }
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
host_ctrs=$(ls /var/lib/mydocker/containers 2>/dev/null | sort)
host_run=$(ls /run/mydocker/containers 2>/dev/null | sort)
check "import into the private root" md import "$T/rootfs.tar" "priv-$UNIQ:1"
check_eq "run --rm from it" "$(md run --rm --network none "priv-$UNIQ:1" echo hi 2>&1)" hi
id=$(md run -d --network none --name "priv-$UNIQ" "priv-$UNIQ:1" sleep 60 2>/dev/null)
check_match "run -d" "$id" '^[0-9a-f]{64}$'
check "its runtime state is under the private run root" test -f "$T/run/containers/$id/state.json"
check "its record is under the private root" test -f "$T/lib/containers/$id/container.json"
check_eq "exec" "$(md exec "priv-$UNIQ" echo there 2>&1)" there
check_match "ps sees it" "$(md ps 2>&1)" "priv-$UNIQ"
check "rm -f" md rm -f "priv-$UNIQ"
check "the seccomp cache is private too" test -d "$T/run/seccomp"
check_eq "the host's containers are as they were" "$(ls /var/lib/mydocker/containers 2>/dev/null | sort)" "$host_ctrs"
check_eq "the host's run state is as it was" "$(ls /run/mydocker/containers 2>/dev/null | sort)" "$host_run"
summary
