"""`palsy records export --out` inside the data folder is refused up front, as a backup's is
(exit 2, one line, nothing written): the export would lie among the records as files no row
names, which `records check` reports an hour later and the next start moves to recovered/. So
is `palsy assess --out` (and `palsy demo --out`, through the same results writer) inside the
default data folder or inside any folder holding a records database."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.records.export_format import MANIFEST
from app.report.outputs import check_writable
from models.errors import InputError
from tests.records.records_helpers import tiny_png


@pytest.fixture
def data(tmp_path: Path) -> Path:
    from app.records import Store

    with Store.open(tmp_path / "data") as store:
        store.create_patient("EXP-1")
        aid = store.start_assessment("EXP-1").id
        store.save_capture(aid, "rest", tiny_png(1))
        return store.root


def _files(folder: Path) -> list[str]:
    """What `folder` holds, SQLite's side files (-wal, -shm: any open makes them) aside."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.name.startswith("palsy.db-"))


@pytest.mark.parametrize("inside", ["photos/exp", "reports", "exports", "."])
def test_records_export_inside_the_data_folder_is_refused(
    data: Path, inside: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(data)
    out = data / inside
    capsys.readouterr()
    assert main(["records", "--data", str(data), "export", "EXP-1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out.resolve()} is inside the data folder {data}; give a folder outside it" in err
    assert _files(data) == before  # nothing made, not even the destination folder


def test_records_export_beside_the_data_folder_still_works(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = data.parent / "usb"
    assert main(["records", "--data", str(data), "export", "EXP-1", "--out", str(out)]) == 0
    assert (out / "EXP-1" / MANIFEST).is_file()


def test_assess_out_inside_a_data_folder_is_refused_before_any_work(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(data)
    out = data / "photos" / "demo"
    # refused before the photos are read or the network loaded: the patient folder need not exist
    assert main(["assess", str(data.parent / "no-such-patient"), "--out", str(out)]) == 2
    assert f"{out} is inside the data folder {data}; give a folder outside it" in capsys.readouterr().err
    assert _files(data) == before


def test_results_inside_the_default_data_folder_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"  # PALSY_HOME, not made yet: no database to find
    monkeypatch.setenv("PALSY_HOME", str(home))
    with pytest.raises(InputError, match="inside the data folder"):
        check_writable(home / "photos" / "demo")
    assert not home.exists()
    assert check_writable(tmp_path / "results") == tmp_path / "results"  # beside it: fine


def test_demo_out_inside_a_data_folder_is_refused_before_the_demo_patient_is_drawn(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(data)
    out = data / "photos" / "demo"
    assert main(["demo", "--out", str(out)]) == 2
    assert f"{out} is inside the data folder {data}; give a folder outside it" in capsys.readouterr().err
    assert _files(data) == before and not out.exists()
