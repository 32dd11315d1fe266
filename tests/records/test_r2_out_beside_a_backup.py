"""Review r2 D5: a backup made onto an empty USB stick puts palsy.db at the stick's root, and
every later `palsy demo/assess --out /stick/results` was refused as "inside the data folder",
while `records export --out /stick/exports` was accepted. A folder of its own beside a records
database is neither walked by `records check` nor moved at the next start (only the folder
itself, photos/ and reports/ are), so it is allowed; the records' own places, and anywhere in
the data folder the window opens, are still refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.report.outputs import check_writable
from models.errors import InputError
from tests.records.records_helpers import tiny_png


@pytest.fixture
def stick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A backup at the root of a USB stick, taken of the data folder PALSY_HOME names."""
    home = tmp_path / "home"
    monkeypatch.setenv("PALSY_HOME", str(home))
    with Store.open(home) as store:
        store.create_patient("P1")
        store.save_capture(store.start_assessment("P1").id, "rest", tiny_png(1))
    usb = tmp_path / "usb"
    usb.mkdir()
    assert main(["records", "backup", "--out", str(usb)]) == 0
    assert (usb / "palsy.db").is_file()
    return usb


def test_results_beside_a_backup_are_written(stick: Path) -> None:
    assert check_writable(stick / "clinic-results") == stick / "clinic-results"
    assert main(["records", "export", "P1", "--out", str(stick / "exports")]) == 0  # as export: both allowed


@pytest.mark.parametrize("inside", [".", "photos/demo", "reports"])
def test_the_records_own_places_are_still_refused(stick: Path, inside: str) -> None:
    with pytest.raises(InputError, match="inside the data folder"):
        check_writable(stick / inside)


def test_anywhere_in_the_default_data_folder_is_still_refused(stick: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"inside the data folder {tmp_path / 'home'}"):
        check_writable(tmp_path / "home" / "clinic-results")
