"""Metrics and label sets at their edges: labels outside 0..n-1 are refused, a perfect
confusion of one grade has kappa 1, and `labels_within` keeps only subsets."""

from __future__ import annotations

import numpy as np
import pytest

from models.labels import CLASS_INDEX, NUM_CLASSES
from models.metrics import confusion_matrix, quadratic_weighted_kappa
from models.train.losses import LabelSpace

N = 6


@pytest.mark.parametrize(("target", "pred"), [
    ([0], [N]),  # one past the last class (counted as row 1, column 0 without the check)
    ([0, 2], [1, N]),
    ([1], [-1]),  # negative (counted as row 0, column N-1 without the check)
    ([3, 4], [3, -2]),
    ([N], [0]),
    ([-1], [0]),
])
def test_a_label_outside_the_classes_is_refused(target: list[int], pred: list[int]) -> None:
    with pytest.raises(ValueError, match=rf"labels must lie in 0\.\.{N - 1}"):
        confusion_matrix(np.array(target), np.array(pred), N, ignore_index=255)


def test_labels_inside_the_classes_are_counted() -> None:
    conf = confusion_matrix(np.array([0, 5, 5, 255]), np.array([0, 5, 4, -1]), N, ignore_index=255)
    assert conf.sum() == 3 and conf[0, 0] == 1 and conf[5, 5] == 1 and conf[5, 4] == 1


@pytest.mark.parametrize("grade", range(N))
def test_a_confusion_of_one_true_grade_has_no_kappa(grade: int) -> None:
    # undefined: it was 1.0 (all right) or 0.0 (any wrong), read as perfect or chance agreement
    conf = np.zeros((N, N), np.int64)
    conf[grade, grade] = 7
    assert quadratic_weighted_kappa(conf) is None
    conf[grade, (grade + 1) % N] = 2
    assert quadratic_weighted_kappa(conf) is None


def test_kappa_of_nothing_is_none_and_of_a_perfect_spread_is_one() -> None:
    assert quadratic_weighted_kappa(np.zeros((N, N))) is None
    assert quadratic_weighted_kappa(np.diag([3, 1, 2, 0, 0, 4])) == pytest.approx(1.0)


def test_labels_within_leaves_out_a_label_that_also_allows_another_class() -> None:
    eyes = (CLASS_INDEX["left_eye"], CLASS_INDEX["right_eye"])
    space = LabelSpace()
    allowed = np.zeros((3, NUM_CLASSES), bool)
    allowed[0, list(eyes)] = True  # both eyes: within
    allowed[1, [CLASS_INDEX["left_eye"], CLASS_INDEX["skin"]]] = True  # an eye or skin: not within
    allowed[2, CLASS_INDEX["skin"]] = True
    table = space.register(allowed)
    within = set(space.labels_within(eyes).tolist())
    assert int(table[0]) in within and set(eyes) <= within
    assert int(table[1]) not in within and int(table[2]) not in within
    mixed_mirror = space.sets.index(tuple(sorted((CLASS_INDEX["right_eye"], CLASS_INDEX["skin"]))))  # registered too
    assert mixed_mirror not in within
    assert all(set(space.sets[u]) <= set(eyes) for u in within)
