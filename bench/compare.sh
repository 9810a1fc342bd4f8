#!/usr/bin/env bash
# compare.sh - times hort, restic and borg side by side on the same data and machine.
#
# Usage: bench/compare.sh [--size MIB] [--trials N] [--tiny] [--out FILE] [--keep] [--work DIR]
#                         [--real DIR] [--hort PATH]
#
#   --size MIB   approximate size of the generated data (default 2000: bench/mkdata.sh's full set, 50,000 small files)
#   --trials N   trials per step (default 3); tools run interleaved and rotated: A B C, B C A, C A B, ...
#   --tiny       a few MB of data, a small part of the real tree, one trial (what CI runs so the script cannot rot)
#   --out FILE   where the results go (default docs/benchmarks.md, between its compare markers)
#   --keep       keep the work directory (data, repositories, restores, logs)
#   --work DIR   work directory (default: a new folder under ${TMPDIR:-/tmp}); must not exist yet
#   --real DIR   the real, not generated tree to back up too (default: the installed .NET SDK; "none" to skip)
#   --hort PATH  the hort executable (default: build src/Hort.Cli in Release and use it)
#
# Steps per data set and trial: init (not timed), first backup, unchanged re-run, re-run after ~1% of files changed
# (generated data only: bench/mkdata.sh mutate), full restore of the latest snapshot into a new, empty folder, and a
# check that the restore is identical to its source (bench/treesum.py). Repository size is `du` after the first
# backup; peak memory is GNU time's "Maximum resident set size". Every tool runs with its default settings and with
# encryption on (hort: always; restic: always; borg: --encryption=repokey). Restores go to folders never used before,
# and nothing is deleted before the end: on ext4, creating files soon after deleting many runs slower. Every timed
# step starts after a sync (not timed), so that writing back what the previous tool left in the page cache does not
# slow the next one down; as root the page cache is also emptied and refilled with the step's inputs (bench/lib.sh
# settle), so every step starts from the same state.
# Needs: bash, python3, openssl, coreutils, GNU time, restic, borg (installed with apt-get when missing), dotnet.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"
size=2000
trials=3
tiny=0
out="$root/docs/benchmarks.md"
keep=0
work=""
real=""
hort=""
command="bench/compare.sh $*"

while [ $# -gt 0 ]; do
    case "$1" in
        --size) size=$2; shift 2;;
        --trials) trials=$2; shift 2;;
        --tiny) tiny=1; shift;;
        --out) out=$2; shift 2;;
        --keep) keep=1; shift;;
        --work) work=$2; shift 2;;
        --real) real=$2; shift 2;;
        --hort) hort=$2; shift 2;;
        -h|--help) usage "$0"; exit 0;;
        *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2;;
    esac
