"""Upgrading an older database keeps every row; steps are ordered and transactional."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.records import Store
from app.records.files import atomic_write
from app.records.migrations import LATEST_VERSION, MIGRATIONS, migrate, schema_version
from tests.records.records_helpers import tiny_png


def _build_v1(folder: Path) -> None:
    """A version-1 database as the first release wrote it, with one photo on disk."""
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    assert migrate(conn, target=1) == [1]
    t = "2024-05-01T10:00:00.000+00:00"
    conn.execute(
        "INSERT INTO patients(id, patient_id, id_key, name, birth_date, sex, affected_side, notes, created_at, updated_at)"
        " VALUES (1, 'OLD-1', 'old-1', 'Florence Nightingale', '1920-05-12', 'female', 'left', 'n1', ?, ?)", (t, t))
    conn.execute(
        "INSERT INTO patients(id, patient_id, id_key, name, created_at, updated_at) VALUES (2, 'OLD-2', 'old-2', 'Mary Seacole', ?, ?)",
        (t, t))
    conn.execute(
        "INSERT INTO assessments(id, patient_ref, status, model_grade, confirmed_grade, clinician, notes, result_json, created_at, updated_at)"
        " VALUES (1, 1, 'confirmed', 'II', 'III', 'Dr Old', 'note', '{\"grade\": \"II\"}', ?, ?)", (t, t))
    conn.execute("INSERT INTO assessments(id, patient_ref, status, created_at, updated_at) VALUES (2, 1, 'draft', ?, ?)", (t, t))
    (folder / "photos" / "000002").mkdir(parents=True)
    digest = atomic_write(folder / "photos" / "000002" / "000002_rest_old.png", tiny_png(9))
    conn.execute(
        "INSERT INTO captures(assessment_id, expression, file_name, sha256, quality_json, captured_at)"
        " VALUES (2, 'rest', 'photos/000002/000002_rest_old.png', ?, '{\"sharpness\": 0.5}', ?)", (digest, t))
    conn.execute(
        "INSERT INTO audit(at, actor, entity, entity_id, field, old_value, new_value, reason)"
        " VALUES (?, 'Dr Old', 'assessment', '1', 'confirmed_grade', NULL, 'III', 'override of model grade II')", (t,))
    assert schema_version(conn) == 1
    conn.close()


def test_versions_are_ordered_from_one() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))


def test_upgrade_from_version_1_keeps_all_data(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _build_v1(folder)
    with Store.open(folder) as store:
        assert schema_version(store.db.connection()) == LATEST_VERSION
        applied = [r[0] for r in store.db.query("SELECT version FROM schema_migrations ORDER BY version")]
        assert applied == list(range(1, LATEST_VERSION + 1))
        p = store.get_patient("old-1")
        assert (p.name, p.birth_date, p.sex, p.affected_side, p.notes) == (
            "Florence Nightingale", "1920-05-12", "female", "left", "n1")
        # v2 built the name index from existing names.
        assert [x.patient_id for x in store.search_patients("seac")] == ["OLD-2"]
        assert [x.patient_id for x in store.search_patients("florence n")] == ["OLD-1"]
        first, second = store.history("OLD-1")
        assert (first.status, first.model_grade, first.confirmed_grade, first.clinician, first.notes) == (
            "confirmed", "II", "III", "Dr Old", "note")
        assert first.result == {"grade": "II"} and first.measured_grade is None
        [draft] = store.unfinished_assessments()
        assert draft.assessment.id == second.id == 2
        assert store.load_capture(2, "rest") == tiny_png(9)
        assert draft.captures[0].quality == {"sharpness": 0.5}
        [entry] = store.audit_trail("assessment", 1)
        assert (entry.actor, entry.new_value, entry.reason) == ("Dr Old", "III", "override of model grade II")
        assert store.integrity_problems() == []
        # v3 features work on the upgraded data.
        store.discard_assessment(2, actor="nurse")
        with pytest.raises(sqlite3.IntegrityError):
            store.db.connection().execute("DELETE FROM audit")
    backup = sqlite3.connect(folder / "palsy.db.v1.bak")
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT COUNT(*) FROM patients").fetchone()[0] == 2
    backup.close()


def test_a_failing_step_leaves_the_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    _build_v1(folder)
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    migrate(conn, target=2)

    def broken(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE half_done(x)")
        raise RuntimeError("power cut")

    from app.records import migrations

    steps = list(migrations.MIGRATIONS)
    steps[2] = migrations.Migration(3, "broken", broken, foreign_keys_off=True)
    monkeypatch.setattr(migrations, "MIGRATIONS", tuple(steps))
    with pytest.raises(RuntimeError, match="power cut"):
        migrations.migrate(conn)
    assert schema_version(conn) == 2
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchone() is None
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()
    monkeypatch.undo()
    with Store.open(folder) as store:
        assert store.count_patients() == 2
