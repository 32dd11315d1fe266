"""A patient's history and the unfinished drafts are read in a few SQL statements whatever their
number, and listed without a realpath per photo; a photo opened from them is still refused when
its stored name leads out of the data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gateway_store import StoreGateway
from app.records import Store
from app.records.errors import StorageError
from app.records.paths import DataLayout
from models.labels import EXPRESSIONS
from tests.records.records_helpers import tiny_png


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[StoreGateway]:
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    yield gateway
    gateway.close()


def _visits(store: Store, patient_id: str, count: int, photos: int = 6) -> list[int]:
    store.create_patient(patient_id)
    made = []
    for _ in range(count):
        aid = store.start_assessment(patient_id).id
        for i, expression in enumerate(EXPRESSIONS[:photos]):
            store.save_capture(aid, expression, tiny_png(i))
        store.record_results(aid, {"grade": "II"}, model_grade="II")
        store.confirm_grade(aid, "II", "Dr Kim")
        made.append(aid)
    return made


def _drafts(store: Store, patient_id: str, count: int) -> list[int]:
    store.create_patient(patient_id)
    made = []
    for _ in range(count):
        aid = store.start_assessment(patient_id).id
        store.save_capture(aid, "rest", tiny_png(1))
        store.save_capture(aid, "close_eyes", tiny_png(2))
        made.append(aid)
    return made


def _statements(gateway: StoreGateway, work) -> tuple[int, object]:  # noqa: ANN001 - any call
    seen: list[str] = []
    conn = gateway.store.db.connection()
    conn.set_trace_callback(seen.append)
    try:
        value = work()
    finally:
        conn.set_trace_callback(None)
    return len(seen), value


def test_a_history_takes_as_many_statements_for_twelve_visits_as_for_one(gateway: StoreGateway) -> None:
    _visits(gateway.store, "FEW", 1)
    many = _visits(gateway.store, "MANY", 12)
    few_count, _ = _statements(gateway, lambda: gateway.history("FEW"))
    many_count, visits = _statements(gateway, lambda: gateway.history("MANY"))
    assert many_count == few_count
    assert [v.assessment_id for v in visits] == many
    assert all(list(v.captures) == list(EXPRESSIONS) and len(v.captured_at) == 6 for v in visits)


def test_the_drafts_take_as_many_statements_for_ten_as_for_one(gateway: StoreGateway) -> None:
    _drafts(gateway.store, "ONE", 1)
    one_count, _ = _statements(gateway, gateway.unfinished)
    _drafts(gateway.store, "TEN", 9)
    ten_count, drafts = _statements(gateway, gateway.unfinished)
    assert ten_count == one_count and len(drafts) == 10
    assert all(list(d.captures) == ["rest", "close_eyes"] for d in drafts)


def test_one_patients_drafts_are_read_alone(gateway: StoreGateway) -> None:
    _drafts(gateway.store, "OTHERS", 20)
    mine = _drafts(gateway.store, "MINE", 2)
    count, drafts = _statements(gateway, lambda: gateway.unfinished("MINE"))
    assert [d.assessment_id for d in drafts] == mine  # oldest first, as unfinished() lists them
    assert all(d.patient_id == "MINE" and len(d.captures) == 2 for d in drafts)
    assert count <= 5  # the patient, the drafts, their photos (and the read's begin and end)
    _visits(gateway.store, "NONE-LEFT", 1)
    assert gateway.unfinished("NONE-LEFT") == []


def test_listing_resolves_no_photo_path(gateway: StoreGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    _visits(gateway.store, "MANY", 3)
    _drafts(gateway.store, "DRAFTED", 2)
    resolved: list[str] = []
    real = DataLayout.resolve
    monkeypatch.setattr(DataLayout, "resolve", lambda self, name: resolved.append(name) or real(self, name))
    visits = gateway.history("MANY")
    drafts = gateway.unfinished()
    assert resolved == []
    stored = {c.expression: c.file_name for c in gateway.store.captures(visits[0].assessment_id)}
    assert visits[0].captures == {e: str(gateway.folder / name) for e, name in stored.items()}
    assert len(drafts) == 2
    gateway.load_photo(visits[0].assessment_id, "rest")  # opening a photo resolves it
    assert len(resolved) >= 1


def _lead_out(store: Store, aid: int, tmp_path: Path, how: str) -> None:
    """Point the visit's rest photo out of the data folder: by a '..' name, or through a symlinked folder."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "rest.png").write_bytes(tiny_png(1))
    if how == "dotdot":
        name = "../outside/rest.png"
    else:
        (store.layout.photos_dir / "elsewhere").symlink_to(outside, target_is_directory=True)
        name = "photos/elsewhere/rest.png"
    with store.db.write() as conn:
        conn.execute("UPDATE captures SET file_name = ? WHERE assessment_id = ? AND expression = 'rest'", (name, aid))


@pytest.mark.parametrize("how", ["dotdot", "symlink"])
def test_a_listed_photo_leading_out_of_the_data_folder_is_refused_when_opened(
        gateway: StoreGateway, tmp_path: Path, how: str) -> None:
    (aid,) = _visits(gateway.store, "MANY", 1)
    _lead_out(gateway.store, aid, tmp_path, how)
    (visit,) = gateway.history("MANY")  # listed: the history page still shows the visit
    assert "rest" in visit.captures
    with pytest.raises(StorageError, match="outside the data folder"):
        gateway.load_photo(aid, "rest")
    with pytest.raises(StorageError, match="outside the data folder"):
        gateway.assessment(aid)  # the record a report is drawn from, photos' paths included
