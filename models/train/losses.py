"""Partial-label cross-entropy (DESIGN §4): -log of the summed softmax probability of the
project classes a data set label allows.

Masks from several data sets share one `LabelSpace`: label u stands for a set of allowed
project classes. The first NUM_CLASSES labels are the single project classes in index
order, so masks already in the project label set need no translation and, for them, the
loss equals ordinary cross-entropy.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch
import torch.nn.functional as F

from models.labels import IGNORE_INDEX, LEFT_RIGHT_SWAP, NUM_CLASSES


class LabelSpace:
    """Registry of allowed-class sets; gives each data set a lookup table into it."""

    def __init__(self) -> None:
        self.sets: list[tuple[int, ...]] = [(c,) for c in range(NUM_CLASSES)]

    def _index(self, classes: tuple[int, ...]) -> int:
        if classes not in self.sets:
            if len(self.sets) >= IGNORE_INDEX:
                raise ValueError("too many distinct label sets for uint8 masks")
            self.sets.append(classes)
        return self.sets.index(classes)

    def register(self, allowed: np.ndarray) -> np.ndarray:
        """Lookup table (256,) uint8 from a data set's class indices to label-space indices.

        `allowed` is the data set's (n_dataset_classes x NUM_CLASSES) boolean matrix; values
        without a row (and the ignore value) map to IGNORE_INDEX. The mirrored partner of
        every set is registered too, so `swap_table` is complete.
        """
        table = np.full(256, IGNORE_INDEX, dtype=np.uint8)
        for d, row in enumerate(np.asarray(allowed, dtype=bool)):
            classes = tuple(int(c) for c in np.flatnonzero(row))
            if not classes:
                continue
            table[d] = self._index(classes)
            self._index(tuple(sorted(int(LEFT_RIGHT_SWAP[c]) for c in classes)))
        return table

    @property
    def swap_table(self) -> np.ndarray:
        """(256,) uint8: the label each label becomes under horizontal mirroring."""
        table = np.arange(256, dtype=np.uint8)
        for u, classes in enumerate(self.sets):
            table[u] = self.sets.index(tuple(sorted(int(LEFT_RIGHT_SWAP[c]) for c in classes)))
        return table

    def labels_within(self, classes: Iterable[int]) -> np.ndarray:
        """The labels whose allowed classes all lie in `classes` (say, every label that means an eye)."""
        wanted = set(classes)
        return np.array([u for u, allowed in enumerate(self.sets) if set(allowed) <= wanted], dtype=np.int64)

    def allowed_tensor(self) -> torch.Tensor:
        """(n_sets x NUM_CLASSES) bool tensor for `partial_label_cross_entropy`."""
        matrix = torch.zeros(len(self.sets), NUM_CLASSES, dtype=torch.bool)
        for u, classes in enumerate(self.sets):
            matrix[u, list(classes)] = True
        return matrix


def partial_label_cross_entropy(
    logits: torch.Tensor, target: torch.Tensor, allowed: torch.Tensor, ignore_index: int = IGNORE_INDEX
) -> torch.Tensor:
    """Mean over labelled pixels of -log(sum of softmax probabilities of the allowed classes).

    logits: (B, C, H, W); target: (B, H, W) label-space indices (ignore_index skipped);
    allowed: (n_labels, C) bool, row u = the classes label u allows.
    """
    valid = target != ignore_index
    if not bool(valid.any()):
        return logits.sum() * 0.0
    log_p = F.log_softmax(logits.float(), dim=1)
    safe = torch.where(valid, target, torch.zeros_like(target)).long()
    mask = allowed.to(logits.device)[safe].permute(0, 3, 1, 2)  # B, C, H, W
    log_sum = torch.logsumexp(log_p.masked_fill(~mask, float("-inf")), dim=1)
    return -(log_sum[valid]).mean()


def ordinal_grade_loss(logits: torch.Tensor, grades: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of the cumulative answers "grade > k" (k = I..V), read off the
    softmax over the six grades, averaged over the five thresholds.

    An auxiliary term for stage 2 (`--ordinal-weight`): the grades are ordered, and the
    easy thresholds (V/VI against the rest) give E2 a signal while it cannot yet tell the
    grades apart. The network and its softmax output are unchanged.
    """
    probabilities = torch.softmax(logits.float(), dim=1)
    above = (1.0 - torch.cumsum(probabilities, dim=1)[:, :-1]).clamp(1e-6, 1.0 - 1e-6)
    thresholds = torch.arange(above.shape[1], device=grades.device)
    target = (grades[:, None] > thresholds[None, :]).float()
    return F.binary_cross_entropy(above, target)


def grading_loss(logits: torch.Tensor, grades: torch.Tensor, ordinal_weight: float = 0.0) -> tuple[torch.Tensor, dict[str, float]]:
    """The stage-2 / end-to-end loss: cross-entropy over the six grades (the paper's), plus
    `ordinal_weight` x `ordinal_grade_loss` when it is positive; and the batch accuracy."""
    loss = F.cross_entropy(logits.float(), grades)
    if ordinal_weight > 0:
        loss = loss + ordinal_weight * ordinal_grade_loss(logits, grades)
    return loss, {"batch_accuracy": float((logits.argmax(1) == grades).float().mean())}
