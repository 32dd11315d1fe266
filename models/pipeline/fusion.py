"""The patient's grade probabilities from its photos (DESIGN §7 step 3), one rule for the app
(`assess`) and for `palsy evaluate`: the frames of an expression are averaged first, then the
expressions, so an expression photographed three times weighs as much as one photographed once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def expression_means(expressions: Sequence[str], probabilities: np.ndarray) -> dict[str, np.ndarray]:
    """{expression: the mean of its frames' probabilities}, in the order expressions first appear."""
    if len(expressions) != len(probabilities):
        raise ValueError(f"{len(expressions)} expressions for {len(probabilities)} probability rows")
    rows: dict[str, list[int]] = {}
    for i, expression in enumerate(expressions):
        rows.setdefault(expression, []).append(i)
    return {expression: np.asarray(probabilities)[index].mean(axis=0) for expression, index in rows.items()}


def patient_probabilities(per_expression: Mapping[str, np.ndarray]) -> np.ndarray:
    """The mean over the expressions of their (frame-averaged) probabilities."""
    if not per_expression:
        raise ValueError("no expression to fuse")
    return np.mean(list(per_expression.values()), axis=0)


def fuse_patients(
    patient_ids: Sequence[str], expressions: Sequence[str], probabilities: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """Sorted patient IDs and, row for row, each patient's fused probabilities (`patient_probabilities`
    of its `expression_means`)."""
    rows: dict[str, list[int]] = {}
    for i, pid in enumerate(patient_ids):
        rows.setdefault(pid, []).append(i)
    unique = sorted(rows)
    fused = [
        patient_probabilities(expression_means([expressions[i] for i in rows[pid]], probabilities[rows[pid]]))
        for pid in unique
    ]
    return unique, np.array(fused).reshape(len(unique), probabilities.shape[1])
