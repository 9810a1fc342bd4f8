#!/usr/bin/env python3
"""Describe a directory tree line by line, or compare two trees.

  treesum.py describe ROOT > FILE     one sorted line per entry: path, type, mode, size, mtime (ns), SHA-256 / link target
  treesum.py compare FILE ROOT        describe ROOT and compare with FILE; prints the first differences, exit 1 if any

Directories are compared by path, type and mode (their mtimes change when a restore fills them);
regular files by type, mode, size, mtime and content; symbolic links by their target.
Names are taken as raw bytes, so any file name round-trips.
"""
import hashlib, os, stat, sys


def describe(root):
    root = os.fsencode(root)
    lines = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).decode("utf-8", "backslashreplace")
            st = os.lstat(full)
            mode = oct(stat.S_IMODE(st.st_mode))
            if stat.S_ISDIR(st.st_mode):
                lines.append(f"{rel}\tdir\t{mode}")
            elif stat.S_ISLNK(st.st_mode):
                lines.append(f"{rel}\tlink\t{os.readlink(full).decode('utf-8', 'backslashreplace')}")
            elif stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                with open(full, "rb", buffering=0) as f:
                    while chunk := f.read(1 << 20):
                        h.update(chunk)
                lines.append(f"{rel}\tfile\t{mode}\t{st.st_size}\t{st.st_mtime_ns}\t{h.hexdigest()}")
            else:
                lines.append(f"{rel}\tspecial\t{mode}\t{stat.S_IFMT(st.st_mode)}")
    lines.sort()
    return lines


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "describe":
        sys.stdout.write("".join(line + "\n" for line in describe(sys.argv[2])))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        with open(sys.argv[2], encoding="utf-8") as f:
            expected = [line.rstrip("\n") for line in f]
        actual = describe(sys.argv[3])
        if expected == actual:
            print(f"identical: {len(actual)} entries")
            return 0
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        print(f"DIFFERENT: {len(missing)} expected lines not found, {len(extra)} unexpected lines")
        for line in missing[:10]:
            print(f"  expected: {line}")
        for line in extra[:10]:
            print(f"  found:    {line}")
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
