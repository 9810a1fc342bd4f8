#!/usr/bin/env python3
"""Turn the measurements of compare.sh into the Markdown section of docs/benchmarks.md.

  report.py WORKDIR OUTFILE COMMAND

WORKDIR holds results.tsv (dataset, step, tool, trial, value, peak RSS in KiB), datasets.tsv (dataset, files, bytes,
description), ceilings.tsv (dataset, name, trial, seconds, bytes) and machine.txt. The section is written between the
markers <!-- compare:begin --> and <!-- compare:end --> of OUTFILE, or as the whole file when it has no markers.
"""
import statistics, sys
from collections import defaultdict

BEGIN, END = "<!-- compare:begin -->", "<!-- compare:end -->"
TOOLS = ["hort", "restic", "borg"]
STEPS = [
    # step, label, kind, target ratio (restic ÷ hort for times, hort ÷ restic for sizes), comparison
    ("backup1", "first backup", "time", 3.0),
    ("unchanged", "unchanged re-run", "time", 3.0),
    ("changed", "re-run after ~1% changed", "time", 2.0),
    ("restore", "full restore", "time", 2.0),
]


def read_tsv(path):
    try:
        with open(path, encoding="utf-8") as f:
            return [line.rstrip("\n").split("\t") for line in f if line.strip()]
    except FileNotFoundError:
        return []


