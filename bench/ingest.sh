#!/usr/bin/env bash
# ingest.sh - server ingest: how fast one hortd takes in backups from 1, 2, 4 and 8 agents at once on loopback.
#
# Usage: bench/ingest.sh [--agents "1 2 4 8"] [--size MIB | --files N] [--restore] [--out FILE] [--keep] [--work DIR]
#
#   --agents LIST  agent counts to measure, one round each (default "1 2 4 8")
#   --size MIB     data per agent (default 256): incompressible random files, different for every agent, so every
#                  byte is sent, verified, encrypted and written by the server (no deduplication between agents)
#   --files N      instead, N small source-like text files per agent in nested folders (bench/mkdata.sh's text part,
#                  a different seed for every agent; ~9 KB each): what a PC full of documents costs per file
#   --restore      then restore every PC's snapshot through the server at once (each agent into a new folder, checked
#                  against its data) and time that too, with the CPU time hortd spent serving it
#   --out FILE     also write the results table (markdown) to FILE
#   --keep         keep the work directory (data, server folders, logs)
#   --work DIR     work directory (default: a new folder under ${TMPDIR:-/tmp}); must not exist yet
#
# Each round starts a fresh hortd (new data folder and repository) on a free loopback port, creates an administrator,
# enrolls N agents (`hort agent enroll`, pinned to the printed fingerprint), gives each a policy whose include path is
# its own data folder and whose window is always open, then starts the N `hort agent run` processes together. The wall
# time runs from that start until the server lists a committed snapshot for every PC (it includes the agents' process
# start). MB/s is the agents' data (10^6 bytes) divided by the wall time. "hortd CPU" is the CPU time (user + system)
# hortd used in that time, also per GB (10^9 bytes) of agent data: unlike the wall time it hardly depends on what else
# runs on the machine. Needs: bash, curl, jq, python3, dotnet, diff, openssl (for --files), Linux /proc.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
agents="1 2 4 8"
size=256
files=0
out=""
keep=0
restore=0
work=""
command="bench/ingest.sh $*"

while [ $# -gt 0 ]; do
    case "$1" in
        --agents) agents=$2; shift 2;;
        --size) size=$2; shift 2;;
        --files) files=$2; shift 2;;
        --out) out=$2; shift 2;;
        --keep) keep=1; shift;;
        --restore) restore=1; shift;;
        --work) work=$2; shift 2;;
        -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
        *) echo "ingest.sh: unknown option $1 (see --help)" >&2; exit 2;;
    esac
done

for tool in curl jq python3 dotnet diff; do
    command -v "$tool" >/dev/null || { echo "ingest.sh: $tool is required" >&2; exit 2; }
done

if [ -z "$work" ]; then work=$(mktemp -d "${TMPDIR:-/tmp}/hort-ingest.XXXXXX"); else mkdir "$work"; fi
work=$(cd "$work" && pwd)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "$keep" -eq 0 ]; then rm -rf "$work"; else echo "work directory kept: $work"; fi
}
trap cleanup EXIT

echo "building hort and hortd (Release)"
dotnet build "$root/src/Hort.Cli" -c Release -nologo -v quiet >/dev/null
dotnet build "$root/src/Hort.Server" -c Release -nologo -v quiet >/dev/null
hort=(dotnet "$root/src/Hort.Cli/bin/Release/net10.0/hort.dll")
hortd=(dotnet "$root/src/Hort.Server/bin/Release/net10.0/hortd.dll")

max=0
for n in $agents; do [ "$n" -gt "$max" ] && max=$n; done
if [ "$files" -gt 0 ]; then
    echo "generating $files source-like text files for each of $max agents"
else
    echo "generating ${size} MiB of random data for each of $max agents"
