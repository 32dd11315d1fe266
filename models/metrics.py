"""Confusion-matrix based metrics for parsing and grading (paper eq. 5-8, DESIGN §4, §8).

Accuracy is the standard (correct / all). The paper's eq. 5 reads (TP - FN) / ..., which
we treat as a typo. Recall, confidence (= precision) and Dice (= F1 = 2TP / (2TP+FP+FN), eq. 8
per grade) are macro averages over the grades that occur in the ground truth or the
predictions: a grade predicted but never true adds recall 0, one true but never predicted adds
confidence 0 (scikit-learn's macro average with zero_division=0). In `per_grade` such undefined
values are null, not 0; so is every figure of an empty matrix (nothing scored: no patient had a
measured grade), where 0.0 read as a measured total failure. Our Dice is the mean of the
per-grade Dice; the paper's Table 3 Dice figures equal 2RC / (R + C) of its averaged recall R
and confidence C instead (95.90 and 95.75 give its 95.82), which can differ on uneven confusions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.labels import GRADES, IGNORE_INDEX


def confusion_matrix(target: np.ndarray, pred: np.ndarray, n: int, ignore_index: int = IGNORE_INDEX) -> np.ndarray:
    """(n x n) int64 counts, rows = ground truth, columns = prediction; ignore_index skipped."""
    target = np.asarray(target).ravel().astype(np.int64)
    pred = np.asarray(pred).ravel().astype(np.int64)
    keep = target != ignore_index
    target, pred = target[keep], pred[keep]
    if target.size and (target.max() >= n or pred.max() >= n or min(target.min(), pred.min()) < 0):
        raise ValueError(f"labels must lie in 0..{n - 1}")
    return np.bincount(target * n + pred, minlength=n * n).reshape(n, n)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den > 0)


def per_class_scores(conf: np.ndarray) -> dict[str, np.ndarray]:
    """Per class: tp, fp, fn, support, precision, recall, f1, iou (0 where undefined)."""
    conf = np.asarray(conf, dtype=np.float64)
    tp = np.diag(conf)
    fp = conf.sum(axis=0) - tp
    fn = conf.sum(axis=1) - tp
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "support": conf.sum(axis=1),
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "iou": _ratio(tp, tp + fp + fn),
    }


def parsing_report(conf: np.ndarray, class_names: Sequence[str], exclude: Sequence[str] = ("background",)) -> dict:
    """DESIGN §8 parsing JSON: {"classes": {name: {"f1", "iou"}}, "mean_f1", "miou"}.

    Means are over the classes not in `exclude` (background is excluded by the contract). A
    class neither in the truth nor predicted (its F1 undefined, not 0) is left out of both:
    "over the classes the data set has". The means are None (JSON null) when no class is left
    (nothing but background in the masks and the predictions, or nothing scored).
    """
    scores = per_class_scores(conf)
    conf = np.asarray(conf)
    present = [i for i in range(len(class_names)) if conf[i, :].sum() + conf[:, i].sum() > 0]
    classes = {class_names[i]: {"f1": float(scores["f1"][i]), "iou": float(scores["iou"][i])} for i in present}
    scored = [i for i in present if class_names[i] not in exclude]
    return {
        "classes": classes,
        "mean_f1": float(np.mean(scores["f1"][scored])) if scored else None,
        "miou": float(np.mean(scores["iou"][scored])) if scored else None,
    }


# Why a kappa is missing, where one is shown: it compares agreement with what chance gives over
# the true grades' spread, and there is no spread to compare with below two grades.
KAPPA_UNDEFINED = "the true grades hold fewer than two grades, so kappa is undefined"


def quadratic_weighted_kappa(conf: np.ndarray) -> float | None:
    """Cohen's kappa with quadratic weights from a square confusion matrix (1.0 = perfect), or
    None when the true grades (rows) hold fewer than two grades: kappa is undefined there, and
    the 1.0 or 0.0 it used to give read as perfect or chance agreement (a 1-patient test split
    printed "kappa 1.000")."""
    conf = np.asarray(conf, dtype=np.float64)
    n = conf.shape[0]
    total = conf.sum()
    if np.count_nonzero(conf.sum(axis=1)) < 2:
        return None
    idx = np.arange(n)
    weights = (idx[:, None] - idx[None, :]) ** 2 / max((n - 1) ** 2, 1)
    expected = np.outer(conf.sum(axis=1), conf.sum(axis=0)) / total
    denominator = (weights * expected).sum()
    # two true grades give a positive denominator whatever is predicted
    return float(1.0 - (weights * conf).sum() / denominator)


def figure_text(value: float | None) -> str:
    """A figure as shown in logs and cards: three decimals, or "n/a" where it is undefined (None:
    a kappa of one true grade, any figure of an empty matrix)."""
    return "n/a" if value is None else f"{value:.3f}"


def grading_report(conf: np.ndarray, grade_names: Sequence[str] = GRADES) -> dict:
    """DESIGN §8 grading JSON: accuracy, recall, confidence, dice, quadratic_kappa (None, JSON
    null, when the true grades hold fewer than two grades), within_one, per_grade, confusion
    (rows = true grade, columns = predicted grade). Every figure is None when the matrix is
    empty (nothing scored), as the kappa is: not 0.0, which reads as measured."""
    conf = np.asarray(conf, dtype=np.int64)
    total = conf.sum()
    scores = per_class_scores(conf)
    present = (conf.sum(axis=1) + conf.sum(axis=0)) > 0
    idx = np.arange(conf.shape[0])
    near = np.abs(idx[:, None] - idx[None, :]) <= 1

    def macro(key: str) -> float | None:
        return float(np.mean(scores[key][present])) if present.any() else None

    return {
        "accuracy": float(np.trace(conf) / total) if total else None,
        "recall": macro("recall"),
        "confidence": macro("precision"),
        "dice": macro("f1"),
        "quadratic_kappa": quadratic_weighted_kappa(conf),
        "within_one": float(conf[near].sum() / total) if total else None,
        "per_grade": {  # null where undefined: recall of a grade never true, confidence of one never predicted
            name: {
                "support": int(scores["support"][i]),
                "recall": float(scores["recall"][i]) if conf[i, :].sum() else None,
                "confidence": float(scores["precision"][i]) if conf[:, i].sum() else None,
                "dice": float(scores["f1"][i]) if present[i] else None,
            }
            for i, name in enumerate(grade_names)
        },
        "confusion": conf.tolist(),
    }
