"""A patient exported while an unfinished assessment was open at station A and imported at
station C brings that draft: C keeps it (its photos stay on record) but does not offer it for
resumption, and refuses to add photos to it, take them off it or record an analysis of it
(audit h1, finding 7: C offered "Resume it?" for a visit it never started and took photos into
it while A could still finish the same visit, two records of one visit no import reconciles)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.records import RecordStateError, Store
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient
from tests.records.records_helpers import tiny_png

PID = "MRN-7001"
BEGUN_ELSEWHERE = "begun at another station (imported); finish it there, or start a new assessment"


def _exported(tmp_path: Path, *, deidentify: bool) -> tuple[Path, int]:
    """Station A's export of PID while a draft with three photos is open there; A's draft number."""
    with Store.open(tmp_path / "A") as station_a:
        station_a.create_patient(PID, name="Mere Tane", birth_date="1961-04-02", actor="nurse")
        draft = station_a.start_assessment(PID, actor="nurse").id
        for i, expression in enumerate(("rest", "close_eyes", "raise_eyebrows")):
            station_a.save_capture(draft, expression, tiny_png(40 + i), {"sharpness": 0.5})
        folder = export_patient(station_a, PID, tmp_path / "usb", deidentify=deidentify, pseudonym="STUDY-1")
        return folder, draft


@pytest.fixture(params=[False, True], ids=["plain", "deidentified"])
def station_c(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, str, int]]:
    """Station C with the patient imported: (store, patient ID there, the imported draft's number)."""
    folder, _ = _exported(tmp_path, deidentify=request.param)
    with Store.open(tmp_path / "C") as station:
        patient = import_patient(station, folder, actor="admin")
        [visit] = station.history(patient.patient_id)
        assert visit.status == "draft"
        yield station, patient.patient_id, visit.id


def _photo_files(store: Store) -> set[Path]:
    return {p for p in store.layout.photos_dir.rglob("*") if p.is_file()}


def test_an_imported_draft_is_kept_but_not_offered_for_resumption(station_c: tuple[Store, str, int]) -> None:
    station, pid, imported = station_c
    assert station.offered_draft() == (None, 0)
    assert station.unfinished_assessments() == []
    assert station.unfinished_assessments(pid) == []
    # kept, with its photos: listed as begun at another station
    [kept] = station.imported_drafts()
    assert kept.assessment.id == imported and kept.assessment.status == "draft"
    assert [c.expression for c in kept.captures] == ["rest", "close_eyes", "raise_eyebrows"]
    assert [d.assessment.id for d in station.imported_drafts(pid)] == [imported]
    assert station.begun_elsewhere(imported)
    assert station.verify_files() == [] and station.integrity_problems() == []


def test_an_imported_draft_takes_no_photo_and_no_analysis(station_c: tuple[Store, str, int]) -> None:
    station, _, imported = station_c
    before, files = station.captures(imported), _photo_files(station)
    with pytest.raises(RecordStateError, match=BEGUN_ELSEWHERE.replace("(", r"\(").replace(")", r"\)")):
        station.save_capture(imported, "wrinkle_nose", tiny_png(9), {"sharpness": 0.5})
    with pytest.raises(RecordStateError, match="begun at another station"):
        station.save_capture(imported, "rest", tiny_png(10))  # a retake would replace A's photo
    with pytest.raises(RecordStateError, match="begun at another station"):
        station.withdraw_capture(imported, "rest", actor="nurse")
    with pytest.raises(RecordStateError, match="begun at another station"):
        station.record_results(imported, {"grade": "III"}, model_grade="III")
    assert station.captures(imported) == before and _photo_files(station) == files  # no file left behind
    assert station.get_assessment(imported).status == "draft"


def test_this_stations_own_draft_of_the_imported_patient_is_offered_and_takes_photos(
        station_c: tuple[Store, str, int]) -> None:
    station, pid, imported = station_c
    own = station.start_assessment(pid, actor="nurse").id
    station.save_capture(own, "rest", tiny_png(11))
    draft, others = station.offered_draft()
    assert draft is not None and draft.assessment.id == own and others == 0
    assert [d.assessment.id for d in station.unfinished_assessments(pid)] == [own]
    assert [d.assessment.id for d in station.imported_drafts()] == [imported]
    assert not station.begun_elsewhere(own)
    station.save_capture(own, "close_eyes", tiny_png(12))
    station.record_results(own, {"grade": "II"}, model_grade="II")
    assert station.get_assessment(own).status == "analysed"


def test_the_recording_station_still_finishes_its_draft(tmp_path: Path) -> None:
    folder, draft = _exported(tmp_path, deidentify=False)
    with Store.open(tmp_path / "C") as station:
        import_patient(station, folder)
    with Store.open(tmp_path / "A") as station_a:
        assert [d.assessment.id for d in station_a.unfinished_assessments()] == [draft]
        assert station_a.offered_draft()[0].assessment.id == draft
        assert station_a.imported_drafts() == [] and not station_a.begun_elsewhere(draft)
        station_a.save_capture(draft, "wrinkle_nose", tiny_png(13))


def test_a_draft_imported_twice_is_still_begun_elsewhere(tmp_path: Path) -> None:
    """A -> C -> D: the draft entry carries the mark twice ("[imported] [imported] patient ...")."""
    folder, _ = _exported(tmp_path, deidentify=False)
    with Store.open(tmp_path / "C") as station_c:
        import_patient(station_c, folder)
        again = export_patient(station_c, PID, tmp_path / "usb2")
    with Store.open(tmp_path / "D") as station_d:
        import_patient(station_d, again)
        [visit] = station_d.history(PID)
        assert station_d.offered_draft() == (None, 0) and station_d.unfinished_assessments() == []
        with pytest.raises(RecordStateError, match="begun at another station"):
            station_d.save_capture(visit.id, "wrinkle_nose", tiny_png(14))


def test_records_drafts_lists_an_imported_draft_marked_as_begun_elsewhere(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`palsy records drafts` lists the station's own drafts, then the imported one, marked: it
    was missing from the listing once left out of `unfinished_assessments`."""
    from app.cli import main

    folder, _ = _exported(tmp_path, deidentify=False)
    with Store.open(tmp_path / "C") as station:
        patient = import_patient(station, folder, actor="admin")
        [imported] = [v.id for v in station.history(patient.patient_id)]
        own = station.start_assessment(PID, actor="nurse").id
    capsys.readouterr()
    assert main(["records", "--data", str(tmp_path / "C"), "drafts"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"assessment {own} patient {PID} (0/6 photos") and "imported" not in lines[0]
    assert lines[1].startswith(f"assessment {imported} patient {PID} (3/6 photos")
    assert lines[1].endswith("unfinished at the station that recorded it (imported): finished there, it stays there"
                             " (an import never merges); not resumed here")
    assert main(["records", "--data", str(tmp_path / "C"), "drafts", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(d["assessment"], d["imported"]) for d in listed] == [(own, False), (imported, True)]
