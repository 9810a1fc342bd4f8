#!/usr/bin/env bash
# compression.sh - first backups with each of hort's compression modes against restic's default, on one tree.
#
# Usage: bench/compression.sh --data DIR [--trials N] [--modes "auto fast off"] [--hort PATH] [--work DIR] [--keep]
#
#   --data DIR     the tree to back up (bench/mkdata.sh's set, /usr/share/dotnet, …)
#   --trials N     first backups per tool (default 3), interleaved and rotated so other load hits all alike
#   --modes LIST   hort's --compression modes to time (default "auto fast off"; "max" is many times slower)
#   --hort PATH    a hort executable (default: publish this checkout in Release, Native AOT)
#   --work DIR     a new work folder (default: a temporary one)
#   --keep         keep the work folder
#
# Every backup goes into a new, empty repository made just before it (not timed), and the machine is settled before
# each (bench/lib.sh: sync; as root, the page cache emptied and refilled with the source tree). restic runs with its
# defaults (repository version 2, compression auto). Prints one line per backup, then a Markdown table: median wall
# and CPU seconds, restic ÷ hort, the repository's size on disk (du) and hort ÷ restic.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
data="" trials=3 modes="auto fast off" hort="" work="" keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --data) data=$2; shift 2;;
        --trials) trials=$2; shift 2;;
        --modes) modes=$2; shift 2;;
        --hort) hort=$2; shift 2;;
        --work) work=$2; shift 2;;
        --keep) keep=1; shift;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0;;
        *) echo "compression.sh: unknown option $1 (see --help)" >&2; exit 2;;
    esac
done
[ -d "$data" ] || { echo "compression.sh: --data DIR is needed (see --help)" >&2; exit 2; }
for mode in $modes; do
    case "$mode" in auto|fast|max|off) ;; *) echo "compression.sh: unknown mode $mode" >&2; exit 2;; esac
done
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
data=$(cd "$data" && pwd -P)

missing=()
command -v restic >/dev/null || missing+=(restic)
[ -x /usr/bin/time ] || missing+=(time)
install_packages "${missing[@]}"
resolve_hort
make_work compression
printf 'bench-%s\n' "$(date +%s%N | sha256sum | cut -c1-16)" > "$work/password"
chmod 600 "$work/password"
export HORT_PASSWORD_FILE="$work/password" RESTIC_PASSWORD_FILE="$work/password" RESTIC_CACHE_DIR="$work/restic-cache"

tools=()
for mode in $modes; do tools+=("hort-$mode"); done
tools+=(restic)
: > "$work/times.tsv"
log "data: $data ($(bytes_of "$data") bytes); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((t = 0; t < trials; t++)); do
    for ((k = 0; k < ${#tools[@]}; k++)); do
        tool=${tools[$(((k + t) % ${#tools[@]}))]}
        repo="$work/repo-$tool-$t"
        case "$tool" in
            restic)
                restic -q init --repo "$repo" >/dev/null
                cmd=(restic -q backup --repo "$repo" "$data");;
            *)
                "$hort" -q init --repo "$repo" >/dev/null
                cmd=("$hort" -q backup --repo "$repo" --compression "${tool#hort-}" "$data");;
        esac
        settle "$data"
        measure "$work/backup.log" "${cmd[@]}"
        size=$(du -sk "$repo" | cut -f1)
        rm -rf "$repo"
        line=$(printf '%s\t%.2f\t%s\t%s\t%.1f' "$tool" "$wall" "$cpu" "$peak" "$(awk -v k="$size" 'BEGIN { print k / 1024 }')")
        echo "$line" >> "$work/times.tsv"
        echo "$line" | awk -F'\t' '{ printf "%-10s %7.2f s wall %6.2f s CPU %5d MB peak %9.1f MB repository\n", $1, $2, $3, $4, $5 }'
    done
done
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/times.tsv" "${tools[@]}" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
med = {}
for tool in sys.argv[2:]:
    mine = [r for r in rows if r[0] == tool]
    med[tool] = [statistics.median(float(r[i]) for r in mine) for i in (1, 2, 4)]
rw, rc, rs = med["restic"]
print()
print("| tool | first backup | CPU | restic ÷ hort (wall) | repository | hort ÷ restic (size) |")
print("|---|---:|---:|---:|---:|---:|")
for tool, (wall, cpu, size) in med.items():
    name = "restic (default)" if tool == "restic" else f"hort --compression {tool[5:]}"
    speed = "" if tool == "restic" else f"{rw / wall:.2f}×"
    ratio = "" if tool == "restic" else f"{size / rs:.3f}"
    print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {speed} | {size:,.1f} MB | {ratio} |")
EOF
