"""Fixtures for the record store tests: real SQLite files in temporary folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.records import Store
from app.records.export_folder import export_patient
from tests.records.records_helpers import tiny_png


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture
def patient_with_draft(store: Store) -> tuple[Store, int]:
    """A store with patient MRN-7 and a draft assessment holding `rest` and `close_eyes`."""
    store.create_patient("MRN-7", name="Ada Lovelace", birth_date="1980-12-10", affected_side="left")
    aid = store.start_assessment("MRN-7").id
    store.save_capture(aid, "rest", tiny_png(1), {"sharpness": 0.9})
    store.save_capture(aid, "close_eyes", tiny_png(2), {"sharpness": 0.8})
    return store, aid


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    """An export of one confirmed assessment with two photos and a report."""
    with Store.open(tmp_path / "source") as source:
        source.create_patient("IMP-1", name="Otto Lilienthal", actor="nurse")
        aid = source.start_assessment("IMP-1", actor="nurse").id
        source.save_capture(aid, "rest", tiny_png(1))
        source.save_capture(aid, "close_eyes", tiny_png(2))
        source.record_results(aid, {"grade": "II"}, model_grade="II")
        source.confirm_grade(aid, "II", "Dr Kim")
        source.save_report(aid, b"%PDF-1.4 report")
        return export_patient(source, "IMP-1", tmp_path / "usb")
