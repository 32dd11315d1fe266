"""Schema step 5 (audit F2): every stored ID key is recomputed with dashes as '-' and spacing
collapsed, and the name search terms with a dash as a word break. Two stored patients whose IDs
would then share one key are not merged: the upgrade is refused, naming both, before any step,
and the database stays as the earlier release wrote it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.records import StorageError, Store
from app.records.migrations import (
    LATEST_VERSION,
    lookalike_id_groups,
    migrate,
    records_read_as_latest,
    schema_version,
)
from app.records.reading import open_for_reading
from app.records.schema_check import schema_problems

T = "2024-05-01T10:00:00.000+00:00"
EN_DASH_ID = "MRN\u2013" "7"


def _old_key(patient_id: str) -> str:
    """`validate.id_key` as releases before step 5 computed it."""
    import unicodedata

    return unicodedata.normalize("NFKC", patient_id).casefold()


def _old_terms(name: str) -> set[str]:
    from app.records.validate import name_search_terms

    return name_search_terms(name, dashes_folded=False)


def _build(folder: Path, version: int, patients: list[tuple[str, str]]) -> None:
    """A database at schema `version` as the releases before step 5 wrote it: (ID, name) patients."""
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    migrate(conn, target=version)
    for ref, (pid, name) in enumerate(patients, start=1):
        conn.execute("INSERT INTO patients(id, patient_id, id_key, name, birth_date, created_at, updated_at)"
                     " VALUES (?, ?, ?, ?, '1970-01-31', ?, ?)", (ref, pid, _old_key(pid), name, T, T))
        if version >= 2:
            conn.executemany("INSERT INTO patient_terms(term, patient_ref) VALUES (?, ?)",
                             [(term, ref) for term in _old_terms(name)])
    assert schema_version(conn) == version
    conn.close()


def _rows(folder: Path) -> tuple[int, list[tuple[str, str]]]:
    conn = sqlite3.connect(f"{(folder / 'palsy.db').absolute().as_uri()}?mode=ro", uri=True)
    try:
        return schema_version(conn), conn.execute("SELECT patient_id, id_key FROM patients ORDER BY id").fetchall()
    finally:
        conn.close()


def test_the_upgrade_recomputes_the_keys_and_the_terms_and_keeps_a_copy(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _build(folder, 4, [(EN_DASH_ID, "Anne\u2013Marie Curie"), ("AB  12", "Ada Lovelace"), ("CD-3", "Mary Seacole")])
    with Store.open(folder) as store:
        conn = store.db.connection()
        assert schema_version(conn) == LATEST_VERSION == 5
        assert [tuple(r) for r in conn.execute("SELECT patient_id, id_key FROM patients ORDER BY id")] == [
            (EN_DASH_ID, "mrn-7"), ("AB  12", "ab 12"), ("CD-3", "cd-3")]
        assert store.get_patient("MRN-7").patient_id == EN_DASH_ID
        assert [p.patient_id for p in store.search_patients("mrn-")] == [EN_DASH_ID]
        assert [p.patient_id for p in store.search_patients("ab 12")] == ["AB  12"]
        assert [p.patient_id for p in store.search_patients("marie")] == [EN_DASH_ID]
        assert [p.patient_id for p in store.search_patients("anne-marie")] == [EN_DASH_ID]
        with pytest.raises(Exception, match="already exists"):
            store.create_patient("MRN-7")
        assert store.stale_search_terms() == []
        assert schema_problems(conn) == []
    assert _rows(folder)[0] == 5
    backup = sqlite3.connect(folder / "palsy.db.v4.bak")
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 4
    assert backup.execute("SELECT id_key FROM patients WHERE id = 1").fetchone()[0] == "mrn\u2013" "7"
    backup.close()


@pytest.mark.parametrize("version", [1, 3, 4])
def test_look_alike_ids_refuse_the_upgrade_naming_both_and_change_nothing(tmp_path: Path, version: int) -> None:
    folder = tmp_path / "data"
    patients = [("MRN-7", "Ada Lovelace"), (EN_DASH_ID, "Grace Hopper"), ("AB 12", "Mary Seacole"),
                ("AB  12", "Marie Curie"), ("CD-3", "Florence Nightingale")]
    _build(folder, version, patients)
    before = _rows(folder)
    with pytest.raises(StorageError) as err:
        Store.open(folder)
    message = str(err.value)
    assert "'MRN-7' and 'MRN\u20137' (U+2013 EN DASH)" in message
    assert "'AB 12' and 'AB  12' (2 spaces in a row)" in message
    assert "CD-3" not in message and "Lovelace" not in message  # IDs only: no names
    assert "nothing in it was changed" in message and "earlier version of Palsy Grader" in message
    assert _rows(folder) == before  # every step refused, not only step 5: the earlier release still opens it
    conn = sqlite3.connect(folder / "palsy.db")
    assert lookalike_id_groups(conn) == [["MRN-7", EN_DASH_ID], ["AB 12", "AB  12"]]
    conn.close()


def test_a_reading_command_refuses_such_a_folder_too(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _build(folder, 4, [("MRN-7", "Ada Lovelace"), (EN_DASH_ID, "Grace Hopper")])
    before = _rows(folder)
    with pytest.raises(StorageError, match="differ only in a dash") as err, open_for_reading(folder):
        pass
    assert str(err.value).startswith("this version of Palsy Grader cannot read ")
    assert _rows(folder) == before


def test_a_reading_command_finds_an_en_dash_id_of_a_version_4_folder_by_its_hyphen(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _build(folder, 4, [(EN_DASH_ID, "Grace Hopper")])
    assert not records_read_as_latest(4) and records_read_as_latest(5)
    with open_for_reading(folder) as store:
        assert store.get_patient("MRN-7").patient_id == EN_DASH_ID
    assert _rows(folder)[0] == 4  # read from an upgraded copy


def test_a_version_4_folder_s_terms_are_not_called_stale_before_the_upgrade(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _build(folder, 4, [("P-1", "Anne\u2013Marie Curie")])
    store = Store.open_existing(folder)
    try:
        assert store.stale_search_terms() == []
    finally:
        store.close()


def test_records_check_of_such_a_folder_says_why_the_upgrade_will_refuse_it(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _build(folder, 4, [("MRN-7", "Ada Lovelace"), (EN_DASH_ID, "Grace Hopper")])
    store = Store.open_existing(folder)  # as `records check` opens it: not upgraded
    try:
        problems = store.record_problems()
    finally:
        store.close()
    assert [p for p in problems if p.startswith("The database holds patient IDs that differ only in a dash")]
    assert _rows(folder)[0] == 4


def test_records_check_lists_ids_stored_under_another_key(tmp_path: Path) -> None:
    """Second review 2026-12-06: a folder written by a build whose folding differed (keys not what
    `validate.id_key` computes) opened the wrong patient, and `check` said nothing."""
    folder = tmp_path / "data"
    with Store.open(folder) as store:
        store.create_patient("MRN-7", name="Ada Lovelace")
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    conn.execute("INSERT INTO patients(patient_id, id_key, name, created_at, updated_at) VALUES (?, ?, '', ?, ?)",
                 ("MRN\u058a" "7", "mrn\u058a" "7", T, T))
    conn.close()
    store = Store.open_existing(folder)
    try:
        problems = store.record_problems()
    finally:
        store.close()
    assert [p for p in problems if p.startswith("1 patient ID(s) (MRN\u058a" "7) are stored under a search key")]
