#!/usr/bin/env bash
# Recreates the format-v1 fixture repository tests/testdata/repo-v1 with the real hort command line.
# The result differs from the committed fixture in every random byte (keys, salts, IDs) but has the same content,
# so the committed fixture is never regenerated: it exists to prove that later versions of hort still read what
# version 1 wrote. This script documents how it was made. Run as root (for unshare) from the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."

source=/tmp/hort-fixture
repo="${1:-tests/testdata/repo-v1}"
password="hort-test-vector"
[ -e "$repo" ] && { echo "$repo exists; remove it first" >&2; exit 1; }
rm -rf "$source"
mkdir -p "$source/docs"

printf 'Hello, Hort!\n' > "$source/hello.txt"
python3 - "$source" <<'PY'
import hashlib, os, struct, sys
root = sys.argv[1]
# data.bin: the first 3000 bytes of the test-vector stream (SHA-256 in counter mode), incompressible.
stream = b"".join(hashlib.sha256(b"hort test vector" + struct.pack("<I", i)).digest() for i in range(94))
open(os.path.join(root, "data.bin"), "wb").write(stream[:3000])
# big.txt: 8 MiB + 4096 bytes of one repeated line: two chunks (a cut at the 8 MiB maximum), tiny when compressed.
line = b"All work and no play makes a backup dull.\n"
size = 8 * 1024 * 1024 + 4096
open(os.path.join(root, "big.txt"), "wb").write((line * (size // len(line) + 1))[:size])
# docs/readme.md: compressible text, stored zstd-compressed.
text = "".join(f"Line {i}: Hort keeps every version of every file.\n" for i in range(40))
open(os.path.join(root, "docs", "readme.md"), "w").write(text)
# A name that is not UTF-8 (Latin-1 e-acute): names are raw bytes.
open(os.path.join(root.encode(), b"caf\xe9.txt"), "wb").write(b"latin-1 name\n")
os.setxattr(os.path.join(root, "hello.txt"), "user.hort", b"fixture")
PY
: > "$source/docs/empty.txt"
ln -s hello.txt "$source/link"
ln "$source/hello.txt" "$source/hardlink.txt"
mkfifo "$source/pipe"
chmod 0640 "$source/data.bin"
chmod 0750 "$source/docs"
find "$source" -mindepth 1 -exec touch -h -d '2024-01-02 03:04:05.123456789 UTC' {} +
touch -d '2024-01-02 03:04:05.123456789 UTC' "$source"

dotnet build src/Hort.Cli -nologo -v quiet
hort() { unshare --uts sh -c 'hostname fixture-host && exec "$@"' sh dotnet src/Hort.Cli/bin/Debug/net10.0/hort.dll "$@"; }
export HORT_REPOSITORY="$repo" HORT_PASSWORD="$password"
hort init
hort backup "$source" --host fixture-host --tag first

printf 'added in the second snapshot\n' > "$source/added.txt"
touch -d '2024-02-03 04:05:06 UTC' "$source/added.txt"
hort backup "$source" --host fixture-host --tag second
hort check --read-data
hort snapshots
du -sh "$repo"