fi
for i in $(seq 1 "$max"); do
    mkdir -p "$work/data/pc$i"
    if [ "$files" -gt 0 ]; then
        SEED=$i OUT="$work/gen$i" PB="$work/gen$i.undo" NFILES=$files BIG_COUNT=0 DUP_UNIQUE=0 COPY_PROJECTS=0 \
            bash "$here/mkdata.sh" generate >/dev/null
        mv "$work/gen$i/src" "$work/data/pc$i/src"
        rm -rf "$work/gen$i" "$work/gen$i.undo"
        continue
    fi
    parts=4
    for p in $(seq 1 $parts); do
        head -c $((size * 1024 * 1024 / parts)) /dev/urandom > "$work/data/pc$i/part-$p.bin"
    done
done
# Bytes of agent data, in all, for the first N agents.
data_bytes() { local total=0 i; for i in $(seq 1 "$1"); do
    total=$((total + $(find "$work/data/pc$i" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'))); done; echo "$total"; }

load_before=$(cut -d' ' -f1 /proc/loadavg)
# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

results="| agents | data | wall time | server ingest | per agent | hortd CPU | hortd CPU per GB |"
rule="|---:|---:|---:|---:|---:|---:|---:|"
if [ "$restore" -eq 1 ]; then
    results="$results restore wall time | restore per agent | hortd CPU (restore) | hortd CPU per GB (restore) |"
    rule="$rule---:|---:|---:|---:|"
fi
results="$results
$rule"

for n in $agents; do
    round="$work/round-$n"
    mkdir -p "$round"
    port=$(free_port)
    HORTD_PASSWORDHASHING__PASSES=1 HORTD_PASSWORDHASHING__MEMORYKIB=64 \
        "${hortd[@]}" --data "$round/server" --port "$port" > "$round/hortd.log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    for _ in $(seq 1 600); do grep -q 'setup code' "$round/hortd.log" && break; sleep 0.1; done
    fingerprint=$(sed -n 's/.*fingerprint \([0-9a-f]\{64\}\).*/\1/p' "$round/hortd.log" | head -1)
    setup=$(sed -n 's/.*setup code \([A-Z0-9-]*\).*/\1/p' "$round/hortd.log" | head -1)
    [ -n "$fingerprint" ] && [ -n "$setup" ] || { cat "$round/hortd.log"; echo "ingest.sh: hortd did not start" >&2; exit 1; }
    url="https://127.0.0.1:$port"
    # The benchmark talks to its own fresh server on loopback; the agents below pin the fingerprint.
    api() { curl -sSk --fail-with-body -H 'content-type: application/json' ${token:+-H "authorization: Bearer $token"} "$@"; }
    token=""
    api -X POST "$url/api/v1/setup" -d "{\"setupCode\":\"$setup\",\"username\":\"admin\",\"password\":\"benchmark password\"}" >/dev/null
    token=$(api -X POST "$url/api/v1/auth/login" -d '{"username":"admin","password":"benchmark password"}' | jq -r .token)

    pcs=()
    for i in $(seq 1 "$n"); do
        code=$(api -X POST "$url/api/v1/enrollment-codes" -d "{\"pcName\":\"pc$i\",\"validHours\":1}" | jq -r .code)
        "${hort[@]}" agent enroll --state "$round/agent$i" --server "$url" --code "$code" --fingerprint "$fingerprint" >/dev/null
        pc=$(jq -r .pcId "$round/agent$i/agent.json")
        pcs+=("$pc")
        api -X PUT "$url/api/v1/pcs/$pc/policy" -d "{\"include\":[\"$work/data/pc$i\"],\"exclude\":[],
            \"window\":{\"start\":\"00:00:00\",\"end\":\"23:59:00\"},\"keep\":{\"daily\":5,\"weekly\":4,\"monthly\":6},\"concurrency\":1}" >/dev/null
    done

    start=$(date +%s.%N)
    cpu_start=$(cpu_ticks "$server_pid")
    agent_pids=()
    for i in $(seq 1 "$n"); do
        "${hort[@]}" agent run --state "$round/agent$i" > "$round/agent$i.log" 2>&1 &
        agent_pids+=("$!")
        pids+=("$!")
    done
    deadline=$((SECONDS + 900))
    while true; do
        [ "$SECONDS" -lt "$deadline" ] || { tail -20 "$round"/agent*.log; echo "ingest.sh: no snapshot from every PC after 900 s" >&2; exit 1; }
        done_count=$(api "$url/api/v1/pcs" | jq '[.[] | select(.lastSnapshot != null)] | length')
        [ "$done_count" -ge "$n" ] && break
        for pid in "${agent_pids[@]}"; do
            kill -0 "$pid" 2>/dev/null || { tail -20 "$round"/agent*.log; echo "ingest.sh: an agent stopped" >&2; exit 1; }
        done
        sleep 0.2
    done
    end=$(date +%s.%N)
    cpu_end=$(cpu_ticks "$server_pid")

    restore_args=()
    if [ "$restore" -eq 1 ]; then
        # Every PC's latest snapshot back through the server at once, each into a new folder below the round.
        rstart=$(date +%s.%N)
        rcpu_start=$(cpu_ticks "$server_pid")
        jobs=()
        for i in $(seq 1 "$n"); do
            pc=${pcs[$((i - 1))]}
            snapshot=$(api "$url/api/v1/pcs/$pc/snapshots" | jq -r '.[0].id')
            jobs+=("$(api -X POST "$url/api/v1/pcs/$pc/restores" -d "{\"snapshotId\":\"$snapshot\",\"target\":\"$round/restore$i\"}" | jq -r .id)")
        done
        deadline=$((SECONDS + 900))
        while true; do
            [ "$SECONDS" -lt "$deadline" ] || { tail -20 "$round"/agent*.log; echo "ingest.sh: the restores did not finish in 900 s" >&2; exit 1; }
            succeeded=0
            for job in "${jobs[@]}"; do
                state=$(api "$url/api/v1/jobs/$job" | jq -r .state)
                case "$state" in
                    succeeded) succeeded=$((succeeded + 1));;
                    failed|cancelled) tail -20 "$round"/agent*.log; echo "ingest.sh: restore job $job ended $state" >&2; exit 1;;
                esac
            done
            [ "$succeeded" -ge "$n" ] && break
            sleep 0.2
        done
        rend=$(date +%s.%N)
        rcpu_end=$(cpu_ticks "$server_pid")
        for i in $(seq 1 "$n"); do
            diff -rq "$work/data/pc$i" "$round/restore$i$work/data/pc$i" \
                || { echo "ingest.sh: $round/restore$i$work/data/pc$i differs from $work/data/pc$i" >&2; exit 1; }
        done
        restore_args=("$rstart" "$rend" "$((rcpu_end - rcpu_start))")
    fi

    for pid in "${agent_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true

    row=$(python3 - "$n" "$(data_bytes "$n")" "$files" "$start" "$end" "$((cpu_end - cpu_start))" "$(getconf CLK_TCK)" "${restore_args[@]}" <<'PY'
import sys
n, data_bytes, files = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
start, end = float(sys.argv[4]), float(sys.argv[5])
ticks = int(sys.argv[7])
cpu = int(sys.argv[6]) / ticks
wall = end - start
total = data_bytes / 1e6
data = f"{n * files:,} files, {total:,.0f} MB" if files else f"{data_bytes / 1024 / 1024:,.0f} MiB"
row = f"| {n} | {data} | {wall:.1f} s | {total / wall:.0f} MB/s | {total / n / wall:.0f} MB/s | {cpu:.1f} s | {cpu / total * 1000:.1f} s |"
if len(sys.argv) > 8:
    rwall = float(sys.argv[9]) - float(sys.argv[8])
    rcpu = int(sys.argv[10]) / ticks
    row += f" {rwall:.1f} s | {total / n / rwall:.0f} MB/s | {rcpu:.1f} s | {rcpu / total * 1000:.1f} s |"
print(row)
PY
)
    echo "$row"
    results="$results
$row"
done

cores=$(nproc)
summary="Measured with \`$command\` on $(date -u +%Y-%m-%d), $cores cores, load average $load_before before the run;
hortd and all agents on the same machine.

$results"
echo
echo "$summary"
if [ -n "$out" ]; then printf '%s\n' "$summary" > "$out"; fi
