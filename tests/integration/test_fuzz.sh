#!/usr/bin/env bash
# libFuzzer targets (tests/fuzz/fuzz_*.c), built by `make fuzz` with clang, ASan and UBSan,
# each run for a bounded time (FUZZ_SECONDS, default 15) from its seed corpus
# (tests/fuzz/corpus/<target>/, copied: what a run finds stays in /tmp). A crash, a leak, a
# sanitizer report or a timeout of one input fails the target; its reproducer is kept in
# the work directory named in the output.
. "$(dirname "$0")/lib.sh"
cd "$REPO_DIR" || exit 1
SECS=${FUZZ_SECONDS:-15}
command -v clang >/dev/null || { echo "FAIL - clang is needed (scripts/setup.sh installs it)"; echo "0 passed, 1 failed"; exit 1; }
if ! make -s fuzz >/tmp/mydocker-fuzz-build.log 2>&1; then
    tail -n 20 /tmp/mydocker-fuzz-build.log
    fail "make fuzz" "build failed"
    summary
fi
W=$(mktemp -d /tmp/mydocker-fuzz.XXXXXX)
for t in spec ref ports template manifest mounts; do
    mkdir -p "$W/$t"
    cp tests/fuzz/corpus/$t/* "$W/$t/" 2>/dev/null
    (cd "$W" && timeout $((SECS + 60)) "$REPO_DIR/build-fuzz/fuzz/fuzz_$t" -max_total_time="$SECS" \
        -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$W/crash-$t-" "$W/$t" >"$W/$t.log" 2>&1)
    rc=$?
    runs=$(grep -o 'Done [0-9]* runs' "$W/$t.log" | head -n 1)
    if [ $rc -eq 0 ]; then ok "fuzz_$t: $runs in ${SECS} s, nothing found"
    else fail "fuzz_$t" "exit $rc: $(grep -E 'ERROR|SUMMARY|runtime error' "$W/$t.log" | head -n 3) (see $W)"; fi
done
[ "$FAILED" -eq 0 ] && rm -rf "$W"
summary
