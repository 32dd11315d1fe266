"""On Windows an antivirus or the search indexer opens a file just written for a moment, and a
rename then fails with "access denied". Every rename of files the program has just written
goes through `models.atomic_files` (`replace_file`, `rename_file`), which tries again: the
demo patient, `palsy assess`'s results and a backup into an existing folder once failed at
the first such hold (the self-test then blamed the folder's permissions)."""

from __future__ import annotations

import os
import types
from pathlib import Path

import pytest

import models.atomic_files as atomic_files
from app.records import Store
from app.records.backup import backup_data_folder
from models.pipeline.demo_patient import render_demo_patient


@pytest.fixture
def held_once(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Windows, as `models.atomic_files` sees it, where each rename fails once ("access
    denied") before it goes through; the names refused, in order."""
    monkeypatch.setattr(atomic_files, "sys", types.SimpleNamespace(platform="win32"))
    monkeypatch.setattr(atomic_files.time, "sleep", lambda _s: None)
    refused: list[str] = []
    for name in ("replace", "rename"):
        real = getattr(os, name)

        def held(source, target, _real=real):  # noqa: ANN001, ANN202 - os.replace's signature
            if str(source) not in refused:
                refused.append(str(source))
                raise PermissionError(13, "Access is denied", str(source))
            return _real(source, target)

        monkeypatch.setattr(os, name, held)
    return refused


def test_the_demo_patient_is_moved_in_after_a_hold(tmp_path: Path, held_once: list[str]) -> None:
    folder = render_demo_patient(tmp_path / "demo")
    assert sorted(p.name for p in folder.glob("*.png")) == sorted(
        f"{e}.png" for e in ("rest", "close_eyes", "raise_eyebrows", "open_mouth", "wrinkle_nose", "puff_cheeks"))
    assert held_once  # it was held, and went through


def test_a_backup_into_an_existing_folder_is_moved_up_after_a_hold(tmp_path: Path, held_once: list[str]) -> None:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("MRN-1", name="Ada Test")
        (tmp_path / "usb").mkdir()
        result = backup_data_folder(store, tmp_path / "usb")
    assert (tmp_path / "usb" / "palsy.db").is_file() and result.patients == 1
    assert any("palsy.db" in name for name in held_once)
