#!/usr/bin/env bash
# scaling.sh - how hort's cost grows: backup and restore time against data size, unchanged re-run against file count.
#
# Usage: bench/scaling.sh [--sizes "1000 2000 4000 8000"] [--files "10000 50000 200000"] [--trials N]
#                         [--out FILE] [--keep] [--work DIR] [--hort PATH]
#
#   --sizes "MB…"   generated data sizes for the backup/restore series (bench/mkdata.sh scaled as compare.sh --size does)
#   --files "N…"    small-file counts for the unchanged re-run series (text files only, median of --trials re-runs)
#   --trials N      unchanged re-runs per file count (default 3)
#   --out FILE      where the table goes (default docs/benchmarks.md, between its scaling markers)
#   --keep, --work DIR, --hort PATH   as for compare.sh
#
# Every restore goes to a new folder and is compared with its source (bench/treesum.py). Each size's data, repository
# and restore are removed once that size is measured (kept with --keep), so the defaults need about 2.6 times the
# largest size in free disk space (~21 GB); the removal is synced and followed by a pause, because ext4 creates files
# more slowly while many inodes were freed a moment ago.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"
sizes="1000 2000 4000 8000"
files="10000 50000 200000"
trials=3
out="$root/docs/benchmarks.md"
keep=0
work=""
hort=""
command="bench/scaling.sh $*"

while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes=$2; shift 2;;
        --files) files=$2; shift 2;;
        --trials) trials=$2; shift 2;;
        --out) out=$2; shift 2;;
        --keep) keep=1; shift;;
        --work) work=$2; shift 2;;
        --hort) hort=$2; shift 2;;
        -h|--help) usage "$0"; exit 0;;
        *) echo "scaling.sh: unknown option $1 (see --help)" >&2; exit 2;;
    esac
done
case "$out" in /*) ;; *) out="$PWD/$out";; esac

[ -x /usr/bin/time ] || install_packages time
resolve_hort
make_work scaling
printf 'scaling-%s\n' "$(date +%s%N | sha256sum | cut -c1-16)" > "$work/password"
export HORT_PASSWORD_FILE="$work/password" SEED=42
: > "$work/results.tsv"

# timed SERIES X STEP CMD...: wall seconds and peak RSS of CMD into results.tsv.
timed() {
    local series=$1 x=$2 step=$3; shift 3
    local t0 t1 logf="$work/$series-$x-$step.log"
    t0=$(date +%s%N)
    /usr/bin/time -f '%M %U %S' -o "$logf.time" "$@" >"$logf" 2>&1 || { tail -20 "$logf" >&2; die "$step ($series $x) failed"; }
    t1=$(date +%s%N)
    read -r rss cpu < <(tail -1 "$logf.time" | awk '{ printf "%d %.2f\n", $1, $2 + $3 }')
    printf '%s\t%s\t%s\t%.3f\t%s\t%s\n' "$series" "$x" "$step" "$(seconds_between "$t0" "$t1")" \
        "$rss" "$cpu" >> "$work/results.tsv"
    log "  $series $x $step: $(tail -1 "$work/results.tsv" | cut -f4) s"
}

# free_measured DIR: removes a measured size's folder (unless --keep) and lets the file system settle.
free_measured() {
    [ "$keep" -eq 1 ] && return 0
    rm -rf "$1"
    sync
    sleep 60
}

for size in $sizes; do
    log "size $size MB"
    read -r NFILES BIG_MIB DUP_BLOCK_MIB < <(scale_mkdata "$size")
    data="$work/size-$size/data"
    NFILES=$NFILES BIG_MIB=$BIG_MIB DUP_BLOCK_MIB=$DUP_BLOCK_MIB PB="$work/size-$size" OUT="$data" \
        "$here/mkdata.sh" generate > "$work/mkdata-$size.log"
    printf 'size\t%s\tbytes\t%s\t%s\t0\n' "$size" "$(bytes_of "$data")" "$(find "$data" -type f | wc -l)" >> "$work/results.tsv"
    "$hort" -q init --repo "$work/size-$size/repo" >/dev/null
    settle "$data"
    timed size "$size" backup "$hort" -q backup --repo "$work/size-$size/repo" "$data"
    mkdir "$work/size-$size/restore"
    settle "$work/size-$size/repo"
    timed size "$size" restore "$hort" -q restore latest --repo "$work/size-$size/repo" --target "$work/size-$size/restore"
    python3 "$here/treesum.py" describe "$data" > "$work/size-$size/expected"
    python3 "$here/treesum.py" compare "$work/size-$size/expected" "$work/size-$size/restore$data" >&2 \
        || die "the restore of $size MB differs from its source"
    free_measured "$work/size-$size"
done

for n in $files; do
    log "$n files"
    data="$work/files-$n/data"
    NFILES=$n NPROJ=20 BIG_COUNT=0 DUP_UNIQUE=0 COPY_PROJECTS=0 PB="$work/files-$n" OUT="$data" \
        "$here/mkdata.sh" generate > "$work/mkdata-files-$n.log"
    printf 'files\t%s\tbytes\t%s\t%s\t0\n' "$n" "$(bytes_of "$data")" "$(find "$data" -type f | wc -l)" >> "$work/results.tsv"
    "$hort" -q init --repo "$work/files-$n/repo" >/dev/null
    settle "$data"
    timed files "$n" backup "$hort" -q backup --repo "$work/files-$n/repo" "$data"
    for ((t = 1; t <= trials; t++)); do
        settle "$data" "$work/files-$n/repo"
        timed files "$n" unchanged "$hort" -q backup --repo "$work/files-$n/repo" "$data"
    done
    free_measured "$work/files-$n"
done

python3 "$here/scaling-report.py" "$work/results.tsv" "$out" "$command" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
log "results written to $out"
