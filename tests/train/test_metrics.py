"""Metrics on hand-computed confusion matrices."""

import math

import numpy as np
import pytest

from models.metrics import (
    confusion_matrix,
    grading_report,
    parsing_report,
    quadratic_weighted_kappa,
)


def test_confusion_matrix_counts_and_ignores():
    target = np.array([0, 1, 1, 2, 255])
    pred = np.array([0, 1, 2, 2, 0])
    conf = confusion_matrix(target, pred, 3)
    assert conf.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]


def test_confusion_matrix_rejects_out_of_range():
    with pytest.raises(ValueError):
        confusion_matrix(np.array([0, 3]), np.array([0, 0]), 3)


def test_parsing_report_by_hand():
    # rows = truth: background, skin, hair
    conf = np.array([[50, 5, 0], [10, 30, 0], [0, 10, 20]])
    report = parsing_report(conf, ["background", "skin", "hair"])
    # skin: tp 30, fp 15, fn 10 -> F1 60/85, IoU 30/55; hair: tp 20, fp 0, fn 10 -> F1 40/50, IoU 20/30
    assert math.isclose(report["classes"]["skin"]["f1"], 60 / 85)
    assert math.isclose(report["classes"]["hair"]["iou"], 20 / 30)
    assert math.isclose(report["mean_f1"], (60 / 85 + 40 / 50) / 2)  # background excluded
    assert math.isclose(report["miou"], (30 / 55 + 20 / 30) / 2)
    assert set(report) == {"classes", "mean_f1", "miou"}


def test_a_class_nowhere_in_truth_or_prediction_is_not_scored():
    # it counted as F1 0 and halved the mean of a set without hair
    conf = np.array([[50, 5, 0], [10, 30, 0], [0, 0, 0]])
    report = parsing_report(conf, ["background", "skin", "hair"])
    assert set(report["classes"]) == {"background", "skin"} and math.isclose(report["mean_f1"], 60 / 75)  # skin alone
    # predicted where the truth has none: a real miss, scored 0
    conf[1, 2] = 5
    assert parsing_report(conf, ["background", "skin", "hair"])["classes"]["hair"] == {"f1": 0.0, "iou": 0.0}


def test_quadratic_kappa_by_hand():
    # 3 grades. observed, weights (i-j)^2/4.
    conf = np.array([[2, 1, 0], [0, 2, 1], [1, 0, 3]])
    n = conf.sum()
    w = np.array([[0, 0.25, 1], [0.25, 0, 0.25], [1, 0.25, 0]])
    expected = np.outer(conf.sum(1), conf.sum(0)) / n
    by_hand = 1 - (w * conf).sum() / (w * expected).sum()
    # (w*conf).sum() = 0.25+0.25+1 = 1.5; rows 3,3,4 cols 3,3,4 over 10
    assert math.isclose(by_hand, 1 - 1.5 / ((w * expected).sum()))
    assert math.isclose(quadratic_weighted_kappa(conf), by_hand)
    assert quadratic_weighted_kappa(np.diag([3, 2, 4])) == 1.0


def test_kappa_of_a_chance_rater_is_zero():
    conf = np.outer([1, 1], [1, 1])
    assert math.isclose(quadratic_weighted_kappa(conf), 0.0, abs_tol=1e-12)


def test_grading_report_by_hand():
    conf = np.zeros((6, 6), int)
    conf[0, 0] = 4
    conf[1, 1] = 3
    conf[1, 2] = 1  # one II called III: within one
    conf[5, 3] = 2  # two VI called IV: off by two
    report = grading_report(conf)
    assert math.isclose(report["accuracy"], 7 / 10)
    assert math.isclose(report["within_one"], 8 / 10)
    # present grades: I, II, III, IV, VI. recall: 1, .75, 0, 0, 0 ; precision: 1, 1, 0, 0, 0
    assert math.isclose(report["recall"], 1.75 / 5)
    assert math.isclose(report["confidence"], 2 / 5)
    assert math.isclose(report["dice"], (1 + 6 / 7) / 5)
    # Undefined per-grade values are null: V never true nor predicted, IV never true, VI never predicted.
    assert report["per_grade"]["V"] == {"support": 0, "recall": None, "confidence": None, "dice": None}
    assert report["per_grade"]["IV"] == {"support": 0, "recall": None, "confidence": 0.0, "dice": 0.0}
    assert report["per_grade"]["VI"] == {"support": 2, "recall": 0.0, "confidence": None, "dice": 0.0}
    assert report["per_grade"]["II"] == {"support": 4, "recall": 0.75, "confidence": 1.0, "dice": 6 / 7}
    assert report["confusion"][5][3] == 2
    assert set(report) == {"accuracy", "recall", "confidence", "dice", "quadratic_kappa", "within_one", "per_grade", "confusion"}
