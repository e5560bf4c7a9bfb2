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
"""

from __future__ import annotations

import json
import mmap
import os
import struct
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
    return start + offset


def read(path: str | os.PathLike, kind: str, version: int, *, verify: bool = True) -> Snapshot:
    """Map the snapshot at `path`: its arrays are views of one private (copy-on-write)
    mapping of the file. Raises SnapshotError when it is missing, damaged or of another
    version - the caller then rebuilds."""
    path = Path(path)
    try:
        with open(path, "rb") as source:
            size = os.fstat(source.fileno()).st_size
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
    return Snapshot(path, kind, version, header["meta"], arrays, size)


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
