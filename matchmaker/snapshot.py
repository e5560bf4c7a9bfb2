"""Compact snapshots of in-memory caches: named numpy arrays plus a little metadata, in one
file that every process on a machine maps read-only (pure: numpy only, no Flask, no DB).

A cache built from a million rows takes seconds and hundreds of MiB per process; the same
cache written once as flat arrays (postings as CSR tables, per-project columns, texts as
one UTF-8 blob with offsets) loads in milliseconds by mapping the file: the pages come
from the page cache and are shared by every worker that maps the same file. The mapping
is private (copy-on-write): a worker that patches a few rows in place gets private copies
of those pages only, the rest stay shared.

Layout: `MAGIC`, the header length (8 bytes, little-endian), the header (UTF-8 JSON:
format version, kind, kind version, metadata, the arrays' dtype/shape/offset, a CRC-32
of the header and of every data byte), then the arrays, each at a 64-byte boundary.
Written atomically (a temporary file in the same folder, fsync, rename): a reader sees
the old file or the new one, never half of one.

`read` refuses (SnapshotError, with the reason) a file that is not a snapshot, is cut
short, fails its checksum, or has another format or kind version; the caller checks the
metadata (which database, which generation) and rebuilds from rows when in doubt.

Checked once per file, not once per process: the data checksum is a pass over every byte
(about 1.5 s for the 1 GiB of a million projects), so a file whose every byte was checked
gets a stamp beside it (`.NAME.checked`: its device, inode, size, modification time and
checksums). A process that finds a stamp matching the file skips the pass. Any write to
the file through the file system after the check (rewritten, cut, replaced, copied in)
changes its inode, size or modification time, so the stamp no longer matches and the next
reader checks every byte again; to keep that true within the clock's resolution, the
writer sets the file's modification time two seconds back and a reader stamps only a
file modified at least that long before. What the stamp does not catch is the disk
itself flipping bits after the check (as with the database's own files); the header, its
checksum and every array's extent are checked on every read.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"MMSNAP\x00\x01"
FORMAT_VERSION = 1
ALIGN = 64
_LENGTH = struct.Struct("<Q")
_CHUNK = 64 * 1024 * 1024  # checksum in slices: no copy of a big mapping
SETTLED_NS = 2_000_000_000  # a file is stamped only when modified at least this long ago


class SnapshotError(Exception):
    """A snapshot that cannot be used; `str(error)` says why (for the log line)."""


@dataclass
class Snapshot:
    path: Path
    kind: str
    version: int
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    nbytes: int
    stamped: bool = False  # the data checksum was skipped: checked whole before (the stamp)


def _aligned(offset: int) -> int:
    return (offset + ALIGN - 1) // ALIGN * ALIGN


def _bytes(array: np.ndarray) -> memoryview:
    return memoryview(array.reshape(-1).view(np.uint8)) if array.nbytes else memoryview(b"")


def _crc(buffer, crc: int = 0) -> int:
    view = _bytes(buffer) if isinstance(buffer, np.ndarray) else memoryview(buffer).cast("B")
    for start in range(0, len(view), _CHUNK):
        crc = zlib.crc32(view[start : start + _CHUNK], crc)
    return crc


def write(path: str | os.PathLike, kind: str, version: int, arrays: Mapping[str, np.ndarray],
          meta: Mapping[str, Any]) -> int:
    """Write the arrays and metadata (JSON-able) to `path` atomically; returns its size."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    layout = []
    contiguous = {}
    offset = 0
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        if array.dtype.hasobject:
            raise TypeError(f"snapshot array {name!r} holds Python objects")
        contiguous[name] = array
        offset = _aligned(offset)
        layout.append({"name": name, "dtype": array.dtype.str, "shape": list(array.shape),
                       "offset": offset, "nbytes": int(array.nbytes)})
        offset += array.nbytes
    crc = 0
    for entry in layout:
        crc = _crc(contiguous[entry["name"]], crc)
    header = {"format": FORMAT_VERSION, "kind": kind, "version": version, "meta": dict(meta),
              "arrays": layout, "data_crc": crc}
    header["header_crc"] = zlib.crc32(json.dumps(header, sort_keys=True).encode())
    encoded = json.dumps(header, sort_keys=True, ensure_ascii=False).encode()
    start = _aligned(len(MAGIC) + _LENGTH.size + len(encoded))
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as out:
            out.write(MAGIC + _LENGTH.pack(len(encoded)) + encoded)
            position = len(MAGIC) + _LENGTH.size + len(encoded)
            for entry in layout:
                target = start + entry["offset"]
                out.write(b"\x00" * (target - position))
                out.write(_bytes(contiguous[entry["name"]]))
                position = target + entry["nbytes"]
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    try:  # the bytes just written are the ones checksummed: stamp them (see the module doc)
        status = path.stat()
        os.utime(path, ns=(status.st_atime_ns, time.time_ns() - SETTLED_NS))
        _stamp(path, os.stat(path), header)
    except OSError:
        pass  # no stamp: the first reader checks every byte
    return start + offset


