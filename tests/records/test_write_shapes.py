"""`Store.record_results` refuses a result of a shape the app would later call damaged (the one
rule of `app.records.result_shape`, which import, reopening and `records check` apply), and
that rule covers `model.training_data` too: every shape a version wrote is accepted, wrong
types and absurd nesting are not."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.analysis import AnalysisResult, ExpressionResult, Flag, RegionRow
from app.records import Store
from app.records.result_shape import TRAINING_DATA_MAX_DEPTH, result_problem
from models.errors import InputError
from models.labels import GRADES
from models.pipeline.assess import assess
from models.pipeline.loader import ModelInfo, wrap_model
from models.resources import default_weights_path
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_patient
from tests.records.records_helpers import tiny_png

# What `palsy train demo` records (the shipped weights' record, abridged) and what a
# `palsy train parsing|grading` stage records as its `data` (models/train/stages.py).
DEMO_RECORD = {
    "recipe": {"config": "compact", "train_patients": 600, "e1_from": None, "keep_e2": True},
    "command": "palsy train demo",
    "stage1": {"stage": "parsing", "steps": 7478, "elapsed_s": 1800.4, "cancelled": False,
               "label_sets": [[0, 1, 2], [3, 4]],
               "data": {"patients_train": {"images": 3600, "split": "all", "weight": 3.0}}},
    "stage2": {"stage": "grading", "steps": 4845, "augment": {"cached": {"variants": 4, "gb": 0.5}},
               "data": {"patients": 600, "photos": 3600, "folder": "patients_train"}},
    "data_licences": "research / non-commercial (FASSEG)",
}


def _nested(depth: int) -> dict[str, Any]:
    """An object whose lists and objects nest `depth` levels."""
    value: Any = "leaf"
    for i in range(depth):
        value = {"level": value} if i % 2 else [value]
    return value if isinstance(value, dict) else {"top": value}


def _draft(store: Store, pid: str = "W-1") -> int:
    store.create_patient(pid, name="Wilma Shape")
    aid = store.start_assessment(pid).id
    store.save_capture(aid, "rest", tiny_png(1))
    return aid


@pytest.fixture(scope="module")
def pipeline_results() -> dict[str, dict[str, Any]]:
    """Real results of `models.pipeline.assess` (a network that reads the painted masks): a
    measurable patient, and one whose function cannot be measured (a rest photo only)."""
    photos = {e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}
    loaded = wrap_model(OracleNet())
    measurable = assess(photos, loaded).to_dict(overlay_paths={"rest": {"photo": "overlays/rest_photo.png"}})
    unmeasurable = assess({"rest": photos["rest"]}, loaded).to_dict()
    assert measurable["measured"]["function_percent"] is not None
    assert unmeasurable["measured"]["function_percent"] is None and unmeasurable["measured"]["grade"] is None
    return {"measurable": measurable, "unmeasurable": unmeasurable}


def _gui_result() -> dict[str, Any]:
    """What the GUI's fallback `AnalysisResult.to_json` writes (numpy numbers included)."""
    photo = np.zeros((4, 4, 3), np.uint8)
    return AnalysisResult(
        grade="II", probabilities=dict.fromkeys(GRADES, np.float32(1 / 6)), affected_side="right", measured_grade=None,
        function_percent=None, regions=[RegionRow("brow", np.float64(0.1), None, None, "not judged")],
        flags=[Flag("low_confidence", "review")],
        expressions={"rest": ExpressionResult("rest", photo, np.zeros((4, 4), np.uint8), {}, np.full(6, 1 / 6))},
        model=ModelInfo("clinic", "ab" * 32, "/w/clinic.pt", "compact", DEMO_RECORD, demo=False).to_dict(),
        timing_ms={"total": 3.0},
    ).to_json()


# --- 1. the writers the app has: every one is stored -----------------------------------------
@pytest.mark.parametrize("kind", ["measurable", "unmeasurable"])
def test_the_pipelines_results_are_stored_confirmed_overridden_and_reread(
    store: Store, pipeline_results: dict[str, dict[str, Any]], kind: str
) -> None:
    result = pipeline_results[kind]
    aid = _draft(store)
    measured = result["measured"]["grade"]
    store.record_results(aid, result, model_grade=result["grade"], measured_grade=measured)
    store.record_results(aid, result, model_grade=result["grade"], measured_grade=measured)  # analysed again
    other = next(g for g in GRADES if g != result["grade"])
    confirmed = store.confirm_grade(aid, other, "Dr Kim")  # the clinician overrides the model
    assert confirmed.overridden and confirmed.result == json.loads(json.dumps(result))
    assert result_problem(confirmed.result) is None
    assert store.record_problems() == []


@pytest.mark.parametrize("result", [_gui_result(), {"grade": "II"}, {}, None,
                                    {"grade": "III", "measured": {"function_percent": 61, "regions": {}}}])
def test_the_guis_result_the_fixtures_and_an_empty_one_are_stored(store: Store, result: Any) -> None:
    aid = _draft(store)
    stored = store.record_results(aid, result, model_grade="II")
    assert stored.status == "analysed" and result_problem(stored.result) is None


def test_the_shipped_weights_model_record_is_stored(store: Store, pipeline_results: dict[str, dict[str, Any]]) -> None:
    """The model record `load_model` writes for the shipped demo weights: its whole training
    record as `training_data` (the deepest one a version wrote)."""
    if not default_weights_path().is_file():
        pytest.skip("the shipped demo weights are not installed in this checkout")
    from models.pipeline.loader import load_model

    model = load_model(default_weights_path(), "cpu").info.to_dict()
    assert isinstance(model["training_data"], dict) and model["training_data"]["command"].startswith("palsy train demo")
    aid = _draft(store)
    store.record_results(aid, {**pipeline_results["measurable"], "model": model}, model_grade="II")


