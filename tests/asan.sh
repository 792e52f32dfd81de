#!/usr/bin/env bash
# `make asan` (and tests/integration/test_sanitizers.sh): the unit tests and a short smoke run
# of real containers with binaries built under AddressSanitizer + UBSan in the build tree $1.
# Any report fails: ASan and UBSan abort (-fno-sanitize-recover=all), LeakSanitizer exits 23.
set -u
B=${1:-build-asan}
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=23}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0 fail=0
result() { if [ "$1" -eq 0 ]; then pass=$((pass + 1)); echo "ok - $2"; else fail=$((fail + 1)); echo "FAIL - $2 (exit $1)"; fi; }
for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
    [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -E "ERROR|runtime error|FAIL|SUMMARY" | head -n 20
    result $rc "asan: unit $(basename "$t")"
done
# the smoke: the engine and the runtime through one container each way
M=$B/mydocker
if "$M" images -q busybox >/dev/null 2>&1 && [ -n "$("$M" images -q busybox 2>/dev/null)" ]; then
    out=$("$M" run --rm busybox echo hi 2>&1); rc=$?
    [ "$out" = hi ] || { echo "$out" | head -n 20; [ $rc -eq 0 ] && rc=1; }
    result $rc "asan: run --rm busybox echo hi"
    name=asan-$$
    out=$("$M" run -d --name "$name" busybox sleep 30 2>&1); rc=$?
    result $rc "asan: run -d"
    out=$("$M" exec "$name" sh -c 'echo $((6*7))' 2>&1); rc=$?
    [ "$out" = 42 ] || { echo "$out" | head -n 20; [ $rc -eq 0 ] && rc=1; }
    result $rc "asan: exec"
    "$M" ps -a >/dev/null 2>&1; result $? "asan: ps -a"
    "$M" inspect "$name" >/dev/null 2>&1; result $? "asan: inspect"
    "$M" rm -f "$name" >/dev/null 2>&1; result $? "asan: rm -f"
else
    echo "# no busybox image: the container smoke is left to the unit tests"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
