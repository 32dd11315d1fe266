"""An export while a capture station retakes a photo of the patient exports the photo the row
names when it is read, with a manifest that matches the files written."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from app.records import StorageError, Store, export_folder
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from tests.records.records_helpers import tiny_png


def _draft(store: Store) -> int:
    store.create_patient("RETAKE-1", name="Ada Retake")
    aid = store.start_assessment("RETAKE-1").id
    store.save_capture(aid, "rest", tiny_png(1))
    store.save_capture(aid, "close_eyes", tiny_png(2))
    return aid


def test_a_retake_during_the_export_does_not_fail_it(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    aid = _draft(store)
    old = store.get_capture(aid, "rest")
    real = export_folder.read_verified
    retaken: list[str] = []

    def retake_first(path: Path, sha256: str, *args: object) -> bytes:
        if not retaken and sha256 == old.sha256:  # the export listed the rows; a station retakes now
            with Store.open(store.root, recover_files=False) as station:
                retaken.append(station.save_capture(aid, "rest", tiny_png(3), {"sharpness": 0.7}).sha256)
            assert not path.exists()  # the retake deleted the listed file
        return real(path, sha256, *args)

    monkeypatch.setattr(export_folder, "read_verified", retake_first)
    folder = export_patient(store, "RETAKE-1", tmp_path / "usb")
    [item] = json.loads((folder / MANIFEST).read_text())["assessments"]
    rest = next(c for c in item["captures"] if c["expression"] == "rest")
    exported = (folder / rest["file"]).read_bytes()
    assert rest["sha256"] == retaken[0] == hashlib.sha256(exported).hexdigest() != old.sha256
    assert exported == tiny_png(3) and rest["quality"] == {"sharpness": 0.7}
    assert sorted(p.name for p in (folder / "photos").iterdir()) == sorted(Path(c["file"]).name for c in item["captures"])


def test_a_photo_missing_without_a_retake_still_stops_the_export(store: Store, tmp_path: Path) -> None:
    aid = _draft(store)
    store.capture_path(store.get_capture(aid, "rest")).unlink()
    with pytest.raises(StorageError, match="is missing from the data folder"):
        export_patient(store, "RETAKE-1", tmp_path / "usb")
    assert not (tmp_path / "usb").exists()  # the folder the export made is removed with it
