"""A visit exported unfinished from station A and imported at B stays there as an imported
draft (not resumed). When A finishes it and exports again, B refuses the import (an import
never merges), but says why: the export holds a later state of that visit, not "every visit
of this export ... nothing to import" (audit r2, finding 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.local_time import local_minute_zoned
from app.records import DuplicateRecordError, Store
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient
from tests.records.records_helpers import tiny_png

PID = "MRN-8"


def _draft_exported_then_finished(tmp_path: Path) -> tuple[Path, Path, str]:
    """A's export of a draft (imported at B), then A's export of it finished; the visit's start."""
    with Store.open(tmp_path / "A") as station_a:
        station_a.create_patient(PID, name="Fay Eight", birth_date="1970-02-03")
        visit = station_a.start_assessment(PID).id
        station_a.save_capture(visit, "rest", tiny_png(3))
        first = export_patient(station_a, PID, tmp_path / "usb1")
        station_a.save_capture(visit, "close_eyes", tiny_png(4))
        station_a.record_results(visit, {"grade": "II"}, model_grade="II")
        station_a.confirm_grade(visit, "II", "Dr A")
        finished = export_patient(station_a, PID, tmp_path / "usb2")
        started = station_a.get_assessment(visit).created_at
    with Store.open(tmp_path / "B") as station_b:
        import_patient(station_b, first)
    return finished, tmp_path / "B", started


def test_the_finished_visit_is_named_not_called_already_here(tmp_path: Path) -> None:
    finished, station, started = _draft_exported_then_finished(tmp_path)
    with Store.open(station) as store, pytest.raises(DuplicateRecordError) as refused:
        import_patient(store, finished)
    words = str(refused.value)
    assert words.startswith(f"patient {PID} already exists on this station; nothing was imported")
    assert "nothing to import" not in words and "every visit of this export" not in words
    assert (f"the visit of {local_minute_zoned(started)} is here unfinished; "
            "this export holds it confirmed as grade II") in words
    assert "An import never merges records" in words and "another data folder" in words
    assert "Fay" not in words
    with Store.open(station) as store:  # nothing merged: B still has the imported draft
        [visit] = store.history(PID)
        assert visit.status == "draft" and len(store.captures(visit.id)) == 1


def test_the_same_state_is_still_nothing_to_import(tmp_path: Path) -> None:
    finished, station, _ = _draft_exported_then_finished(tmp_path)
    with Store.open(tmp_path / "C") as store:
        import_patient(store, finished)
        with pytest.raises(DuplicateRecordError, match="with every visit of this export; there is nothing to import"):
            import_patient(store, finished)


def test_the_drafts_listing_does_not_promise_the_finished_visit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, station, _ = _draft_exported_then_finished(tmp_path)
    capsys.readouterr()
    assert main(["records", "--data", str(station), "drafts"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.endswith("(imported): finished there, it stays there (an import never merges); not resumed here")


def test_the_drafts_help_says_imported_ones_are_not_resumed(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    with pytest.raises(SystemExit):
        main(["records", "--help"])
    [line] = [text for text in capsys.readouterr().out.splitlines() if text.strip().startswith("drafts")]
    assert line.split(None, 1)[1] == ("list unfinished assessments (this station's, offered for resumption; "
                                      "then imported ones, not resumed here)")


def test_a_new_visit_and_a_finished_one_are_both_said(tmp_path: Path) -> None:
    _, station, started = _draft_exported_then_finished(tmp_path)
    with Store.open(tmp_path / "A") as station_a:
        station_a.save_capture(station_a.start_assessment(PID).id, "rest", tiny_png(5))
        again = export_patient(station_a, PID, tmp_path / "usb3")
    with Store.open(station) as store, pytest.raises(DuplicateRecordError) as refused:
        import_patient(store, again)
    words = str(refused.value)
    assert "the export holds 1 visit this station does not have" in words
    assert (f"Also, the visit of {local_minute_zoned(started)} is here unfinished; "
            "this export holds it confirmed as grade II") in words


def test_a_later_change_of_the_same_status_is_said_by_its_time(tmp_path: Path) -> None:
    with Store.open(tmp_path / "A") as station_a:
        station_a.create_patient(PID, name="Fay Eight")
        visit = station_a.start_assessment(PID).id
        station_a.save_capture(visit, "rest", tiny_png(3))
        first = export_patient(station_a, PID, tmp_path / "usb1")
        station_a.save_capture(visit, "close_eyes", tiny_png(4))  # still unfinished, changed later
        again = export_patient(station_a, PID, tmp_path / "usb2")
        before, after = first, station_a.get_assessment(visit)
    with Store.open(tmp_path / "B") as store:
        import_patient(store, before)
        here = store.get_assessment(store.history(PID)[0].id).updated_at
        with pytest.raises(DuplicateRecordError) as refused:
            import_patient(store, again)
    words = str(refused.value)
    assert (f"the visit of {local_minute_zoned(after.created_at)} is here unfinished as last changed "
            f"{local_minute_zoned(here)}; this export holds it unfinished as last changed "
            f"{local_minute_zoned(after.updated_at)}") in words
