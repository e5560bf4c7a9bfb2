"""The snapshot file format: arrays and metadata back as written, mapped (not copied);
a damaged, cut or foreign file is refused with the reason, never read as data."""

import numpy as np
import pytest

from matchmaker import snapshot
from matchmaker.snapshot import SnapshotError


def _arrays():
    return {"ids": np.arange(1, 1001, dtype=np.int64), "flags": np.arange(1000) % 3 == 0,
            "empty": np.zeros(0, dtype=np.int32), "empty_rows": np.zeros((0, 3), dtype=np.int32), "grid": np.arange(12, dtype=np.int32).reshape(3, 4),
            "text": np.frombuffer("光伏电站 solar".encode(), dtype=np.uint8)}


def test_arrays_and_metadata_come_back_mapped(tmp_path):
    path = tmp_path / "cache.snapshot"
    size = snapshot.write(path, "demo", 3, _arrays(), {"generation": 7, "note": "贵阳"})
    assert path.stat().st_size == size
    # no temporary file left behind; the stamp says every byte written was checksummed
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache.snapshot.checked", "cache.snapshot"]
    found = snapshot.read(path, "demo", 3)
    assert found.meta == {"generation": 7, "note": "贵阳"}
    for name, array in _arrays().items():
        assert found.arrays[name].dtype == array.dtype and np.array_equal(found.arrays[name], array), name
    assert not found.arrays["ids"].flags.owndata  # a view of the mapping, not a copy
    # the mapping is private: writing a cell changes this process's view only
    found.arrays["ids"][0] = -1
    assert snapshot.read(path, "demo", 3).arrays["ids"][0] == 1


def test_a_damaged_byte_fails_the_checksum(tmp_path):
    path = tmp_path / "cache.snapshot"
    snapshot.write(path, "demo", 1, _arrays(), {})
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF  # inside the last array
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match="checksum"):
        snapshot.read(path, "demo", 1)


def _rewritten(path, change):
    """The file rewritten in place (same inode, same size) with `change` applied."""
    data = bytearray(path.read_bytes())
    change(data)
    with open(path, "r+b") as out:
        out.write(bytes(data))


def test_a_file_checked_whole_is_not_checked_again_until_it_changes(tmp_path, monkeypatch):
    path = tmp_path / "cache.snapshot"
    snapshot.write(path, "demo", 1, _arrays(), {})
    passes = []
    crc = snapshot._crc
    monkeypatch.setattr(snapshot, "_crc", lambda *args: passes.append(1) or crc(*args))
    found = snapshot.read(path, "demo", 1)
    assert found.stamped and not passes  # the writer stamped it: no pass over the data
    assert np.array_equal(found.arrays["ids"], _arrays()["ids"])
    # a byte damaged through the file system (same inode, same size, modified now): the
    # stamp no longer matches, every byte is checked, the file is refused
    _rewritten(path, lambda data: data.__setitem__(-5, data[-5] ^ 0xFF))
    with pytest.raises(SnapshotError, match="checksum"):
        snapshot.read(path, "demo", 1)
    assert passes


def test_a_reader_stamps_a_settled_file_it_checked_whole(tmp_path):
    path = tmp_path / "cache.snapshot"
    snapshot.write(path, "demo", 1, _arrays(), {})
    stamp = tmp_path / ".cache.snapshot.checked"
    stamp.unlink()
    found = snapshot.read(path, "demo", 1)
    assert not found.stamped and stamp.exists()  # checked whole, then stamped
    assert snapshot.read(path, "demo", 1).stamped
    # a file modified just now is checked but not stamped (a later write within the
    # clock's resolution could not be told apart)
    _rewritten(path, lambda data: None)
    stamp.unlink()
    assert not snapshot.read(path, "demo", 1).stamped and not stamp.exists()


def test_a_stamp_of_another_file_is_not_trusted(tmp_path):
    first, second = tmp_path / "a.snapshot", tmp_path / "b.snapshot"
    snapshot.write(first, "demo", 1, _arrays(), {})
    snapshot.write(second, "demo", 1, _arrays(), {"other": True})
    (tmp_path / ".b.snapshot.checked").write_text((tmp_path / ".a.snapshot.checked").read_text())
    assert not snapshot.read(second, "demo", 1).stamped


@pytest.mark.parametrize("kind, version, reason", [("demo", 2, "version 1"), ("other", 1, "a demo snapshot")])
def test_another_kind_or_version_is_refused(tmp_path, kind, version, reason):
    path = tmp_path / "cache.snapshot"
    snapshot.write(path, "demo", 1, _arrays(), {})
    with pytest.raises(SnapshotError, match=reason):
        snapshot.read(path, kind, version)


def test_cut_short_missing_or_foreign_files_are_refused(tmp_path):
    path = tmp_path / "cache.snapshot"
    snapshot.write(path, "demo", 1, _arrays(), {})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SnapshotError, match="cut short|checksum"):
        snapshot.read(path, "demo", 1)
    path.write_bytes(b"PK\x03\x04 not a snapshot at all")
    with pytest.raises(SnapshotError, match="not a matchmaker snapshot"):
        snapshot.read(path, "demo", 1)
    path.write_bytes(data[:30])
    with pytest.raises(SnapshotError):
        snapshot.read(path, "demo", 1)
    with pytest.raises(SnapshotError, match="no snapshot"):
        snapshot.read(tmp_path / "missing.snapshot", "demo", 1)


def test_python_objects_are_not_written(tmp_path):
    with pytest.raises(TypeError):
        snapshot.write(tmp_path / "x.snapshot", "demo", 1, {"names": np.array(["a", None], dtype=object)}, {})


def test_strings_pack_into_a_blob_and_offsets():
    blob, offsets = snapshot.pack_strings(["光伏", "", "solar pv"])
    assert snapshot.unpack_strings(blob, offsets) == ["光伏", "", "solar pv"]
    assert snapshot.unpack_string(blob, offsets, 2) == "solar pv"
