"""A data folder moved, deleted or upgraded by another program while the store has it open:
the next write fails with a clear StorageError instead of being lost; opening an up-to-date
store does not wait for another program's write lock."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from app.records import StorageError, Store
from app.records.migrations import LATEST_VERSION
from tests.records.records_helpers import tiny_png


@pytest.mark.parametrize("how", ["moved", "deleted"])
def test_a_write_after_the_folder_went_fails_and_recreates_nothing(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "Clinic data"
    store = Store.open(folder)
    try:
        store.create_patient("MRN-1", name="Ada Lovelace")
        aid = store.start_assessment("MRN-1").id
        store.save_capture(aid, "rest", tiny_png(1))
        if how == "moved":
            folder.rename(tmp_path / "elsewhere")
        else:
            shutil.rmtree(folder)
        with pytest.raises(StorageError, match="was moved or deleted while Palsy Grader had it open"):
            store.create_patient("MRN-2", name="Grace Hopper")
        with pytest.raises(StorageError, match="was moved or deleted"):
            store.save_capture(aid, "close_eyes", tiny_png(2))
        assert not folder.exists()  # no photo tree re-created without its database
    finally:
        store.close()
    if how == "moved":  # what was saved before the move is all there, nothing after it
        with Store.open(tmp_path / "elsewhere") as moved:
            assert [p.patient_id for p in moved.search_patients("")] == ["MRN-1"]
            assert [c.expression for c in moved.captures(aid)] == ["rest"]


def test_a_write_after_another_program_upgraded_the_schema_is_refused(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("MRN-1")
        other = sqlite3.connect(tmp_path / "data" / "palsy.db")
        other.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
        other.close()
        with pytest.raises(StorageError, match=rf"upgraded by a newer Palsy Grader \(records schema version {LATEST_VERSION + 1}"):
            store.create_patient("MRN-2", name="Élodie Durand")
        assert [p.patient_id for p in store.search_patients("")] == ["MRN-1"]  # reading goes on


def test_opening_an_up_to_date_store_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    Store.open(tmp_path / "data").close()
    writer = sqlite3.connect(tmp_path / "data" / "palsy.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another program in the middle of a long write
    try:
        started = time.monotonic()
        with Store.open(tmp_path / "data", recover_files=False) as store:
            assert store.count_patients() == 0
        assert time.monotonic() - started < 5  # the busy timeout is 10 s
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_name_an_older_release_indexed_with_accents_is_still_found_as_typed(tmp_path: Path) -> None:
    """A release from before schema step 4, open while another station upgraded the folder,
    stores accented terms (it has no guard). Typing the name with its accents finds it."""
    with Store.open(tmp_path / "data") as store:
        store.create_patient("OLD-W", name="Élodie Durand")
        conn = store.db.connection()
        conn.execute("DELETE FROM patient_terms")
        conn.executemany("INSERT INTO patient_terms(term, patient_ref) VALUES (?, 1)",
                         [("élodie durand",), ("élodie",), ("durand",)])
        assert [p.patient_id for p in store.search_patients("Élodie")] == ["OLD-W"]
        assert [p.patient_id for p in store.search_patients("durand")] == ["OLD-W"]
