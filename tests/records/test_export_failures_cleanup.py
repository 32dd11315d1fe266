"""A records export that fails leaves no empty destination folder behind; a photo withdrawn
while its patient is exported is left out rather than stopping the export."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from app.records import StorageError, Store, export_folder
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from tests.records.records_helpers import tiny_png


def _draft(store: Store) -> int:
    store.create_patient("WD-1", name="Ada Withdrawn")
    aid = store.start_assessment("WD-1").id
    store.save_capture(aid, "rest", tiny_png(1))
    store.save_capture(aid, "close_eyes", tiny_png(2))
    return aid


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    real = export_folder.atomic_write

    def full(path: Path, data: bytes, *args: object, **kwargs: object) -> None:
        if path.name == MANIFEST:  # the photos went in; the disk filled at the last file
            raise StorageError("cannot write") from OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data, *args, **kwargs)

    monkeypatch.setattr(export_folder, "atomic_write", full)


def test_a_full_disk_leaves_no_empty_destination_folder(store: Store, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # `palsy records export ... --out full/exp` on a full disk left an empty full/exp
    _draft(store)
    _disk_full(monkeypatch)
    with pytest.raises(StorageError, match="the disk is full"):
        export_patient(store, "WD-1", tmp_path / "usb" / "exports")
    assert not (tmp_path / "usb").exists()  # both folders it made are gone


def test_a_destination_that_was_there_stays(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _draft(store)
    given = tmp_path / "usb"
    given.mkdir()
    (given / "other.txt").write_text("the clinic's own file")
    _disk_full(monkeypatch)
    with pytest.raises(StorageError):
        export_patient(store, "WD-1", given)
    assert sorted(p.name for p in given.iterdir()) == ["other.txt"]


def test_a_photo_withdrawn_during_the_export_is_left_out(store: Store, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Retake on a draft (Store.withdraw_capture) while the patient was exported stopped it with a read error
    aid = _draft(store)
    listed = store.get_capture(aid, "rest")
    real = export_folder.read_verified
    withdrawn: list[bool] = []

    def withdraw_first(path: Path, sha256: str, *args: object) -> bytes:
        if not withdrawn and sha256 == listed.sha256:  # the export listed the rows; the station withdraws now
            with Store.open(store.root, recover_files=False) as station:
                station.withdraw_capture(aid, "rest")
            withdrawn.append(True)
        return real(path, sha256, *args)

    monkeypatch.setattr(export_folder, "read_verified", withdraw_first)
    folder = export_patient(store, "WD-1", tmp_path / "usb")
    assert withdrawn
    [item] = json.loads((folder / MANIFEST).read_text())["assessments"]
    assert [c["expression"] for c in item["captures"]] == ["close_eyes"]
    assert sorted(p.name for p in (folder / "photos").iterdir()) == [Path(item["captures"][0]["file"]).name]
