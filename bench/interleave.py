#!/usr/bin/python3
"""Round-robin timing of several commands: one run of each per round, the order reversed
every other round, for ROUNDS rounds. Sequential runs (hyperfine's: all of one command,
then all of the next) drift on these hosts by more than the differences measured (ext4's
allocator skipping recently freed inodes, the background work of earlier runs), so each
contender here meets the same conditions. "{n}" in a command becomes a run counter (runc
and crun want a new container id each time).

usage: interleave.py ROUNDS REF name=command ...   (REF: the name ratios are taken to)
"""
import os
import statistics
import sys
import time


def run(argv, devnull):
    t = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0),
                                       (os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"interleave: {' '.join(argv)} failed")
    return (time.perf_counter() - t) * 1000


def main():
    rounds, ref = int(sys.argv[1]), sys.argv[2]
    cmds = [a.split("=", 1) for a in sys.argv[3:]]
    devnull = os.open("/dev/null", os.O_RDWR)
    n = 0
    times = {name: [] for name, _ in cmds}
    for i in range(rounds + 3):  # three rounds of warm-up
        for name, cmd in (cmds if i % 2 == 0 else cmds[::-1]):
            n += 1
            t = run(cmd.replace("{n}", str(n)).split(), devnull)
            if i >= 3:
                times[name].append(t)
    p50 = {name: statistics.median(v) for name, v in times.items()}
    print(f"{'command':<16} {'p50 ms':>8} {'p90 ms':>8} {'p90/p50':>8} {'x ' + ref:>12}")
    for name, v in times.items():
        v = sorted(v)
        p90 = v[int(len(v) * 0.9)]
        print(f"{name:<16} {p50[name]:8.2f} {p90:8.2f} {p90 / p50[name]:8.2f} "
              f"{p50[name] / p50[ref]:12.2f}")


if __name__ == "__main__":
    main()
