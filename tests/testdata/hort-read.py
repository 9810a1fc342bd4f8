#!/usr/bin/env python3
"""An independent reader of hort repository format v1, written from docs/design/repository-format.md alone.

It shares no code with hort. It exists to prove that the specification is complete: if this script can list and
restore a repository that hort wrote, so can anyone else, in any language, without hort.

    python3 hort-read.py REPO PASSWORD snapshots
    python3 hort-read.py REPO PASSWORD ls SNAPSHOT
    python3 hort-read.py REPO PASSWORD restore SNAPSHOT TARGET
    python3 hort-read.py vectors          # recompute the test vectors of the specification's section 14

SNAPSHOT is a full snapshot ID, a unique prefix of at least 4 hex digits, or "latest".
Needs Python 3.9+, the "cryptography" package (43 or newer, for AES-GCM and Argon2id) and either the "zstandard"
package or the zstd command-line tool.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

CONFIG_MAGIC = hashlib.sha256(b"hort/v1/config").digest()[:8]
PACK_MAGIC = hashlib.sha256(b"hort/v1/pack").digest()[:8]
SALT, TAG = 24, 16
BLOB_DATA, BLOB_TREE = 1, 2
NODE_FILE, NODE_DIR, NODE_SYMLINK, NODE_FIFO, NODE_CHR, NODE_BLK, NODE_SOCK = range(1, 8)


class Corrupt(Exception):
    pass


# --- section 4: the object envelope -------------------------------------------------------------------------

def seal(key, plaintext, ad, salt):
    object_key = hmac.new(key, salt, hashlib.sha256).digest()
    return salt + AESGCM(object_key).encrypt(bytes(12), plaintext, ad)


def open_envelope(key, envelope, ad, what):
    if len(envelope) < SALT + TAG:
        raise Corrupt(f"{what}: too short to be an envelope")
    object_key = hmac.new(key, envelope[:SALT], hashlib.sha256).digest()
    try:
        return AESGCM(object_key).decrypt(bytes(12), envelope[SALT:], ad)
    except InvalidTag:
        raise Corrupt(f"{what}: authentication failed") from None


# --- section 3: keys ------------------------------------------------------------------------------------------

def subkeys(master):
    return {label: hmac.new(master, f"hort/v1/{label}".encode(), hashlib.sha256).digest()
            for label in ("encryption", "chunk-id", "chunker")}


def argon2id(password, salt, ops_limit, mem_limit):
    # libsodium crypto_pwhash ARGON2ID13: one lane, memory in whole KiB, 32 bytes out.
    return Argon2id(salt=salt, length=32, iterations=ops_limit, lanes=1, memory_cost=mem_limit // 1024).derive(password)


def unwrap_key_file(data, password):
    doc = json.loads(data)
    kdf = doc.get("kdf") or {}
    if doc.get("version") != 1 or kdf.get("algorithm") != "argon2id":
        print("skipping a key file of an unknown version or key derivation", file=sys.stderr)
        return None
    if not 1 <= kdf["opsLimit"] <= 100 or not 8192 <= kdf["memLimit"] <= 16 << 30:
        print("skipping a key file whose key derivation cost is out of range", file=sys.stderr)
        return None
    salt = base64.b64decode(kdf["salt"])
    wrapped = base64.b64decode(doc["wrappedKey"])
    wrapping_key = argon2id(password, salt, kdf["opsLimit"], kdf["memLimit"])
    try:
        return open_envelope(wrapping_key, wrapped, b"hort/v1/key", "key file")
    except Corrupt:
        return None


# --- section 5: chunking --------------------------------------------------------------------------------------

def gear_table(chunker_key):
    return [struct.unpack("<Q", hmac.new(chunker_key, bytes([i]), hashlib.sha256).digest()[:8])[0] for i in range(256)]


def chunk_boundaries(data, gear, min_size, avg_size, max_size):
    bits = avg_size.bit_length() - 1
    full = (1 << 64) - 1
    mask_s = (full << (64 - (bits + 2))) & full
    mask_l = (full << (64 - (bits - 2))) & full
    start = 0
    while start < len(data):
        remaining = len(data) - start
        length = min(remaining, max_size)
        if remaining > min_size:
            h = 0
            for i in range(min_size, min(remaining, max_size)):
                h = ((h << 1) + gear[data[start + i]]) & full
                if h & (mask_s if i < avg_size else mask_l) == 0:
                    length = i + 1
                    break
        yield start, length
        start += length


# --- section 6: compression -----------------------------------------------------------------------------------

def zstd_decompress(data):
    try:
        import zstandard
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    except ImportError:
        return subprocess.run(["zstd", "-d", "-c", "-q"], input=data, stdout=subprocess.PIPE, check=True).stdout


# --- section 9: trees -----------------------------------------------------------------------------------------

class Reader:
    def __init__(self, data, what):
        self.data, self.at, self.what = data, 0, what

    def take(self, n):
        if n < 0 or self.at + n > len(self.data):
            raise Corrupt(f"{self.what}: truncated")
        piece = self.data[self.at:self.at + n]
        self.at += n
        return piece

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack("<H", self.take(2))[0]

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def i64(self):
        return struct.unpack("<q", self.take(8))[0]

    def time(self):
        seconds, nanos = self.i64(), self.u32()
        if nanos >= 1_000_000_000:
            raise Corrupt(f"{self.what}: bad nanoseconds")
        return seconds, nanos

    def end(self):
        if self.at != len(self.data):
            raise Corrupt(f"{self.what}: trailing bytes")


def decode_tree(data, what):
    r = Reader(data, what)
    if r.u8() != 1:
        raise Corrupt(f"{what}: unknown tree version")
    nodes = []
    for _ in range(r.u32()):
        n = {"type": r.u8()}
        n["name"] = r.take(r.u16())
        n["mode"], n["uid"], n["gid"] = r.u32(), r.u32(), r.u32()
        n["user"] = r.take(r.u16()).decode("utf-8")
        n["group"] = r.take(r.u16()).decode("utf-8")
        n["mtime"], n["atime"], n["ctime"] = r.time(), r.time(), r.time()
        n["inode"], n["device"], n["links"], n["rdev"], n["size"] = r.u64(), r.u64(), r.u32(), r.u64(), r.u64()
        n["target"] = r.take(r.u32())
        n["xattrs"] = [(r.take(r.u16()), r.take(r.u32())) for _ in range(r.u16())]
        if n["type"] == NODE_FILE:
            n["content"] = [r.take(32) for _ in range(r.u32())]
        elif n["type"] == NODE_DIR:
            n["subtree"] = r.take(32)
        if not 1 <= n["type"] <= 7 or not n["name"] or (nodes and nodes[-1]["name"] >= n["name"]):
            raise Corrupt(f"{what}: bad node")
        nodes.append(n)
    r.end()
    return nodes


# --- sections 2, 7, 8, 10: the repository ---------------------------------------------------------------------

class Repository:
    def __init__(self, root, password):
        self.root = root
        config = self.read("config")
        if config[:8] != CONFIG_MAGIC:
            raise Corrupt("not a hort repository")
        version = struct.unpack("<I", config[8:12])[0]
        if version != 1:
            raise Corrupt(f"format version {version}; this reader knows version 1")
        master = None
        for name in self.names("keys"):
            master = unwrap_key_file(self.read("keys", name), password.encode("utf-8"))
            if master:
                break
        if master is None:
            raise Corrupt("wrong password")
        self.keys = subkeys(master)
        self.config = json.loads(open_envelope(self.keys["encryption"], config[12:], config[:12], "config"))
        expected = {"chunkId": "hmac-sha256", "cipher": "aes-256-gcm-hmac-sha256-subkey", "compression": "zstd"}
        for field, value in expected.items():
            if self.config[field] != value:
                raise Corrupt(f"unknown {field} algorithm {self.config[field]}")
        if self.config["chunker"]["algorithm"] != "fastcdc-gear-hmac-sha256":
            raise Corrupt("unknown chunker")
        self.index = {}
        self.indexed_packs = set()
        for name in self.names("index"):
            self.load_index(name)
        for pack in self.names("data"):
            if pack not in self.indexed_packs:
                self.load_pack_header(pack)

    def load_pack_header(self, pack):
        # Section 11.2: a pack no index file lists (a crash, a lost index file) still describes itself.
        with open(self.path("data", pack[:2], pack), "rb") as f:
            length = f.seek(0, os.SEEK_END)
            f.seek(length - 4)
            header_length = struct.unpack("<I", f.read(4))[0]
            if length < 56 or not 44 <= header_length <= length - 12:
                raise Corrupt(f"pack {pack}: bad header length")
            f.seek(length - 4 - header_length)
            plain = open_envelope(self.keys["encryption"], f.read(header_length), b"hort/v1/pack-header", f"pack {pack}")
        r = Reader(plain, f"pack {pack}")
        expected = 8
        for _ in range(r.u32()):
            entry = parse_entry(r.take(48))
            if entry["offset"] != expected or entry["stored"] < 40:
                raise Corrupt(f"pack {pack}: entries do not tile the pack")
            expected += entry["stored"]
            self.index.setdefault(entry["id"], (pack, entry))
        r.end()
        if expected != length - 4 - header_length:
            raise Corrupt(f"pack {pack}: blobs do not end where the header begins")
        print(f"note: pack {pack[:8]} is not listed by any index file; read its header", file=sys.stderr)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def read(self, *parts):
        with open(self.path(*parts), "rb") as f:
            return f.read()

    def names(self, folder):
        def is_id(n):
            return len(n) == 64 and all(c in "0123456789abcdef" for c in n)
        if folder == "data":
            result = []
            for prefix in sorted(os.listdir(self.path("data"))):
                if len(prefix) == 2 and all(c in "0123456789abcdef" for c in prefix):
                    result += [n for n in sorted(os.listdir(self.path("data", prefix))) if is_id(n) and n[:2] == prefix]
            return result
        if not os.path.isdir(self.path(folder)):
            return []
        return [n for n in sorted(os.listdir(self.path(folder))) if is_id(n)]

    def read_named(self, folder, name):
        data = self.read(folder, name)
        if hashlib.sha256(data).hexdigest() != name:
            raise Corrupt(f"{folder}/{name}: content does not match its name")
        return data

    def load_index(self, name):
        plain = open_envelope(self.keys["encryption"], self.read_named("index", name), b"hort/v1/index", f"index/{name}")
        r = Reader(plain, f"index/{name}")
        for _ in range(r.u32()):
            r.take(32)  # superseded index files: v1 writers never list any
        for _ in range(r.u32()):
            pack, pack_length = r.take(32).hex(), r.u64()
            self.indexed_packs.add(pack)
            for _ in range(r.u32()):
                entry = parse_entry(r.take(48))
                if entry["offset"] + entry["stored"] > pack_length:
                    raise Corrupt(f"index/{name}: blob outside its pack")
                self.index.setdefault(entry["id"], (pack, entry))
        r.end()

    def snapshots(self):
        result = []
        for name in self.names("snapshots"):
            plain = open_envelope(self.keys["encryption"], self.read_named("snapshots", name), b"hort/v1/snapshot", name)
            doc = json.loads(plain)
            if doc["version"] != 1:
                raise Corrupt(f"snapshot {name}: version {doc['version']}")
            result.append((name, doc))
        result.sort(key=lambda s: (parse_time(s[1]["time"]), s[0]))
        return result

    def find_snapshot(self, reference):
        all_snapshots = self.snapshots()
        if reference == "latest":
            return all_snapshots[-1]
        matches = [s for s in all_snapshots if s[0].startswith(reference.lower())]
        if len(reference) < 4 or len(matches) != 1:
            raise Corrupt(f"'{reference}' does not name exactly one snapshot")
        return matches[0]

    def load_blob(self, blob_type, blob_id):
        pack, e = self.index[blob_id]
        if e["type"] != blob_type:
            raise Corrupt(f"blob {blob_id.hex()} has the wrong type")
        with open(self.path("data", pack[:2], pack), "rb") as f:
            f.seek(e["offset"])
            envelope = f.read(e["stored"])
        plain = open_envelope(self.keys["encryption"], envelope, bytes([blob_type]) + blob_id, f"blob {blob_id.hex()}")
        raw = plain if e["compression"] == 0 else zstd_decompress(plain)
        if len(raw) != e["raw"] or hmac.new(self.keys["chunk-id"], raw, hashlib.sha256).digest() != blob_id:
            raise Corrupt(f"blob {blob_id.hex()}: content does not match its ID")
        return raw

    def tree(self, tree_id):
        return decode_tree(self.load_blob(BLOB_TREE, tree_id), f"tree {tree_id.hex()}")


def parse_entry(b):
    blob_type, compression, reserved, offset, stored, raw = struct.unpack("<BBHIII", b[:16])
    if blob_type not in (BLOB_DATA, BLOB_TREE) or compression not in (0, 1) or reserved != 0:
        raise Corrupt("bad blob entry")
    return {"type": blob_type, "compression": compression, "offset": offset, "stored": stored, "raw": raw, "id": b[16:48]}


def parse_time(text):
    from datetime import datetime
    # .NET writes 7 fractional digits; Python's fromisoformat (before 3.11) takes at most 6.
    head, sep, rest = text.partition(".")
    if sep:
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- section 12: restoring ------------------------------------------------------------------------------------

def walk(repo, tree_id, prefix=b""):
    for node in repo.tree(tree_id):
        path = prefix + b"/" + node["name"]
        yield path, node
        if node["type"] == NODE_DIR:
            yield from walk(repo, node["subtree"], path)


def restore(repo, tree_id, target):
    links = {}
    directories = []
    for path, node in walk(repo, tree_id):
        if node["name"] in (b".", b"..") or b"/" in node["name"] or b"\0" in node["name"]:
            print(f"skipping unsafe name {node['name']!r}", file=sys.stderr)
            continue
        out = os.path.join(os.fsencode(target), path.lstrip(b"/"))
        kind = node["type"]
        if kind == NODE_DIR:
            os.makedirs(out, exist_ok=True)
            directories.append((out, node))
        elif kind == NODE_FILE:
            key = (node["device"], node["inode"])
            if node["links"] > 1 and node["inode"] != 0 and key in links:
                os.link(links[key], out)
                continue
            links[key] = out
            with open(out, "wb") as f:
                for chunk_id in node["content"]:
                    data = repo.load_blob(BLOB_DATA, chunk_id)
                    if data.count(0) == len(data):
                        f.seek(len(data), os.SEEK_CUR)  # leave a hole
                    else:
                        f.write(data)
                f.truncate()
            finish(out, node)
        elif kind == NODE_SYMLINK:
            os.symlink(node["target"], out)
            if os.geteuid() == 0:
                os.lchown(out, node["uid"], node["gid"])
            os.utime(out, ns=(to_ns(node["atime"]), to_ns(node["mtime"])), follow_symlinks=False)
        elif kind == NODE_FIFO:
            os.mkfifo(out, node["mode"])
            finish(out, node)
        else:
            print(f"skipping {path!r}: device and socket nodes are not restored by this reader", file=sys.stderr)
    for out, node in reversed(directories):
        finish(out, node)


def to_ns(t):
    return t[0] * 1_000_000_000 + t[1]


def finish(out, node):
    # Owner first (chown clears setuid/setgid), extended attributes before a read-only mode, times last.
    if os.geteuid() == 0:
        os.chown(out, node["uid"], node["gid"])
    for name, value in node["xattrs"]:
        try:
            os.setxattr(out, name, value)
        except OSError as e:
            print(f"extended attribute {name!r} of {out!r} not restored: {e}", file=sys.stderr)
    os.chmod(out, node["mode"])
    os.utime(out, ns=(to_ns(node["atime"]), to_ns(node["mtime"])))


def kind_letter(node):
    return "-dlpcbs"[node["type"] - 1]


# --- section 14: the test vectors -----------------------------------------------------------------------------

def vector_stream(n_random, n_zero):
    blocks = (hashlib.sha256(b"hort test vector" + struct.pack("<I", i)).digest() for i in range(n_random // 32))
    return b"".join(blocks) + bytes(n_zero)


def print_vectors():
    master = bytes(range(32))
    keys = subkeys(master)
    print("config magic", CONFIG_MAGIC.hex())
    print("pack magic", PACK_MAGIC.hex())
    for label, key in keys.items():
        print(f"subkey {label}", key.hex())
    print("chunk id of 'hort'", hmac.new(keys["chunk-id"], b"hort", hashlib.sha256).hexdigest())
    gear = gear_table(keys["chunker"])
    print("gear[0..3]", " ".join(f"{g:016x}" for g in gear[:4]), "gear[255]", f"{gear[255]:016x}")
    for name, params, stream in (("A", (4096, 16384, 65536), (3 << 20, (1 << 20) + 1000)),
                                 ("B", (524288, 1048576, 8388608), (12 << 20, 9 << 20))):
        data = vector_stream(*stream)
        print(f"chunk vector {name}: input SHA-256", hashlib.sha256(data).hexdigest())
        for offset, length in chunk_boundaries(data, gear, *params):
            chunk_id = hmac.new(keys["chunk-id"], data[offset:offset + length], hashlib.sha256).hexdigest()
            print(f"{offset} {length} {chunk_id}")
    salt = bytes(range(0x40, 0x58))
    blob_id = hmac.new(keys["chunk-id"], b"hort", hashlib.sha256).digest()
    print("blob envelope", seal(keys["encryption"], b"hort", bytes([BLOB_DATA]) + blob_id, salt).hex())
    print("test envelope", seal(keys["encryption"], b"hort object cipher test vector", b"hort/v1/test", salt).hex())
    print("argon2id", argon2id(b"hort-test-vector", bytes(range(0x20, 0x30)), 1, 8192).hex())


def main(argv):
    if argv[1:2] == ["vectors"]:
        print_vectors()
        return 0
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    repo = Repository(argv[1], argv[2])
    command = argv[3]
    if command == "snapshots":
        for name, doc in repo.snapshots():
            print(name[:8], doc["time"], doc.get("hostname", ""), ",".join(doc.get("tags", [])), " ".join(doc["paths"]))
    elif command == "ls":
        _, doc = repo.find_snapshot(argv[4])
        for path, node in walk(repo, bytes.fromhex(doc["tree"])):
            print(kind_letter(node), f"{node['mode']:04o}", node["size"], path.decode("utf-8", "backslashreplace"))
    elif command == "restore":
        _, doc = repo.find_snapshot(argv[4])
        if os.path.exists(argv[5]) and os.listdir(argv[5]):
            raise SystemExit(f"{argv[5]} is not empty")
        os.makedirs(argv[5], exist_ok=True)
        restore(repo, bytes.fromhex(doc["tree"]), argv[5])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Corrupt as e:
        print(f"hort-read: {e}", file=sys.stderr)
        sys.exit(1)
