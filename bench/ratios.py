#!/usr/bin/python3
"""hyperfine's --export-json as the benches print it: each command's median and its ratio to
the first command's (or to the one named).

usage: ratios.py JSON [BASE_COMMAND]"""
import json
import sys

results = json.load(open(sys.argv[1]))["results"]
base = results[0]
if len(sys.argv) > 2:
    base = next(x for x in results if x["command"] == sys.argv[2])
width = max(len(x["command"]) for x in results) + 2
for x in results:
    print("  %-*s median %8.2f ms   %6.2fx %s" % (width, x["command"], x["median"] * 1e3,
                                                 x["median"] / base["median"], base["command"]))
