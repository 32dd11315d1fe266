"""A photo rejected with Retake stays rejected: it leaves the record (row, audited, then file),
so resuming the draft does not bring it back as taken; and the records stay sound."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from app.commands.records import _check_report
from app.gateway_store import StoreGateway
from app.pages.capture_logic import CaptureSession
from app.records import Store
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient
from models.labels import EXPRESSIONS
from tests.records.records_helpers import tiny_png


def _frame(value: int) -> np.ndarray:
    rng = np.random.default_rng(value)
    return rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)


def _clean(store: Store) -> None:
    report = _check_report(store)
    assert report["database_problems"] == [] and report["file_problems"] == [], report
    assert [p for p in store.unrecorded_files() if p.is_problem] == []


def test_withdraw_capture_deletes_the_row_audited_then_the_file(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("P1", name="Ada")
        aid = store.start_assessment("P1").id
        store.save_capture(aid, "rest", tiny_png(1))
        kept = store.save_capture(aid, "close_eyes", tiny_png(2))
        path = store.capture_path(kept)
        assert store.withdraw_capture(aid, "close_eyes", actor="gui") is True
        assert [c.expression for c in store.captures(aid)] == ["rest"]
        assert not path.exists()
        (entry,) = [e for e in store.audit_trail("capture", aid) if e.field == "close_eyes"]
        assert (entry.old_value, entry.new_value, entry.reason) == (kept.sha256, None, "retake")
        assert store.withdraw_capture(aid, "close_eyes", actor="gui") is False  # nothing left to withdraw
        _clean(store)
        # the draft takes the expression again, and is analysed and confirmed as usual
        store.save_capture(aid, "close_eyes", tiny_png(2))  # the same photo: the same file name
        store.record_results(aid, {"grade": "II"}, model_grade="II")
        store.confirm_grade(aid, "II", "Dr Test")
        _clean(store)
        folder = export_patient(store, "P1", tmp_path / "out")
    with Store.open(tmp_path / "station2") as target:
        import_patient(target, folder)
        _clean(target)
        assert target.record_problems() == []


def test_a_crash_after_the_row_is_deleted_leaves_a_file_recovery_moves_aside(tmp_path: Path, monkeypatch) -> None:
    # the row goes first: a crash before the file is deleted leaves an unrecorded file (moved
    # aside at the next open), never a row whose photo is gone
    from app.records import store_files

    with Store.open(tmp_path / "data") as store:
        store.create_patient("P1", name="Ada")
        aid = store.start_assessment("P1").id
        path = store.capture_path(store.save_capture(aid, "rest", tiny_png(1)))
        monkeypatch.setattr(store_files, "remove_file", lambda p: False)  # "crashed" before the unlink
        store.withdraw_capture(aid, "rest", actor="gui")
        assert path.exists() and store.captures(aid) == []
        assert store.verify_files() == []  # no row without its file
    monkeypatch.undo()
    os.utime(path, (path.stat().st_atime - 2 * 86400,) * 2)  # a young file may be a save in progress
    with Store.open(tmp_path / "data") as store:
        assert not path.exists()  # moved aside by crash recovery
        assert [p.name for _, p in store.recovery.recovered_orphans] == [path.name]
        assert store.record_problems() == [] and store.verify_files() == []


def test_retake_withdraws_the_photo_so_a_resumed_draft_lacks_it(tmp_path: Path) -> None:
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    try:
        gateway.store.create_patient("P1", name="Ada")
        aid = gateway.start_assessment("P1")
        with ThreadPoolExecutor(max_workers=1) as pool:
            session = CaptureSession(aid, gateway, submit=pool.submit)
            for i in range(len(EXPRESSIONS)):
                session.capture(_frame(i))
            session.retake("wrinkle_nose")
            assert session.wait_for_saves(10.0) == [] and not session.busy
            assert session.take_withdraw_failures() == []
        assert sorted(gateway.assessment(aid).captures) == sorted(set(EXPRESSIONS) - {"wrinkle_nose"})
    finally:
        gateway.close()


def test_a_retake_while_the_photo_is_still_being_saved_waits_for_that_save(tmp_path: Path) -> None:
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    release = threading.Event()
    original = gateway.save_capture

    def slow_save(*args: object) -> object:
        release.wait(10.0)
        return original(*args)

    gateway.save_capture = slow_save  # type: ignore[method-assign]
    try:
        gateway.store.create_patient("P1", name="Ada")
        aid = gateway.start_assessment("P1")
        with ThreadPoolExecutor(max_workers=1) as pool:
            session = CaptureSession(aid, gateway, submit=pool.submit)
            session.capture(_frame(1))  # rest: still being written
            assert session.saving("rest")
            session.retake("rest")  # rejected before its save finished
            release.set()
            assert session.wait_for_saves(10.0) == []
            assert "rest" not in session.photos and not session.busy
        assert gateway.assessment(aid).captures == {}  # the save ran first, then its withdrawal
        assert gateway.store.record_problems() == []
    finally:
        gateway.close()
