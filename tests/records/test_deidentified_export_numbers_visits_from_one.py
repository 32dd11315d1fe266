"""A de-identified export numbers the visits 1..n in visit order and names the photos from
that: the station's assessment numbers, which its log and stored reports tie to the real ID,
never appear in it. A plain export keeps them; import renumbers either."""

from __future__ import annotations

import json
from pathlib import Path

from app.records import Store
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from app.records.import_folder import import_patient
from tests.records.records_helpers import tiny_png


def _visit(store: Store, patient_id: str, created_at: str, seed: int) -> int:
    aid = store.start_assessment(patient_id, created_at=created_at).id
    store.save_capture(aid, "rest", tiny_png(seed))
    return aid


def _cohort(store: Store) -> tuple[list[int], int]:
    """A-1 with three visits (the second recorded first, back-dated: numbers out of visit order),
    then B-2 with one; (A-1's numbers in visit order, B-2's number)."""
    store.create_patient("A-1", name="Ann First")
    store.create_patient("B-2", name="Bo Second")
    late = _visit(store, "A-1", "2024-05-01T09:00:00.000+00:00", 1)
    early = _visit(store, "A-1", "2024-03-01T09:00:00.000+00:00", 2)
    latest = _visit(store, "A-1", "2024-06-01T09:00:00.000+00:00", 3)
    return [early, late, latest], _visit(store, "B-2", "2024-04-01T09:00:00.000+00:00", 4)


def _numbers_and_files(folder: Path) -> tuple[list[int], list[str]]:
    items = json.loads((folder / MANIFEST).read_text())["assessments"]
    files = sorted(p.name for p in (folder / "photos").iterdir())
    assert files == sorted(Path(c["file"]).name for item in items for c in item["captures"])
    return [item["number"] for item in items], files


def test_a_deidentified_export_numbers_the_visits_from_one(store: Store, tmp_path: Path) -> None:
    in_order, only = _cohort(store)
    assert only == 4
    numbers, files = _numbers_and_files(export_patient(store, "B-2", tmp_path / "b", deidentify=True))
    assert numbers == [1] and [name[:7] for name in files] == ["000001_"]
    folder = export_patient(store, "A-1", tmp_path / "a", deidentify=True)
    numbers, files = _numbers_and_files(folder)
    assert numbers == [1, 2, 3] and [name[:7] for name in files] == ["000001_", "000002_", "000003_"]
    # in visit order: the back-dated visit is the first, with its own photo
    items = json.loads((folder / MANIFEST).read_text())["assessments"]
    assert [i["captures"][0]["sha256"] for i in items] == [store.captures(aid)[0].sha256 for aid in in_order]
    assert [i["captures"][0]["file"][7:14] for i in items] == ["000001_", "000002_", "000003_"]


def test_a_plain_export_keeps_the_station_numbers(store: Store, tmp_path: Path) -> None:
    in_order, only = _cohort(store)
    numbers, files = _numbers_and_files(export_patient(store, "A-1", tmp_path / "a"))
    assert numbers == in_order and sorted(name[:7] for name in files) == sorted(f"{n:06d}_" for n in in_order)
    numbers, _ = _numbers_and_files(export_patient(store, "B-2", tmp_path / "b"))
    assert numbers == [only]


def test_import_gives_its_own_numbers(store: Store, tmp_path: Path) -> None:
    _cohort(store)
    folder = export_patient(store, "A-1", tmp_path / "a", deidentify=True, pseudonym="STUDY-1")
    with Store.open(tmp_path / "research") as station:
        station.create_patient("HERE-1")
        here = station.start_assessment("HERE-1").id
        import_patient(station, folder)
        imported = [a.id for a in station.history("STUDY-1")]
        assert imported == [here + 1, here + 2, here + 3]
        assert all(station.captures(aid)[0].file_name.startswith(f"photos/{aid:06d}/{aid:06d}_rest_") for aid in imported)