done
case "$out" in /*) ;; *) out="$PWD/$out";; esac


# --- tools ----------------------------------------------------------------------------------------------------------
need=()
command -v restic >/dev/null || need+=(restic)
command -v borg >/dev/null || need+=(borgbackup)
[ -x /usr/bin/time ] || need+=(time)
install_packages "${need[@]}"
resolve_hort

if [ -z "$real" ]; then
    real=$(dirname "$(readlink -f "$(command -v dotnet)")")
    [ "$tiny" -eq 1 ] && real="$real/sdk-manifests"
fi
[ "$real" = none ] || [ -d "$real" ] || die "no real tree at $real"
[ "$real" = none ] || real=$(cd "$real" && pwd -P)

if [ "$tiny" -eq 1 ]; then
    trials=1
    export NFILES=600 NPROJ=4 BIG_COUNT=2 BIG_MIB=2 DUP_BLOCK_MIB=1 DUP_UNIQUE=2 DUP_REPEATS=3 COPY_PROJECTS=1
else
    # Scale bench/mkdata.sh's full set (~2,000 MB: 50,000 small files, 3×256 MiB random, 640 MiB with 128 MiB unique).
    read -r NFILES BIG_MIB DUP_BLOCK_MIB < <(scale_mkdata "$size")
    export NFILES BIG_MIB DUP_BLOCK_MIB
fi

# --- work directory ---------------------------------------------------------------------------------------------------
make_work compare
mkdir -p "$work/repos" "$work/restores" "$work/logs" "$work/borg-base" "$work/restic-cache"
printf 'bench-password-%s\n' "$(date +%s%N | sha256sum | cut -c1-16)" > "$work/password"
chmod 600 "$work/password"
export HORT_PASSWORD_FILE="$work/password" RESTIC_PASSWORD_FILE="$work/password"
export RESTIC_CACHE_DIR="$work/restic-cache" BORG_BASE_DIR="$work/borg-base"
export BORG_PASSCOMMAND="cat $work/password" BORG_RELOCATED_REPO_ACCESS_IS_OK=yes BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=no
export BORG_DISPLAY_PASSPHRASE=no
: > "$work/results.tsv"; : > "$work/datasets.tsv"; : > "$work/ceilings.tsv"

# --- machine ----------------------------------------------------------------------------------------------------------
{
    echo "CPU:     $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores ($(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -1 | sed 's/^./virtual, &/'))"
    echo "RAM:     $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
    echo "Disk:    $(findmnt -no FSTYPE,SOURCE -T "$work" | head -1) ($(df -h --output=size "$work" | tail -1 | tr -d ' ') total, $(df -h --output=avail "$work" | tail -1 | tr -d ' ') free)"
    echo "Kernel:  $(uname -sr)"
    echo "OS:      $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "hort:    $("$hort" --version 2>&1 | head -1) ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "no git")), .NET $(dotnet --version 2>/dev/null || echo '?')"
    echo "restic:  $(restic version | head -1)"
    echo "borg:    $(borg --version | head -1)"
    echo "Date:    $(date -u '+%Y-%m-%d %H:%M UTC'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$work/machine.txt"
cat "$work/machine.txt" >&2

# --- measuring --------------------------------------------------------------------------------------------------------
# run DATASET STEP TOOL TRIAL CMD...: runs CMD under GNU time, records wall seconds and peak RSS; fails on an error.
run() {
    local dataset=$1 step=$2 tool=$3 trial=$4; shift 4
    local logf="$work/logs/$dataset-$step-$tool-$trial.log" t0 t1 status=0
    t0=$(date +%s%N)
    /usr/bin/time -f '%M %U %S' -o "$logf.rss" "$@" >"$logf" 2>&1 || status=$?
    t1=$(date +%s%N)
    # borg exits 1 for warnings (e.g. a file changed while read); anything else is a failure.
    if [ $status -ne 0 ] && ! { [ "$tool" = borg ] && [ $status -eq 1 ]; }; then
        tail -20 "$logf" >&2
        die "$tool $step ($dataset, trial $trial) failed with exit code $status; log: $logf"
    fi
    local secs rss cpu
    secs=$(seconds_between "$t0" "$t1")
    read -r rss cpu < <(grep -E '^[0-9]+ [0-9.]+ [0-9.]+$' "$logf.rss" | tail -1 | awk '{ printf "%d %.2f\n", $1, $2 + $3 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$dataset" "$step" "$tool" "$trial" "$secs" "$rss" "$cpu" >> "$work/results.tsv"
    log "  $dataset $step $tool #$trial: ${secs} s, ${cpu} s CPU, $((rss / 1024)) MB peak"
}

repo_of() { echo "$work/repos/$1-$2-$3"; }   # dataset tool trial

init_repo() { # tool repo
    case "$1" in
        hort) "$hort" -q init --repo "$2" >/dev/null;;
        restic) restic -q init --repo "$2" >/dev/null;;
        borg) borg init --encryption=repokey "$2" >/dev/null 2>&1;;
    esac
}

backup() { # dataset step tool trial source archive-number
    local repo; repo=$(repo_of "$1" "$3" "$4")
    settle "$5" "$repo"
    case "$3" in
        hort) run "$1" "$2" hort "$4" "$hort" -q backup --repo "$repo" "$5";;
        restic) run "$1" "$2" restic "$4" restic -q backup --repo "$repo" "$5";;
        borg) run "$1" "$2" borg "$4" borg create "$repo::$1-$6" "$5";;
    esac
}

restore() { # dataset tool trial target archive-number
    local repo; repo=$(repo_of "$1" "$2" "$3")
    mkdir "$4"
    settle "$repo"
    case "$2" in
        hort) run "$1" restore hort "$3" "$hort" -q restore latest --repo "$repo" --target "$4";;
        restic) run "$1" restore restic "$3" restic -q restore latest --repo "$repo" --target "$4";;
        borg) run "$1" restore borg "$3" env -C "$4" borg extract "$repo::$1-$5";;
    esac
}

order_for() { # trial -> the tools, rotated so that no tool always runs first
    local tools=(hort restic borg) k=$((($1 - 1) % 3))
    echo "${tools[@]:k} ${tools[@]:0:k}"
}

ceilings() { # dataset source trial
    local bytes t0 t1
    bytes=$(bytes_of "$2")
    # Cold-ish: drop this data from the page cache (posix_fadvise DONTNEED on every file), then read it.
    python3 - "$2" <<'PY'
import os, sys
for dp, _, fn in os.walk(sys.argv[1]):
    for f in fn:
        p = os.path.join(dp, f)
        if os.path.isfile(p) and not os.path.islink(p):
            fd = os.open(p, os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)
PY
    # Hashing with OpenSSL's SHA-256, the code hort's chunk IDs (HMAC-SHA256) run on, with the CPU's SHA extensions
    # where it has them; coreutils' sha256sum has no such code path and would understate the ceiling several times.
    for what in "read, cold-ish (cat)" "read, warm (cat)" "hash, warm (SHA-256 by OpenSSL, one core)"; do
        t0=$(date +%s%N)
        case "$what" in
            hash*) (cd "$2" && find . -type f -print0 | xargs -0 cat | openssl dgst -sha256 >/dev/null);;
            *) (cd "$2" && find . -type f -print0 | xargs -0 cat >/dev/null);;
        esac
        t1=$(date +%s%N)
        printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$what" "$3" "$(seconds_between "$t0" "$t1")" \
            "$bytes" >> "$work/ceilings.tsv"
    done
    # Writing: the data's size in one file, fsynced, into a new file (restores are bounded by this too).
    local mib=$(((bytes + 1048575) / 1048576))
    t0=$(date +%s%N)
    dd if=/dev/zero of="$work/logs/write-$1-$3" bs=1M count="$mib" conv=fsync status=none
    t1=$(date +%s%N)
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "write one file + fsync (dd)" "$3" \
        "$(seconds_between "$t0" "$t1")" "$((mib * 1048576))" >> "$work/ceilings.tsv"
}

dataset_info() { # name source description
    printf '%s\t%s\t%s\t%s\n' "$1" "$(find "$2" -type f | wc -l)" \
        "$(bytes_of "$2")" "$3" >> "$work/datasets.tsv"
}

# bench DATASET SOURCE MUTABLE: all steps, all trials, for one data set.
bench() {
    local dataset=$1 src=$2 mutable=$3 trial tool
    for ((trial = 1; trial <= trials; trial++)); do
        log "$dataset: trial $trial of $trials"
        local order; order=$(order_for "$trial")
        for tool in $order; do
            init_repo "$tool" "$(repo_of "$dataset" "$tool" "$trial")"
            backup "$dataset" backup1 "$tool" "$trial" "$src" 1
            printf '%s\trepo\t%s\t%s\t%s\t0\t0\n' "$dataset" "$tool" "$trial" \
                "$(du -sb "$(repo_of "$dataset" "$tool" "$trial")" | cut -f1)" >> "$work/results.tsv"
        done
        for tool in $order; do backup "$dataset" unchanged "$tool" "$trial" "$src" 2; done
        local last=2
        if [ "$mutable" -eq 1 ]; then
            "$here/mkdata.sh" mutate >/dev/null
            for tool in $order; do backup "$dataset" changed "$tool" "$trial" "$src" 3; done
            last=3
        fi
        python3 "$here/treesum.py" describe "$src" > "$work/logs/$dataset-$trial.expected"
        for tool in $order; do
            local target="$work/restores/$dataset-$tool-$trial"
            restore "$dataset" "$tool" "$trial" "$target" "$last"
            # hort and restic restore the full source path below the target; borg extracts it without the leading /.
            python3 "$here/treesum.py" compare "$work/logs/$dataset-$trial.expected" "$target$src" \
                > "$work/logs/$dataset-$tool-$trial.compare" \
                || { cat "$work/logs/$dataset-$tool-$trial.compare" >&2; die "$tool's restore of $dataset differs from its source"; }
            log "  $dataset restore $tool #$trial: $(cat "$work/logs/$dataset-$tool-$trial.compare")"
        done
        [ "$mutable" -eq 1 ] && "$here/mkdata.sh" unmutate >/dev/null
        ceilings "$dataset" "$src" "$trial"
    done
}

# --- data -------------------------------------------------------------------------------------------------------------
export SEED=42 PB="$work/mkdata" OUT="$work/data" UNDO="$work/mkdata/undo"
log "generating data (bench/mkdata.sh, NFILES=$NFILES BIG_MIB=${BIG_MIB:-} DUP_BLOCK_MIB=${DUP_BLOCK_MIB:-})"
"$here/mkdata.sh" generate > "$work/logs/mkdata.log"
manifest_before=$("$here/mkdata.sh" manifest)
dataset_info generated "$OUT" "bench/mkdata.sh (seed 42): source-like text, random files, a deduplicable file, a copied tree"
[ "$real" = none ] || dataset_info real "$real" "a real tree nobody generated: $real"

bench generated "$OUT" 1
[ "$("$here/mkdata.sh" manifest)" = "$manifest_before" ] || die "the generated data did not come back to its first state"
[ "$real" = none ] || bench real "$real" 0

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/machine.txt"
python3 "$here/report.py" "$work" "$out" "$command"
log "results written to $out"