def _stamp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.checked")


def _identity(status: os.stat_result, header: Mapping[str, Any]) -> dict[str, Any]:
    return {"device": status.st_dev, "inode": status.st_ino, "size": status.st_size,
            "modified_ns": status.st_mtime_ns, "data_crc": header["data_crc"],
            "header_crc": header.get("header_crc")}


def _stamp(path: Path, status: os.stat_result, header: Mapping[str, Any]) -> None:
    """Record that every byte of the file as it is now was checked (atomically; a file
    modified too recently to be told apart from a later write is not stamped)."""
    if status.st_mtime_ns > time.time_ns() - SETTLED_NS:
        return
    target = _stamp_path(path)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(_identity(status, header), sort_keys=True))
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()


def _stamped(path: Path, status: os.stat_result, header: Mapping[str, Any]) -> bool:
    """Whether this very file (same inode, size and modification time) was checked whole."""
    try:
        found = json.loads(_stamp_path(path).read_text())
    except (OSError, ValueError):
        return False
    return found == json.loads(json.dumps(_identity(status, header), sort_keys=True))


def read(path: str | os.PathLike, kind: str, version: int, *, verify: bool = True) -> Snapshot:
    """Map the snapshot at `path`: its arrays are views of one private (copy-on-write)
    mapping of the file. Raises SnapshotError when it is missing, damaged or of another
    version - the caller then rebuilds. The data checksum is checked unless a stamp says
    this very file was checked whole (see the module doc); `verify=False` skips it."""
    path = Path(path)
    try:
        with open(path, "rb") as source:
            status = os.fstat(source.fileno())
            size = status.st_size
            if size < len(MAGIC) + _LENGTH.size:
                raise SnapshotError(f"{path.name}: too short to be a snapshot ({size} bytes)")
            mapping = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_COPY)
    except FileNotFoundError:
        raise SnapshotError(f"{path.name}: no snapshot") from None
    except (OSError, ValueError) as error:
        raise SnapshotError(f"{path.name}: cannot be read ({error})") from None
    if mapping[: len(MAGIC)] != MAGIC:
        raise SnapshotError(f"{path.name}: not a matchmaker snapshot")
    (length,) = _LENGTH.unpack_from(mapping, len(MAGIC))
    body = len(MAGIC) + _LENGTH.size
    if body + length > size:
        raise SnapshotError(f"{path.name}: cut short (header)")
    try:
        header = json.loads(bytes(mapping[body : body + length]).decode())
        header_crc = header.pop("header_crc")
        expected = zlib.crc32(json.dumps(header, sort_keys=True).encode())
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SnapshotError(f"{path.name}: the header is damaged") from None
    if header_crc != expected:
        raise SnapshotError(f"{path.name}: the header checksum does not match")
    header["header_crc"] = header_crc
    stamped = verify and _stamped(path, status, header)  # this very file was checked whole before
    verify = verify and not stamped
    if header.get("format") != FORMAT_VERSION:
        raise SnapshotError(f"{path.name}: format {header.get('format')}, this version reads {FORMAT_VERSION}")
    if header.get("kind") != kind or header.get("version") != version:
        raise SnapshotError(f"{path.name}: a {header.get('kind')} snapshot of version {header.get('version')}, "
                            f"expected {kind} version {version}")
    start = _aligned(body + length)
    arrays: dict[str, np.ndarray] = {}
    crc = 0
    for entry in header["arrays"]:
        dtype = np.dtype(entry["dtype"])
        shape = tuple(entry["shape"])
        offset = start + entry["offset"]
        if offset + entry["nbytes"] > size or int(np.prod(shape)) * dtype.itemsize != entry["nbytes"]:
            raise SnapshotError(f"{path.name}: cut short (array {entry['name']})")
        if entry["nbytes"] == 0:
            arrays[entry["name"]] = np.zeros(shape, dtype)
            continue
        array = np.frombuffer(mapping, dtype=dtype, count=int(np.prod(shape)), offset=offset).reshape(shape)
        if verify:
            crc = _crc(array, crc)
        arrays[entry["name"]] = array
    if verify and crc != header["data_crc"]:
        raise SnapshotError(f"{path.name}: the data checksum does not match (a damaged file)")
    if verify:
        try:
            _stamp(path, status, header)
        except OSError:
            pass  # a read-only folder: the next reader checks again
    return Snapshot(path, kind, version, header["meta"], arrays, size, stamped)


# --- helpers for the arrays caches are made of ---------------------------------------------


def pack_strings(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Strings as one UTF-8 blob (uint8) and offsets (int64, len + 1)."""
    encoded = [s.encode() for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    if encoded:
        np.cumsum(np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets


def unpack_string(blob: np.ndarray, offsets: np.ndarray, index: int) -> str:
    return blob[offsets[index] : offsets[index + 1]].tobytes().decode()


def unpack_strings(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    data = blob.tobytes()
    bounds = offsets.tolist()
    return [data[bounds[i] : bounds[i + 1]].decode() for i in range(len(bounds) - 1)]