def med(values):
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    return "–" if value is None else f"{value:.{digits}f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main():
    work, out, command = sys.argv[1], sys.argv[2], sys.argv[3]
    results = read_tsv(f"{work}/results.tsv")
    datasets = read_tsv(f"{work}/datasets.tsv")
    ceilings = read_tsv(f"{work}/ceilings.tsv")
    with open(f"{work}/machine.txt", encoding="utf-8") as f:
        machine = f.read().rstrip()

    times = defaultdict(list)   # (dataset, step, tool) -> seconds
    rss = defaultdict(list)     # (dataset, step, tool) -> KiB
    sizes = defaultdict(list)   # (dataset, tool) -> bytes
    trials = set()
    cpu = defaultdict(list)     # (dataset, step, tool) -> user + system seconds
    for dataset, step, tool, trial, value, peak, cpu_seconds in results:
        trials.add(int(trial))
        if step == "repo":
            sizes[(dataset, tool)].append(int(value))
        else:
            times[(dataset, step, tool)].append(float(value))
            rss[(dataset, step, tool)].append(int(peak))
            cpu[(dataset, step, tool)].append(float(cpu_seconds))

    lines = [BEGIN, "", "## Side by side with restic and borg", ""]
    lines.append(f"Produced by `{command}` ({len(trials)} trial(s) per step, tools interleaved, medians).")
    lines.append("Times are wall-clock seconds; `restic ÷ hort` and `borg ÷ hort` are how many times faster hort is "
                 "(above 1: hort is faster). For repository size and memory the ratio is `hort ÷ peer` (below 1: hort "
                 "needs less). Every restore was compared with its source: path, type, mode, size, mtime and SHA-256 of "
                 "every file, mode of every directory, target of every link.")
    lines.append("")
    lines.append("### Machine")
    lines.append("")
    lines.append("```")
    lines.append(machine)
    lines.append("```")

    for dataset, files, nbytes, description in datasets:
        nbytes = int(nbytes)
        mb = nbytes / 1e6
        lines += ["", f"### Data: {dataset} — {description}", "",
                  f"{int(files):,} files, {mb:,.1f} MB.", ""]
        lines.append("| step | hort | restic | borg | restic ÷ hort | borg ÷ hort | target | met? |")
        lines.append("|---|---:|---:|---:|---:|---:|---|---|")
        for step, label, _, target in STEPS:
            m = {t: med(times.get((dataset, step, t), [])) for t in TOOLS}
            if all(v is None for v in m.values()):
                continue
            r_restic, r_borg = ratio(m["restic"], m["hort"]), ratio(m["borg"], m["hort"])
            met = "–" if r_restic is None else ("yes" if r_restic >= target else "no")
            cells = []
            for t in TOOLS:
                if m[t] is None:
                    cells.append("–")
                elif step in ("backup1", "restore"):
                    cells.append(f"{m[t]:.2f} s ({mb / m[t]:,.1f} MB/s)")
                else:
                    cells.append(f"{m[t]:.2f} s")
            lines.append(f"| {label} | {' | '.join(cells)} | {fmt(r_restic)}× | {fmt(r_borg)}× | "
                         f"≥ {target:g}× restic | {met} |")
        def at_most_restic(label, values, show):
            """A row whose target is hort no larger than restic (size, memory), with hort ÷ peer ratios."""
            if all(v is None for v in values.values()):
                return
            r_restic, r_borg = ratio(values["hort"], values["restic"]), ratio(values["hort"], values["borg"])
            met = "–" if r_restic is None else ("yes" if r_restic <= 1 else "no")
            cells = ["–" if values[t] is None else show(values[t]) for t in TOOLS]
            lines.append(f"| {label} | {' | '.join(cells)} | "
                         f"hort ÷ restic {fmt(r_restic)} | hort ÷ borg {fmt(r_borg)} | ≤ restic | {met} |")

        at_most_restic("repository size after first backup (du)",
                       {t: med(sizes.get((dataset, t), [])) for t in TOOLS}, lambda v: f"{v / 1e6:,.1f} MB")
        peaks = {}
        for t in TOOLS:
            per_step = [med(rss[(dataset, step, t)]) for step, *_ in STEPS if rss.get((dataset, step, t))]
            peaks[t] = max(per_step) if per_step else None
        at_most_restic("peak memory (max RSS, worst step)", peaks, lambda v: f"{v / 1024:,.0f} MB")

        lines += ["", "CPU time (user + system seconds, median) per step — less sensitive than wall time to other work "
                  "on the machine, but blind to waiting and to how well the work is spread over the cores:", "",
                  "| step | hort | restic | borg | restic ÷ hort | borg ÷ hort |", "|---|---:|---:|---:|---:|---:|"]
        for step, label, *_ in STEPS:
            cells = [med(cpu.get((dataset, step, t), [])) for t in TOOLS]
            if all(c is None for c in cells):
                continue
            lines.append(f"| {label} | " + " | ".join("–" if c is None else f"{c:.2f}" for c in cells)
                         + f" | {fmt(ratio(cells[1], cells[0]))}× | {fmt(ratio(cells[2], cells[0]))}× |")

        lines += ["", "Peak memory (max RSS, MB) per step:", "",
                  "| step | hort | restic | borg |", "|---|---:|---:|---:|"]
        for step, label, *_ in STEPS:
            cells = [med(rss.get((dataset, step, t), [])) for t in TOOLS]
            if all(c is None for c in cells):
                continue
            lines.append(f"| {label} | " + " | ".join("–" if c is None else f"{c / 1024:,.0f}" for c in cells) + " |")

        lines += ["", "All trials (seconds):", "", "| step | tool | trials | median |", "|---|---|---|---:|"]
        for step, label, *_ in STEPS:
            for t in TOOLS:
                v = times.get((dataset, step, t))
                if v:
                    lines.append(f"| {label} | {t} | {' '.join(f'{x:.2f}' for x in v)} | {med(v):.2f} |")

        c = defaultdict(list)
        cbytes = {}
        for cd, name, _, seconds, b in ceilings:
            if cd == dataset:
                c[name].append(float(seconds))
                cbytes[name] = int(b)
        if c:
            lines += ["", "This machine's ceilings on the same data:", "", "| what | median | throughput |", "|---|---:|---:|"]
            for name, v in c.items():
                m = med(v)
                lines.append(f"| {name} | {m:.2f} s | {cbytes[name] / 1e6 / m:,.1f} MB/s |")

    lines += ["", END]
    section = "\n".join(lines) + "\n"
    try:
        with open(out, encoding="utf-8") as f:
            old = f.read()
    except FileNotFoundError:
        old = ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        new = head + section.rstrip("\n") + tail
    else:
        new = "# Benchmarks\n\n" + section
    with open(out, "w", encoding="utf-8") as f:
        f.write(new)


if __name__ == "__main__":
    main()
