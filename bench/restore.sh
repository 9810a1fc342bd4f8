#!/usr/bin/env bash
# restore.sh - times full restores only, hort against restic (and other hort builds), on data backed up once.
#
# Usage: bench/restore.sh --data DIR --work DIR [--trials N] [--hort PATH]... [--no-restic] [--no-check]
#
#   --data DIR    the tree to back up and restore (e.g. made by bench/mkdata.sh generate)
#   --work DIR    work folder: repositories are made there on the first run and reused later; restores go below it
#   --trials N    restores per tool (default 3), interleaved and rotated so other load on the machine hits all alike
#   --hort PATH   a hort executable; repeat to compare builds (all restore from the repository the first one made)
#   --no-restic   time hort only
#   --no-check    skip comparing each first restore with the source (bench/treesum.py)
#
# Prints one line per restore and a summary: median wall and CPU seconds per tool, restic ÷ tool, load averages.
# Each restore goes to a new folder; all are removed at the end, not in between (on ext4, creating many files soon
# after deleting many is slower, which would penalise whichever tool runs next). Needs trials × tools × data of disk.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
data="" work="" trials=3 restic=1 check=1
horts=()
while [ $# -gt 0 ]; do
    case "$1" in
        --data) data=$2; shift 2;;
        --work) work=$2; shift 2;;
        --trials) trials=$2; shift 2;;
        --hort) horts+=("$2"); shift 2;;
        --no-restic) restic=0; shift;;
        --no-check) check=0; shift;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0;;
        *) echo "restore.sh: unknown option $1" >&2; exit 2;;
    esac
done
[ -d "$data" ] && [ -n "$work" ] && [ ${#horts[@]} -gt 0 ] || { echo "restore.sh: --data, --work and --hort are needed (see --help)" >&2; exit 2; }
data=$(cd "$data" && pwd -P)
mkdir -p "$work"
work=$(cd "$work" && pwd -P)
[ -f "$work/password" ] || { printf 'bench-%s\n' "$(date +%s%N | sha256sum | cut -c1-16)" > "$work/password"; chmod 600 "$work/password"; }
export HORT_PASSWORD_FILE="$work/password" RESTIC_PASSWORD_FILE="$work/password" RESTIC_CACHE_DIR="$work/restic-cache"

if [ ! -d "$work/hort-repo" ]; then
    "${horts[0]}" -q init --repo "$work/hort-repo" >/dev/null
    "${horts[0]}" -q backup --repo "$work/hort-repo" "$data" >/dev/null
fi
if [ "$restic" -eq 1 ] && [ ! -d "$work/restic-repo" ]; then
    restic -q init --repo "$work/restic-repo" >/dev/null
    restic -q backup --repo "$work/restic-repo" "$data" >/dev/null
fi
[ "$check" -eq 1 ] && python3 "$here/treesum.py" describe "$data" > "$work/source.sum"

tools=()
for i in "${!horts[@]}"; do tools+=("hort$i"); done
[ "$restic" -eq 1 ] && tools+=(restic)
: > "$work/times.tsv"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((t = 0; t < trials; t++)); do
    for ((k = 0; k < ${#tools[@]}; k++)); do
        tool=${tools[$(((k + t) % ${#tools[@]}))]}
        target="$work/restore-$tool-$t"
        rm -rf "$target"
        case "$tool" in
            restic) cmd=(restic -q restore latest --repo "$work/restic-repo" --target "$target");;
            *) cmd=("${horts[${tool#hort}]}" -q restore latest --repo "$work/hort-repo" --target "$target");;
        esac
        mkdir "$target"
        t0=$(date +%s%N)
        /usr/bin/time -f '%U %S %M' -o "$work/time.out" "${cmd[@]}" >"$work/restore.log" 2>&1 || { cat "$work/restore.log" >&2; exit 1; }
        t1=$(date +%s%N)
        read -r user sys rss < <(tail -1 "$work/time.out")
        line=$(awk -v tool="$tool" -v a="$t0" -v b="$t1" -v u="$user" -v s="$sys" -v m="$rss" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
            'BEGIN { printf "%s\t%.2f\t%.2f\t%d\t%s", tool, (b - a) / 1e9, u + s, m / 1024, l }')
        echo "$line" >> "$work/times.tsv"
        echo "$line" | awk -F'\t' '{ printf "%-7s %7.2f s wall %6.2f s CPU %5d MB peak (load %s)\n", $1, $2, $3, $4, $5 }'
        if [ "$check" -eq 1 ] && [ "$t" -eq 0 ]; then
            python3 "$here/treesum.py" compare "$work/source.sum" "$target$data" >/dev/null \
                || { echo "$tool's restore differs from the source" >&2; exit 1; }
        fi
    done
done
rm -rf "$work"/restore-*
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/times.tsv" "${tools[@]}" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
med = {}
for tool in sys.argv[2:]:
    mine = [r for r in rows if r[0] == tool]
    med[tool] = (statistics.median(float(r[1]) for r in mine), statistics.median(float(r[2]) for r in mine), max(int(r[3]) for r in mine))
for tool, (wall, cpu, rss) in med.items():
    ratio = f"  restic ÷ {tool}: {med['restic'][0] / wall:.2f}× wall, {med['restic'][1] / cpu:.2f}× CPU" if "restic" in med and tool != "restic" else ""
    print(f"median {tool}: {wall:.2f} s wall, {cpu:.2f} s CPU, {rss} MB peak{ratio}")
EOF
