"""Atomic writes, read-back verification and checksummed reads (app/records/files.py)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from app.records import files
from app.records.errors import ChecksumError, StorageError
from app.records.files import atomic_write, read_verified, sha256_bytes, temp_owner_pid
from tests.records.records_helpers import temp_files


def test_atomic_write_writes_private_file_and_returns_sha(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    digest = atomic_write(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert digest == sha256_bytes(b"hello")
    assert target.stat().st_mode & 0o777 == 0o600
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_disk_full_keeps_previous_content_and_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    target = tmp_path / "a.bin"
    atomic_write(target, b"old content")

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, failing, full)
    with pytest.raises(StorageError, match="disk is full"):
        atomic_write(target, b"new content" * 1000)
    monkeypatch.undo()
    assert target.read_bytes() == b"old content"
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_read_only_folder_is_a_clear_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    real_open = os.open

    def refuse(path: object, flags: int, *args: object) -> int:
        if flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(files.os, "open", refuse)
    with pytest.raises(StorageError, match="read-only or not writable"):
        atomic_write(tmp_path / "b.bin", b"x")
    assert not (tmp_path / "b.bin").exists()


def test_read_back_mismatch_is_reported_and_bad_file_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "c.bin"
    real_fsync_dir = files.fsync_dir

    def flip_a_bit(folder: Path) -> None:  # a failing disk: what lands differs from what was sent
        data = bytearray(target.read_bytes())
        data[0] ^= 0x01
        target.write_bytes(bytes(data))
        real_fsync_dir(folder)

    monkeypatch.setattr(files, "fsync_dir", flip_a_bit)
    with pytest.raises(ChecksumError, match="did not read back"):
        atomic_write(target, b"payload")
    assert not target.exists()


def test_read_verified_detects_corruption_and_missing(tmp_path: Path) -> None:
    target = tmp_path / "d.bin"
    digest = atomic_write(target, b"abcdef")
    assert read_verified(target, digest) == b"abcdef"
    target.write_bytes(b"abcdeF")
    with pytest.raises(ChecksumError, match="damaged"):
        read_verified(target, digest)
    target.unlink()
    with pytest.raises(StorageError, match="missing"):
        read_verified(target, digest)


def test_temp_names_carry_the_writer_pid(tmp_path: Path) -> None:
    temp = files.temp_path_for(tmp_path / "photo.png")
    assert temp.parent == tmp_path and temp.name.startswith(".photo.png")
    assert temp_owner_pid(temp) == os.getpid()
    assert temp_owner_pid(tmp_path / "photo.png") is None
