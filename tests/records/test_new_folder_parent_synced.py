"""An assessment's first photo (or report) makes its folder photos/NNNNNN/ (reports/NNNNNN/); the
new folder's entry in photos/ (reports/) is flushed before the row naming a file in it commits
(audit 16, a1 defect 4): on a file system that does not order a mkdir before later writes, a power
cut could lose the whole folder under a committed row. A save into an existing folder flushes no
folder above it (saves stay cheap)."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from app.records import Store
from app.records.paths import ensure_private_dir
from tests.records.records_helpers import tiny_png

# Windows flushes no folder (`fsync_dir` is a no-op there).
pytestmark = pytest.mark.skipif(os.name != "posix", reason="records os.fsync of folders as POSIX calls it")


def _identity(path_or_fd: Path | int) -> tuple[int, int]:
    st = os.fstat(path_or_fd) if isinstance(path_or_fd, int) else os.stat(path_or_fd)
    return st.st_dev, st.st_ino


def record_folder_flushes(monkeypatch: pytest.MonkeyPatch, db_path: Path | None = None) -> list[tuple[tuple[int, int], int]]:
    """From now on, each os.fsync of a folder as (its identity, the rows then committed in
    `db_path`'s captures and reports tables; 0 without `db_path`), in order."""
    flushed: list[tuple[tuple[int, int], int]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            flushed.append((_identity(fd), _committed_rows(db_path) if db_path else 0))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return flushed


def _committed_rows(db_path: Path) -> int:
    conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)  # another reader: sees committed rows only
    try:
        return conn.execute("SELECT (SELECT count(*) FROM captures) + (SELECT count(*) FROM reports)").fetchone()[0]
    finally:
        conn.close()


def test_an_assessments_first_photo_flushes_its_new_folder_into_photos_before_the_row(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.create_patient("MRN-1")
    aid = store.start_assessment("MRN-1").id
    photos = _identity(store.layout.photos_dir)
    flushed = record_folder_flushes(monkeypatch, store.layout.db_path)
    store.save_capture(aid, "rest", tiny_png(1))
    assert (photos, 0) in flushed  # photos/ flushed with the new NNNNNN/ in it, before the row committed
    flushed.clear()
    store.save_capture(aid, "close_eyes", tiny_png(2))  # its folder is there: photos/ is not flushed again
    store.save_capture(aid, "rest", tiny_png(3))  # a retake neither
    assert photos not in {folder for folder, _ in flushed}
    assert _identity(store.layout.resolve(f"photos/{aid:06d}")) in {folder for folder, _ in flushed}  # the files' own


def test_an_assessments_first_report_flushes_its_new_folder_into_reports_before_the_row(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.create_patient("MRN-2")
    aid = store.start_assessment("MRN-2").id
    store.save_capture(aid, "rest", tiny_png(1))
    store.record_results(aid, {"grade": "II"}, model_grade="II")
    store.confirm_grade(aid, "II", "Dr Kim")
    reports = _identity(store.layout.reports_dir)
    flushed = record_folder_flushes(monkeypatch, store.layout.db_path)
    store.save_report(aid, b"%PDF-1.4 first")
    assert (reports, 1) in flushed  # only the photo's row was there when reports/ was flushed
    flushed.clear()
    store.save_report(aid, b"%PDF-1.4 again")
    assert reports not in {folder for folder, _ in flushed}


def test_each_folder_made_is_flushed_into_its_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    flushed = record_folder_flushes(monkeypatch)
    ensure_private_dir(tmp_path / "a" / "b" / "c" / "d")
    folders = [folder for folder, _ in flushed]
    assert folders == [_identity(tmp_path / "a"), _identity(tmp_path / "a" / "b"), _identity(tmp_path / "a" / "b" / "c")]
    flushed.clear()
    ensure_private_dir(tmp_path / "a" / "b" / "c" / "d")  # there already: nothing flushed
    assert flushed == []


def test_crash_recovery_flushes_the_recovered_folders_it_makes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unrecorded photo left by a crash moves out of photos/ into recovered/photos/NNNNNN/:
    the folders that move makes are flushed into their parents too, or a power cut could lose
    the file with them."""
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("MRN-3")
        aid = store.start_assessment("MRN-3").id
        store.save_capture(aid, "rest", tiny_png(1))
    orphan = data / "photos" / f"{aid:06d}" / "left_by_a_crash.png"
    orphan.write_bytes(tiny_png(2))
    past = os.stat(orphan).st_mtime - 2 * 3600
    os.utime(orphan, (past, past))
    flushed = record_folder_flushes(monkeypatch)
    with Store.open(data) as store:
        moved = [target for _, target in store.recovery.recovered_orphans]
    assert moved == [data / "recovered" / "photos" / f"{aid:06d}" / orphan.name]
    folders = {folder for folder, _ in flushed}
    for parent in (data, data / "recovered", data / "recovered" / "photos"):
        assert _identity(parent) in folders, parent
