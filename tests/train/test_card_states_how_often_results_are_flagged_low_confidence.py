"""The model card says, from its own evaluation, how high the network's top probability runs on
the held-out patients and how often the app will flag such results low confidence: a rerun of
the demo recipe writes that sentence itself (it was added to the shipped card by hand)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import models.train.evaluation as evaluation
from models.checkpoint import read_checkpoint
from models.data.parsing import read_mask
from models.labels import GRADES
from models.resources import default_weights_path
from models.train.card import top_probability_sentence, write_card
from models.train.evaluation import PhotoPass, grading_reports, top_probabilities

OPENING = ("With these weights the network's probability for its grade (its top probability, shown beside the network "
           "grade on the results page and in the report) is ")


def _grade(name: str, patients: int, low: float, high: float, flagged: int) -> dict:
    return {name: {"patients": patients, "min": low, "max": high, "flagged": flagged}}


# 24 held-out patients, as the shipped card's hand-written sentence measured them: the 16 of
# grades I-IV all below 0.5, and of the 8 of grades V-VI, 6.
SHIPPED_LIKE = {**_grade("I", 4, 0.27, 0.33, 4), **_grade("II", 4, 0.26, 0.31, 4), **_grade("III", 4, 0.28, 0.36, 4),
                **_grade("IV", 4, 0.29, 0.35, 4), **_grade("V", 4, 0.38, 0.49, 4), **_grade("VI", 4, 0.41, 0.62, 2)}


def test_the_summary_rounds_and_flags_the_top_probability_as_the_app_does() -> None:
    truth = np.array([0, 0, 3, 5])
    fused = np.array([[0.30, 0.25, 0.2, 0.15, 0.05, 0.05],
                      [0.49996, 0.30004, 0.1, 0.1, 0.0, 0.0],  # stored as 0.5 by the app: not flagged
                      [0.2, 0.1, 0.1, 0.35, 0.15, 0.1],
                      [0.0, 0.0, 0.0, 0.05, 0.15, 0.8]])
    assert top_probabilities(truth, fused) == {**_grade("I", 2, 0.3, 0.5, 1), **_grade("IV", 1, 0.35, 0.35, 1),
                                               **_grade("VI", 1, 0.8, 0.8, 0)}


def test_the_patient_report_holds_the_fused_top_probability(tiny_patients: Path, monkeypatch) -> None:
    """Every patient's photos say 0.4 for its own grade: fused, each top probability is 0.4,
    below the app's threshold, whatever the grade."""

    def sure_of_nothing(model, samples, patients, split, device, mirror=True, progress=None, photos=None):
        probabilities = np.full((len(samples), len(GRADES)), 0.12)
        probabilities[np.arange(len(samples)), [s.grade for s in samples]] = 0.4
        masks = np.stack([read_mask(s.mask) for s in samples])
        return PhotoPass([s.patient_id for s in samples], np.array([s.grade for s in samples]), probabilities, masks,
                         None, [s.expression for s in samples])

    monkeypatch.setattr(evaluation, "grade_photos", sure_of_nothing)
    top = grading_reports(model=None, data=tiny_patients)["patient"]["top_probability"]
    assert top == {grade: {"patients": 3, "min": 0.4, "max": 0.4, "flagged": 3} for grade in GRADES}  # 18 patients


def test_the_sentence_gives_each_grade_groups_range_and_the_flagged_share() -> None:
    text = top_probability_sentence(SHIPPED_LIKE, "held-out synthetic patients (seed 900001)")
    assert text == (OPENING + "0.26-0.36 for grades I-IV (16 patients, all below the app's threshold of 0.50 "
                    "for \"Low network confidence\") and 0.38-0.62 for grades V-VI (8 patients, 6 below it) among the 24 held-out synthetic "
                    "patients (seed 900001), so such results are nearly always flagged \"Low network confidence\" (22 of 24).")
    surer = {**SHIPPED_LIKE, **_grade("V", 4, 0.55, 0.7, 0), **_grade("VI", 4, 0.6, 0.9, 0)}
    assert top_probability_sentence(surer, "test patients").endswith(
        "0.55-0.90 for grades V-VI (8 patients, none below it) among the 24 test patients, so such results are mostly "
        "flagged \"Low network confidence\" (16 of 24).")
    severe_only = top_probability_sentence(_grade("VI", 1, 0.71, 0.71, 0), "test patients")
    assert severe_only == OPENING + ("0.71-0.71 for grades V-VI (1 patient, none below the app's threshold of 0.50 "
                                     "for \"Low network confidence\") among the 1 test patients, so such results are "
                                     "never flagged \"Low network confidence\" (0 of 1).")
    assert top_probability_sentence(None, "test patients") == "" and top_probability_sentence({}, "test patients") == ""


@pytest.fixture
def shipped_record() -> dict:
    payload = read_checkpoint(default_weights_path())
    return {"training": payload["training"], "metrics": payload["metrics"], "config": payload["config"]}


def test_the_demo_card_writes_the_sentence_from_its_evaluation(tmp_path: Path, shipped_record: dict) -> None:
    training, metrics = shipped_record["training"], shipped_record["metrics"]
    patient = {**metrics["synthetic_grading_patient"], "top_probability": SHIPPED_LIKE}
    metrics = {**metrics, "synthetic_grading_patient": patient}
    state = {**training, "metrics": metrics, "render": {"seconds": 89.0}}
    path = tmp_path / "card.md"
    write_card(path, {"recipe": training["recipe"], "state": state, "sha256": "0" * 64, "size_mb": 12.35,
                      "meta_config": shipped_record["config"], "run_wall_s": 60.0, "training_wall_s": 60.0,
                      "precision": training["precision"], "machine": training["machine"]})
    card = path.read_text(encoding="utf-8")
    sentence = top_probability_sentence(SHIPPED_LIKE, f"held-out synthetic patients (seed {training['recipe']['eval_seed']})")
    assert f"\n\n{sentence}\n\n**The network grade" in card  # where the shipped card has it, before the verdict
    assert "the network's probability for its grade (its top probability, shown beside the network grade on the results page and in the report) is 0.26-0.36 for grades I-IV" in card
