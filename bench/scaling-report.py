#!/usr/bin/env python3
"""Turn scaling.sh's measurements into the Markdown section of docs/benchmarks.md.

  scaling-report.py RESULTS.TSV OUTFILE COMMAND CORES LOAD

RESULTS.TSV rows: series (size|files), x, step (bytes|backup|restore|unchanged), value, peak RSS KiB (file count for
"bytes" rows), CPU seconds. Works on a partial run too (sizes or file counts not reached are left out). The section is
written between <!-- scaling:begin --> and <!-- scaling:end --> of OUTFILE, or appended.
"""
import statistics, sys
from collections import defaultdict
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
out, command, cores, load = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
bytes_, count, t, rss, cpu_s = {}, {}, defaultdict(list), defaultdict(list), defaultdict(list)
for series, x, step, value, peak, cpu in rows:
    if step == "bytes":
        bytes_[(series, int(x))] = int(value)
        count[(series, int(x))] = int(peak)
    else:
        t[(series, int(x), step)].append(float(value))
        rss[(series, int(x), step)].append(int(peak))
        cpu_s[(series, int(x), step)].append(float(cpu))
B, E = "<!-- scaling:begin -->", "<!-- scaling:end -->"
L = [B, "", "## How the cost grows", "",
     f"Produced by `{command}` on this machine ({cores} cores; load average at the end: {load}). hort only.", "",
     "Backup (first, into a new repository) and full restore against the size of the generated data:", "",
     "| data | files | first backup | MB/s | s per GB | CPU s | restore | MB/s | s per GB | CPU s | peak memory (backup / restore) |",
     "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for (series, x), b in sorted(bytes_.items()):
    if series != "size":
        continue
    if not t[(series, x, "backup")] or not t[(series, x, "restore")]:
        continue
    bk, rs = statistics.median(t[(series, x, "backup")]), statistics.median(t[(series, x, "restore")])
    gb = b / 1e9
    L.append(f"| {b / 1e6:,.0f} MB | {count[(series, x)]:,} | {bk:.2f} s | {b / 1e6 / bk:,.0f} | {bk / gb:.1f} | {statistics.median(cpu_s[(series, x, 'backup')]):.1f} | {rs:.2f} s | {b / 1e6 / rs:,.0f} | "
             f"{rs / gb:.1f} | {statistics.median(cpu_s[(series, x, 'restore')]):.1f} | {max(rss[(series, x, 'backup')]) // 1024} / {max(rss[(series, x, 'restore')]) // 1024} MB |")
L += ["", "Unchanged re-run (every file's size, mtime, ctime and inode match the parent snapshot) against the number of "
      "files; median of the re-runs:", "",
      "| files | data | first backup | unchanged re-run | µs per file | CPU s (re-run) | peak memory |", "|---:|---:|---:|---:|---:|---:|---:|"]
for (series, x), b in sorted(bytes_.items()):
    if series != "files":
        continue
    if not t[(series, x, "backup")] or not t[(series, x, "unchanged")]:
        continue
    bk, un = statistics.median(t[(series, x, "backup")]), statistics.median(t[(series, x, "unchanged")])
    L.append(f"| {x:,} | {b / 1e6:,.0f} MB | {bk:.2f} s | {un:.2f} s | {un / x * 1e6:,.0f} | {statistics.median(cpu_s[(series, x, 'unchanged')]):.2f} | "
             f"{max(rss[(series, x, 'unchanged')]) // 1024} MB |")
L += ["", E]
section = "\n".join(L) + "\n"
try:
    old = open(out).read()
except FileNotFoundError:
    old = ""
if B in old and E in old:
    head, rest = old.split(B, 1)
    new = head + section.rstrip("\n") + rest.split(E, 1)[1]
else:
    new = (old + "\n" if old else "# Benchmarks\n\n") + section
open(out, "w").write(new)
