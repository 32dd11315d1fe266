"""A station clock set back between two visits of one patient stamps the later visit earlier,
and the history, the last visit and the report's grade history then put it first. Visits
stay ordered by their times (imported ones carry their own station's), so `records check`
names such local visits, as a note; an imported visit's time is its station's and is not
compared."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from app.records import Store
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient


def _stamp(hours_ago: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(hours=hours_ago)).isoformat(timespec="milliseconds")


def _confirmed_visit(store: Store, patient_id: str, created_at: str, grade: str) -> int:
    visit = store.start_assessment(patient_id, created_at=created_at).id
    store.record_results(visit, {"grade": grade}, model_grade=grade)
    store.confirm_grade(visit, grade, "Dr A")
    return visit


def _clock_notes(store: Store) -> list[str]:
    return [n for n in store.record_notes() if "set back" in n]


def test_a_visit_stamped_before_the_one_made_before_it_is_named(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("CLK-1", name="Clock Test")
        first = _confirmed_visit(store, "CLK-1", _stamp(2), "IV")  # the clock ran 2 h fast
        second = _confirmed_visit(store, "CLK-1", _stamp(3.5), "II")  # after it was corrected
        store.create_patient("CLK-2", name="Steady Clock")
        same_moment = _stamp(3)
        _confirmed_visit(store, "CLK-2", same_moment, "III")
        _confirmed_visit(store, "CLK-2", same_moment, "III")  # no step
        [note] = _clock_notes(store)
        assert note.startswith("patient CLK-1 has visits recorded here stamped earlier than visits made before them")
        assert f"assessment {second}, stamped " in note and f"begun after assessment {first}, stamped " in note
        assert "CLK-2" not in note
        assert store.integrity_problems() == [] and not any("set back" in p for p in store.record_problems())


def test_a_few_minutes_back_is_no_step(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("CLK-1", name="Clock Test")
        _confirmed_visit(store, "CLK-1", _stamp(1), "IV")
        _confirmed_visit(store, "CLK-1", _stamp(1 + 4 / 60), "II")  # NTP's small correction
        assert _clock_notes(store) == []


def test_an_imported_visit_keeps_its_stations_time_unjudged(tmp_path: Path) -> None:
    with Store.open(tmp_path / "station1") as sender:
        sender.create_patient("IMP-1", name="Travelling Record")
        _confirmed_visit(sender, "IMP-1", _stamp(1), "IV")  # that station's clock ran ahead
        exported = export_patient(sender, "IMP-1", tmp_path / "out")
    with Store.open(tmp_path / "station2") as store:
        import_patient(store, exported)
        _confirmed_visit(store, "IMP-1", _stamp(3), "II")  # this station's own clock
        assert _clock_notes(store) == []


def _ahead(hours: float) -> str:
    return _stamp(-hours)


def test_the_newest_visit_time_is_this_stations_own(tmp_path: Path) -> None:
    """Start assessment's clock question (`newest_visit_time`) leaves imported visits out: a
    station whose clock ran ahead would else have every start here told to check a clock that
    is right."""
    with Store.open(tmp_path / "station1") as sender:
        sender.create_patient("IMP-1", name="Travelling Record")
        _confirmed_visit(sender, "IMP-1", _ahead(3), "IV")  # that station's clock ran 3 h ahead
        exported = export_patient(sender, "IMP-1", tmp_path / "out")
    with Store.open(tmp_path / "station2") as store:
        assert store.newest_visit_time() is None
        import_patient(store, exported)
        assert store.newest_visit_time() is None
        own = _stamp(1)
        visit = store.start_assessment("IMP-1", created_at=own).id
        newest = store.newest_visit_time()
        assert newest is not None and newest == store.get_assessment(visit).updated_at
        assert datetime.fromisoformat(newest) < datetime.now(timezone.utc)


def test_a_large_import_does_not_hide_this_stations_newest_visit(tmp_path: Path) -> None:
    """The question looks at this station's newest visits by number, after leaving imported
    ones out: 60 visits imported after the newest local one did not push it out of sight."""
    with Store.open(tmp_path / "station1") as sender:
        sender.create_patient("IMP-1", name="Many Visits")
        for hours in range(60):
            sender.start_assessment("IMP-1", created_at=_stamp(200 - hours))
        exported = export_patient(sender, "IMP-1", tmp_path / "out")
    with Store.open(tmp_path / "station2") as store:
        store.create_patient("OWN-1", name="Own Visit")
        ahead = _ahead(2)  # stamped while this station's clock ran fast
        store.start_assessment("OWN-1", created_at=ahead)
        import_patient(store, exported)
        assert datetime.fromisoformat(store.newest_visit_time()) > datetime.now(timezone.utc)
