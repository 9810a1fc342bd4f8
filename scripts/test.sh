#!/usr/bin/env bash
# Runs Hort's whole test suite on a fresh Debian 12 machine: installs what the tests need, builds, tests,
# and prints one closing line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

# apt_install PACKAGE...: installs Debian packages, through sudo when not root.
apt_install() {
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

need=()
for lib in libzstd.so.1 libsodium.so.23 libicuuc.so.72; do
    ldconfig -p | grep -q "$lib" || need+=("$lib")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "installing native libraries: ${need[*]}"
    apt_install libzstd1 libsodium23 libicu72 >/dev/null
fi

# hort ships as a Native AOT program, which needs a C toolchain to link.
if ! command -v clang >/dev/null && ! command -v gcc >/dev/null; then
    echo "installing clang to link hort with Native AOT"
    apt_install clang libc6-dev >/dev/null
fi

# The browser tests (tests/Hort.Dashboard.Tests) drive Debian's chromium headless.
if [ ! -x /usr/bin/chromium ]; then
    echo "installing chromium for the browser tests"
    apt_install chromium >/tmp/hort-chromium-install.log 2>&1 || { tail -20 /tmp/hort-chromium-install.log; exit 1; }
fi

source scripts/test-postgres.sh
source scripts/test-smtp.sh
results="$(mktemp -d)"
trap 'stop_test_smtp; stop_test_postgres; rm -rf "$results"' EXIT
start_test_postgres
start_test_smtp

dotnet build Hort.slnx -c Release -warnaserror -nologo -v quiet
# The tests that run hort as a child process (CLI, agent, dashboard) run it as it ships: published with Native AOT.
rid=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)
dotnet publish src/Hort.Cli -c Release -r "$rid" -warnaserror -o "$results/hort" -nologo -v quiet
export HORT_TEST_PROGRAM="$results/hort/hort"
set +e
dotnet test Hort.slnx -c Release --no-build --nologo \
    --logger "trx" --results-directory "$results" "$@"
status=$?
set -e

# The benchmarks in their tiny forms, so the scripts cannot rot: each must run, and every restore must be identical
# to its source. Timings are not asserted. Each counts as one test.
bench_passed=0; bench_failed=0
run_bench() {
    local logf="$results/$1"; shift
    echo "$*"
    local code=0
    "$@" >"$logf" 2>&1 || code=$?
    if [ "$code" -eq 0 ]; then
        bench_passed=$((bench_passed + 1))
    else
        tail -30 "$logf"
        echo "$* failed (exit code $code)"
        bench_failed=$((bench_failed + 1))
    fi
}

# The comparison with restic and borg (it installs them when they are missing).
run_bench compare.log bench/compare.sh --tiny --out "$results/benchmarks.md" --hort "$HORT_TEST_PROGRAM"

# Each compression mode's first backup against restic's, on a folder of the SDK.
run_bench compression.log bench/compression.sh --data "$(dirname "$(readlink -f "$(command -v dotnet)")")/sdk-manifests" \
    --trials 1 --modes "auto fast max off" --hort "$HORT_TEST_PROGRAM"

# The server benchmark: one agent backs up and restores a few MB through hortd.
for tool in jq curl; do
    command -v "$tool" >/dev/null || apt_install "$tool" >/dev/null
done
run_bench ingest.log bench/ingest.sh --agents 1 --size 8 --restore

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
    e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
passed=$((passed + bench_passed)); failed=$((failed + bench_failed))
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
