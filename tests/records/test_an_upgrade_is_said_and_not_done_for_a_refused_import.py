"""Upgrading an older release's data folder locks out the stations still on that release, so it
is said (with the copy kept of the old database) and never done by an import that is refused:
a mistyped export path or a patient the station has already upgraded the folder silently."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.migrations import LATEST_VERSION, SchemaUpgrade, migrate

T = "2024-05-01T10:00:00.000+00:00"


def _version_3_folder(folder: Path, patient_id: str = "OLD-1") -> Path:
    """A data folder as the release before step 4 wrote it, with one patient."""
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    assert migrate(conn, target=3) == [1, 2, 3]
    conn.execute("INSERT INTO patients(id, patient_id, id_key, name, created_at, updated_at)"
                 " VALUES (1, ?, ?, 'Mary Seacole', ?, ?)", (patient_id, patient_id.lower(), T, T))
    conn.close()
    return folder


def _version(folder: Path) -> int:
    conn = sqlite3.connect(f"file:{folder / 'palsy.db'}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_opening_an_older_folder_records_the_upgrade_and_its_copy(tmp_path: Path) -> None:
    folder = _version_3_folder(tmp_path / "data")
    with Store.open(folder) as store:
        assert store.upgrade == SchemaUpgrade(3, LATEST_VERSION, folder.resolve() / "palsy.db.v3.bak")
        assert store.upgrade.summary() == (
            f"The records were upgraded from database version 3 to {LATEST_VERSION}; the previous database is kept as "
            f"{folder.resolve() / 'palsy.db.v3.bak'}. Earlier releases of Palsy Grader can no longer open this "
            "data folder.")
    with Store.open(folder) as again, Store.open(tmp_path / "new") as fresh:
        assert again.upgrade is None and fresh.upgrade is None  # said once; a new folder is no upgrade


def test_a_mistyped_export_path_leaves_an_older_folder_as_it_was(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = _version_3_folder(tmp_path / "data")
    assert main(["records", "--data", str(folder), "import", str(tmp_path / "does-not-exist")]) == 2
    assert _version(folder) == 3 and not list(folder.glob("*.bak"))


def test_a_refused_import_leaves_an_older_folder_as_it_was(tmp_path: Path, exported: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder = _version_3_folder(tmp_path / "data", patient_id="IMP-1")
    assert main(["records", "--data", str(folder), "import", str(exported)]) == 2
    assert "IMP-1 already exists" in capsys.readouterr().err
    assert _version(folder) == 3 and not list(folder.glob("*.bak"))


def test_an_import_that_upgrades_says_so(tmp_path: Path, exported: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = _version_3_folder(tmp_path / "data")
    assert main(["records", "--data", str(folder), "import", str(exported)]) == 0
    out = capsys.readouterr()
    assert out.out == "imported patient IMP-1\n"
    assert f"The records were upgraded from database version 3 to {LATEST_VERSION}" in out.err
    assert "Earlier releases of Palsy Grader can no longer open this data folder." in out.err
    assert _version(folder) == LATEST_VERSION
