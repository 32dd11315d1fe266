"""Kappa is undefined (None) when the true grades hold one grade: every place that prints or
compares it says "n/a" instead of crashing on None (a clinic's small test split, one patient)."""

from __future__ import annotations

import json

from app.cli import main
from models.train.card import _comparison_note, _grading_row, _leads
from models.train.comparison import brief
from tests.train.conftest import draw_patients

ONE_GRADE = {"accuracy": 1.0, "recall": 1.0, "confidence": 1.0, "dice": 1.0, "quadratic_kappa": None,
             "within_one": 1.0, "confusion": [[1]]}


def test_evaluate_grading_prints_n_a_for_one_true_grade(tmp_path, tiny_weights, capsys) -> None:
    data = draw_patients(tmp_path / "one", 1, seed=4)  # grade I alone
    args = ["evaluate", "grading", "--data", str(data), "--weights", str(tiny_weights), "--split", "all"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "quadratic_kappa  n/a" in out and "kappa is undefined" in out
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["quadratic_kappa"] is None


def test_cards_and_comparisons_take_an_undefined_kappa() -> None:
    assert "| n/a |" in _grading_row("test", ONE_GRADE)
    assert brief(ONE_GRADE)["quadratic_kappa"] is None
    better = {**ONE_GRADE, "accuracy": 0.9, "quadratic_kappa": 0.5}
    assert _leads(better, {**ONE_GRADE, "accuracy": 0.5}) and not _leads({**ONE_GRADE, "accuracy": 0.5}, better)
    assert _comparison_note(ONE_GRADE, ONE_GRADE) == []  # "near chance" is not what an undefined kappa says
