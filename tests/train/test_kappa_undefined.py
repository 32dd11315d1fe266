"""Kappa is undefined (None, JSON null, shown "n/a" with the reason) when the true grades hold
fewer than two grades (audit: a 1-patient test split printed "kappa 1.000")."""

from __future__ import annotations

import json

import numpy as np

from models.labels import GRADES
from models.metrics import KAPPA_UNDEFINED, figure_text, grading_report, quadratic_weighted_kappa
from models.train.clinic import _figures, final_figures_line

N = len(GRADES)


def _one_patient(true: int, predicted: int) -> np.ndarray:
    conf = np.zeros((N, N), np.int64)
    conf[true, predicted] = 1
    return conf


def test_one_true_grade_gives_no_kappa_right_or_wrong() -> None:
    assert quadratic_weighted_kappa(_one_patient(2, 2)) is None  # was 1.0
    assert quadratic_weighted_kappa(_one_patient(2, 4)) is None  # was 0.0
    two = _one_patient(1, 1) + _one_patient(3, 3)
    assert quadratic_weighted_kappa(two) == 1.0  # two true grades: defined again


def test_the_report_writes_null_and_the_text_says_n_a() -> None:
    report = grading_report(_one_patient(2, 2))
    assert report["quadratic_kappa"] is None and '"quadratic_kappa": null' in json.dumps(report)
    assert figure_text(None) == "n/a" and figure_text(0.74219) == "0.742"


def test_the_clinic_run_says_n_a_with_the_reason() -> None:
    line = final_figures_line(grading_report(_one_patient(2, 2)))
    assert line == f"test accuracy 1.000, kappa n/a ({KAPPA_UNDEFINED})" and "1.000, kappa 1.000" not in line
    spread = grading_report(_one_patient(1, 1) + _one_patient(3, 3))
    assert final_figures_line(spread) == "test accuracy 1.000, kappa 1.000"


def test_the_clinic_card_says_n_a_with_the_reason() -> None:
    one = grading_report(_one_patient(2, 2))
    measured = {**one, "unmeasured": 0}
    lines = _figures({"patient": one, "photo": one, "measured": measured}, "test")
    table = "\n".join(lines)
    assert "| 1.000 (0.21-1.00) | n/a |" in table and "| 1.000 (0.21-1.00) | 1.000 |" not in table
    assert f"Kappa n/a: {KAPPA_UNDEFINED}" in table
    spread = grading_report(_one_patient(1, 1) + _one_patient(3, 3))
    assert "Kappa n/a" not in "\n".join(_figures({"patient": spread, "photo": spread, "measured": spread}, "test"))
