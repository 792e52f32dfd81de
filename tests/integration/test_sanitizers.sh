#!/usr/bin/env bash
# `make asan`: the unit tests and a smoke run of real containers (run, run -d, exec, ps,
# inspect, rm) with every binary built under AddressSanitizer + UBSan + LeakSanitizer
# (build-asan/, tests/asan.sh). Each of its lines is counted here.
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR" || exit 1
out=$(make -s asan 2>&1); rc=$?
while IFS= read -r l; do
    case "$l" in
    "ok - "*) ok "${l#ok - }" ;;
    "FAIL - "*) fail "${l#FAIL - }" ;;
    esac
done <<<"$out"
if [ $rc -ne 0 ] && [ "$FAILED" -eq 0 ]; then fail "make asan" "exit $rc: $(printf '%s\n' "$out" | tail -n 15)"; fi
summary
