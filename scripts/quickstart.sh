#!/usr/bin/env bash
# Builds hort and backs up a folder into a local repository on embedded defaults.
#   scripts/quickstart.sh [FOLDER]          (default FOLDER: this source tree)
# Repository: $HORT_REPOSITORY or ~/.local/share/hort/repository; its password is generated once and kept in
# ~/.config/hort/password (mode 0600) unless HORT_PASSWORD or HORT_PASSWORD_FILE is set.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
folder="$(realpath "${1:-$root}")"

for lib in libzstd.so.1 libsodium.so.23; do
    if ! ldconfig -p | grep -q "$lib"; then
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get update -qq && $SUDO apt-get install -y -qq libzstd1 libsodium23 >/dev/null
        break
    fi
done

echo "building hort..."
dotnet publish "$root/src/Hort.Cli/Hort.Cli.csproj" -c Release -o "$root/artifacts/hort" -nologo -v quiet
hort="$root/artifacts/hort/hort"

export HORT_REPOSITORY="${HORT_REPOSITORY:-$HOME/.local/share/hort/repository}"
if [ -z "${HORT_PASSWORD:-}" ] && [ -z "${HORT_PASSWORD_FILE:-}" ]; then
    export HORT_PASSWORD_FILE="$HOME/.config/hort/password"
    if [ ! -f "$HORT_PASSWORD_FILE" ]; then
        mkdir -p "$(dirname "$HORT_PASSWORD_FILE")"
        (umask 077; head -c 24 /dev/urandom | base64 > "$HORT_PASSWORD_FILE")
        echo "generated a repository password in $HORT_PASSWORD_FILE — keep a copy somewhere safe"
    fi
fi

if [ ! -f "$HORT_REPOSITORY/config" ]; then
    "$hort" init
fi
"$hort" backup --exclude-caches --exclude artifacts --exclude bin --exclude obj "$folder"
"$hort" snapshots
"$hort" check
echo
echo "hort is at $hort; repository: $HORT_REPOSITORY"
