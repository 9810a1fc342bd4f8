# lib.sh - what compare.sh and scaling.sh share. Sourced, not run. Expects $root, $hort, $work, $keep to be set.

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
trap 'log "error: command failed at line $LINENO: $BASH_COMMAND"' ERR

# install_packages PKG...: installs Debian packages with apt-get (via sudo when not root).
install_packages() {
    [ $# -gt 0 ] || return 0
    log "installing $*"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get install -y -qq "$@" >/dev/null 2>&1 || { $sudo apt-get update -qq && $sudo apt-get install -y -qq "$@" >/dev/null; }
}

# resolve_hort: publishes hort in Release for this machine as it is installed (a Native AOT program) unless --hort
# gave an executable; sets $hort.
resolve_hort() {
    if [ -z "$hort" ]; then
        local rid out
        rid=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)
        out="$root/src/Hort.Cli/bin/Release/aot-$rid"
        log "publishing hort (Release, Native AOT, $rid)"
        dotnet publish "$root/src/Hort.Cli" -c Release -r "$rid" -o "$out" -nologo -v quiet >/dev/null
        hort="$out/hort"
    fi
    [ -x "$hort" ] || die "no hort executable at $hort"
}

# make_work NAME: creates the work folder ($work, or a new one under $TMPDIR) and removes it on exit unless --keep
# was given or the run failed.
make_work() {
    if [ -z "$work" ]; then
        work=$(mktemp -d "${TMPDIR:-/tmp}/hort-$1.XXXXXX")
    else
        [ -e "$work" ] && die "--work $work exists already; give a new folder"
        mkdir -p "$work"
    fi
    work=$(cd "$work" && pwd -P)
    trap cleanup EXIT
    # Stopped from outside: keep the folder (its results.tsv can still be reported on).
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

cleanup() {
    local status=$?
    if [ "$keep" -eq 1 ] || [ $status -ne 0 ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}

# scale_mkdata MB: prints NFILES BIG_MIB DUP_BLOCK_MIB that scale bench/mkdata.sh's ~2,000 MB set to about MB.
scale_mkdata() {
    awk -v s="$1" 'function r(x) { return x < 1 ? 1 : int(x + 0.5) } BEGIN { f = s / 2000; print r(50000 * f), r(256 * f), r(8 * f) }'
}

# usage SCRIPT: prints the comment block at the top of SCRIPT.
usage() { sed -n '2,/^set -e/p' "$1" | sed -e '$d' -e 's/^# \{0,1\}//'; }

seconds_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# measure LOG CMD...: runs CMD under GNU time with its output in LOG (shown, and the run stopped, when it fails);
# sets $wall (seconds), $cpu (user + system seconds) and $peak (maximum resident set size, MB).
measure() {
    local logf=$1 t0 t1 user sys rss; shift
    t0=$(date +%s%N)
    /usr/bin/time -f '%U %S %M' -o "$logf.time" "$@" >"$logf" 2>&1 || { tail -20 "$logf" >&2; die "$* failed; log: $logf"; }
    t1=$(date +%s%N)
    read -r user sys rss < <(tail -1 "$logf.time")
    wall=$(seconds_between "$t0" "$t1")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    peak=$((rss / 1024))
}

# bytes_of DIR: the total size of the regular files below DIR.
bytes_of() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }'; }

# settle DIR...: brings the machine to the same state before every timed step: what earlier steps left dirty in the
# page cache is written out, and (as root, where the kernel allows it) the page cache is emptied and then filled with
# the step's inputs only. Without it a step pays for the one before it: writing back its data, or reclaiming a full
# page cache page by page while it writes.
settle() {
    sync
    if { echo 1 > /proc/sys/vm/drop_caches; } 2>/dev/null; then
        local d
        for d in "$@"; do
            [ -e "$d" ] && find "$d" -type f -print0 | xargs -0 -r cat > /dev/null
        done
    fi
    return 0
}
