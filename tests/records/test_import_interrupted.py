"""Ctrl-C during `palsy records import` leaves the data folder as it was: no temporary file and
no photo that no row names (either failed `records check` until the next start moved it to
`recovered/`), and an identical file the import reused stays."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.records import Store, files
from app.records.export_folder import export_patient
from app.records.files import atomic_write
from app.records.import_folder import import_patient
from tests.records.records_helpers import temp_files, tiny_png


def _export(tmp_path: Path) -> Path:
    """An export of patient CTRL-1: a confirmed assessment of three photos and a report."""
    with Store.open(tmp_path / "source") as source:
        source.create_patient("CTRL-1", name="Ada Ctrl")
        aid = source.start_assessment("CTRL-1").id
        for i, expression in enumerate(("rest", "close_eyes", "open_mouth")):
            source.save_capture(aid, expression, tiny_png(40 + i))
        source.record_results(aid, {"grade": "II"}, model_grade="II")
        source.confirm_grade(aid, "II", "Dr Kim")
        source.save_report(aid, b"%PDF-1.4 ctrl")
        return export_patient(source, "CTRL-1", tmp_path / "usb")


def _files(data: Path) -> set[Path]:
    return {p for part in ("photos", "reports") for p in (data / part).rglob("*") if p.is_file()}


def _ctrl_c_in_the_write_of_file(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """Ctrl-C while the import's file `number` (1, 2, ...) is fsynced, before its rename."""
    real = files.fsync_file
    calls: list[int] = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == number:
            raise KeyboardInterrupt
        real(fd)

    monkeypatch.setattr(files, "fsync_file", fsync)


def _ctrl_c_in_the_read_back_of(monkeypatch: pytest.MonkeyPatch, part: str) -> None:
    """Ctrl-C while the file whose path holds `part` is read back, after its rename."""
    real = files.sha256_file

    def digest(path: Path) -> str:
        if part in str(path):
            raise KeyboardInterrupt
        return real(path)

    monkeypatch.setattr(files, "sha256_file", digest)


def _import_interrupted(data: Path, folder: Path) -> None:
    with Store.open(data) as target:
        with pytest.raises(KeyboardInterrupt):
            import_patient(target, folder)
        assert target.count_patients() == 0 and target.audit_trail() == []
        assert target.unrecorded_files() == [] and temp_files(data) == []


def test_ctrl_c_while_a_photo_is_written_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _export(tmp_path)
    _ctrl_c_in_the_write_of_file(monkeypatch, 2)
    _import_interrupted(tmp_path / "station2", folder)
    assert _files(tmp_path / "station2") == set()


def test_ctrl_c_while_a_photo_is_read_back_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _export(tmp_path)
    _ctrl_c_in_the_read_back_of(monkeypatch, "close_eyes")
    _import_interrupted(tmp_path / "station2", folder)
    assert _files(tmp_path / "station2") == set()


def test_ctrl_c_keeps_an_identical_file_the_import_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A data folder that lost its database still holds the photos: the import reuses them,
    and a Ctrl-C while it writes the report removes the report only."""
    folder = _export(tmp_path)
    data = tmp_path / "data"
    Store.open(data).close()  # a new, empty database (Store.open refuses to make one beside the files)
    shutil.copytree(tmp_path / "source" / "photos", data / "photos", dirs_exist_ok=True)
    before = {p: p.read_bytes() for p in _files(data)}
    assert len(before) == 3
    _ctrl_c_in_the_read_back_of(monkeypatch, "reports")
    with Store.open(data) as target:
        with pytest.raises(KeyboardInterrupt):
            import_patient(target, folder)
        assert target.count_patients() == 0 and temp_files(data) == []
    assert {p: p.read_bytes() for p in _files(data)} == before


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "photo.png"
    target.write_bytes(b"old")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "fsync_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new photo")
    assert list(tmp_path.iterdir()) == [target] and target.read_bytes() == b"old"
