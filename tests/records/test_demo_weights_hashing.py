"""`models.resources.is_demo_weights(path, None)` judges a weights file without hashing it when it
is larger than any checkpoint (`MAX_CHECKED_BYTES`, the rule Settings applies), and its verdict
on the shipped demo weights and on copies of them is unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import models.resources as resources
from models.resources import MAX_CHECKED_BYTES, is_demo_weights, sha256_of

SHIPPED = resources.default_weights_path()
needs_shipped = pytest.mark.skipif(not SHIPPED.is_file(), reason="the shipped demo weights are not in this checkout")


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as handle:  # sparse: no disk used
        handle.truncate(size)
    return path


def test_a_file_larger_than_any_checkpoint_is_judged_without_reading_it(tmp_path: Path, hashes: list[str]) -> None:
    huge = _sparse(tmp_path / "clinic.pt", MAX_CHECKED_BYTES + 1)
    assert not is_demo_weights(huge, None)
    assert not is_demo_weights(huge, "a" * 64)
    assert is_demo_weights(_sparse(tmp_path / "my_demo.pt", MAX_CHECKED_BYTES + 1), None)  # its name says demo
    assert hashes == []


def test_the_cap_is_settings_one_gib() -> None:
    assert MAX_CHECKED_BYTES == 1 << 30 and MAX_CHECKED_BYTES >= 351 * 2**20  # `paper` in fp32 fits


@needs_shipped
def test_the_shipped_weights_and_copies_of_them_are_still_demo(tmp_path: Path, hashes: list[str]) -> None:
    digest = sha256_of(SHIPPED)
    assert is_demo_weights(SHIPPED, None) and is_demo_weights(SHIPPED, digest)
    for name in ("clinic.pt", "weights.bin"):
        copy = Path(shutil.copyfile(SHIPPED, tmp_path / name))
        hashes.clear()
        assert is_demo_weights(copy, None)  # by its contents: read, as before
        assert hashes == [name]
        assert is_demo_weights(copy, digest) and is_demo_weights(copy, None)  # the digest cached
        assert hashes == [name]


@needs_shipped
def test_only_files_above_the_cap_go_unread(tmp_path: Path, hashes: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    copy = Path(shutil.copyfile(SHIPPED, tmp_path / "clinic.pt"))
    size = copy.stat().st_size
    monkeypatch.setattr(resources, "MAX_CHECKED_BYTES", size - 1)
    assert not is_demo_weights(copy, None) and hashes == []
    monkeypatch.setattr(resources, "MAX_CHECKED_BYTES", size)
    assert is_demo_weights(copy, None) and hashes == ["clinic.pt"]