def test_tuples_and_numpy_numbers_are_judged_as_stored(store: Store) -> None:
    aid = _draft(store)
    result = {"grade": "IV", "probabilities": {"IV": np.float32(0.7)},
              "measured": {"function_percent": np.int64(40), "notes": ("a", "b"), "regions": {}},
              "flags": ({"code": "x", "message": "y"},)}
    assert store.record_results(aid, result, model_grade="IV").result["measured"]["notes"] == ["a", "b"]


# --- 1. a misshapen result is refused, nothing stored ------------------------------------------
@pytest.mark.parametrize(("result", "field"), [
    ({"grade": "III", "probabilities": "x"}, "result.probabilities should be an object"),
    ({"grade": "VII"}, "result.grade should be one of I, II"),
    ({"grade": "III", "measured": {"function_percent": "50"}}, "result.measured.function_percent should be a number"),
    ({"grade": "III", "measured": None}, "result.measured should be an object"),
    ({"grade": "III", "measured": {"regions": [1]}}, "result.measured.regions should be an object"),
    ({"grade": "III", "flags": ["low_confidence"]}, "result.flags[0] should be an object"),
    ({"grade": "III", "model": "demo"}, "result.model should be an object"),
    ({"grade": "III", "model": {"training_data": 7}}, "result.model.training_data should be text or an object"),
    ({"grade": "III", "timing_ms": {"total": "fast"}}, "result.timing_ms.total should be a number"),
])
def test_a_result_the_app_would_call_damaged_is_refused_and_nothing_is_stored(
    store: Store, result: dict[str, Any], field: str
) -> None:
    aid = _draft(store)
    audit_before = len(store.audit_trail())
    with pytest.raises(InputError) as refused:
        store.record_results(aid, result, model_grade="III", measured_grade="III")
    message = str(refused.value)
    assert field in message and f"assessment {aid} was not stored" in message and "nothing was changed" in message
    after = store.get_assessment(aid)
    assert after.status == "draft" and after.result is None and after.model_grade is None
    assert len(store.audit_trail()) == audit_before
    assert store.record_problems() == []


def test_a_refused_reanalysis_keeps_the_earlier_result(store: Store) -> None:
    aid = _draft(store)
    store.record_results(aid, {"grade": "II"}, model_grade="II")
    with pytest.raises(InputError, match="result.grade should be"):
        store.record_results(aid, {"grade": 2}, model_grade="III")
    kept = store.get_assessment(aid)
    assert (kept.status, kept.model_grade, kept.result) == ("analysed", "II", {"grade": "II"})


# --- 2. model.training_data in the same rule ------------------------------------------------
@pytest.mark.parametrize("training_data", [
    None,  # an in-memory network (wrap_model)
    {},  # a checkpoint without a training record
    "none (untrained test network)",  # a note as the `data` entry
    {"patients": 600, "photos": 3600, "folder": "patients_train"},  # `palsy train grading`'s data
    {"lfw_parts": {"images": 1500, "split": "train", "weight": 1.0}},  # `palsy train parsing`'s data
    DEMO_RECORD,  # `palsy train demo` / `clinic`: the whole record
    ["patients_train", "fasseg"],  # a checkpoint holding a list as its data
    _nested(TRAINING_DATA_MAX_DEPTH),
])
def test_every_training_data_a_writer_made_is_accepted(store: Store, training_data: Any) -> None:
    model = ModelInfo("m", None, None, "compact", training_data).to_dict()
    assert result_problem({"grade": "II", "model": model}) is None
    aid = _draft(store)
    assert store.record_results(aid, {"grade": "II", "model": model}, model_grade="II").result["model"] == model


@pytest.mark.parametrize("training_data", [
    7, 2.5, True,  # no summary of training data
    {"steps": math.nan}, {"stage1": {"elapsed_s": math.inf}},  # JSON the app never writes (an import may hold it)
    _nested(TRAINING_DATA_MAX_DEPTH + 1),
    _nested(5000),  # absurd: answered without recursing
])
def test_wrong_types_and_absurd_nesting_in_training_data_are_refused(training_data: Any) -> None:
    problem = result_problem({"grade": "II", "model": {"name": "m", "training_data": training_data}})
    assert problem is not None and problem.startswith("result.model.training_data should be text or an object")
    assert f"nested at most {TRAINING_DATA_MAX_DEPTH} levels" in problem


def test_too_deep_training_data_is_refused_on_write(store: Store) -> None:
    aid = _draft(store)
    with pytest.raises(InputError, match=r"result\.model\.training_data should be"):
        store.record_results(aid, {"grade": "II", "model": {"training_data": _nested(40)}}, model_grade="II")
    assert store.get_assessment(aid).result is None


def test_check_lists_a_stored_result_with_wrong_training_data(tmp_path: Path) -> None:
    """A row edited by hand (or written by an older program) is a problem `records check` lists."""
    import sqlite3

    with Store.open(tmp_path / "data") as store:
        aid = _draft(store)
        store.record_results(aid, {"grade": "II"}, model_grade="II")
    conn = sqlite3.connect(tmp_path / "data" / "palsy.db")
    with conn:
        conn.execute("UPDATE assessments SET result_json = ? WHERE id = ?",
                     (json.dumps({"grade": "II", "model": {"training_data": _nested(60)}}), aid))
    conn.close()
    with Store.open_existing(tmp_path / "data") as store:
        assert any("result.model.training_data should be" in p for p in store.record_problems())
