"""Mirror-averaged parsing and grading: the masks and grades the app shows, measures and scores.

E1 runs on the photo and on its horizontal mirror; the mirror's class probabilities are
flipped back with every left/right class swapped (`models.labels.LEFT_RIGHT_SWAP`) and
averaged with the photo's. The averaged parser is exactly mirror-equivariant: parsing the
mirrored photo gives the mirrored mask. A single pass of a trained E1 is not: it carries a
small left/right bias (a brow or a mouth corner drawn a pixel larger on one side), and the
measured grade, which compares the two sides, reads that bias as palsy.

E2 is averaged the same way (`parse_and_grade`): its grade probabilities on the photo (with
the photo's z) and on the mirror (with the mirror's own z, from the same mirrored E1 pass
that gives the masks). A patient's grade then does not depend on which way the photo faces;
one pass of E2 has a left/right bias of its own that turned a grade III face into IV when
mirrored. The attention maps still come from the photo's own pass.

Measured on the shipped weights and the 120 held-out synthetic patients (docs/train.md,
"Mirror-averaged parsing"): the measured grade from E1's masks rose from 0.467 to 0.550
accuracy, parsing mean F1 by 0.3-0.8 points, for one more E1 pass per photo.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from models.labels import LEFT_RIGHT_SWAP


def _averaged(logits: torch.Tensor, mirrored: torch.Tensor) -> torch.Tensor:
    """Mean of the photo's probabilities and the mirror's, flipped back with sides swapped."""
    swap = torch.as_tensor(LEFT_RIGHT_SWAP[: logits.shape[1]].astype(np.int64), device=logits.device)
    back = torch.softmax(mirrored.float(), dim=1).flip(-1)[:, swap]
    return (torch.softmax(logits.float(), dim=1) + back) / 2


def mirror_averaged_probabilities(e1: nn.Module, images: torch.Tensor, logits: torch.Tensor | None = None) -> torch.Tensor:
    """(B, C, H, W) mean of the photo's and the flipped-back mirror's class probabilities.

    `logits` are E1's logits of `images` when the caller already has them (saves a pass).
    """
    if logits is None:
        logits = e1(images, with_attention=False)["logits"]
    return _averaged(logits, e1(images.flip(-1), with_attention=False)["logits"])


def parse_masks(
    e1: nn.Module, images: torch.Tensor, logits: torch.Tensor | None = None, mirror: bool = True
) -> torch.Tensor:
    """(B, H, W) uint8 label masks: mirror-averaged, or E1's single pass when `mirror` is False."""
    if logits is None:
        logits = e1(images, with_attention=False)["logits"]
    scores = mirror_averaged_probabilities(e1, images, logits) if mirror else logits
    return scores.argmax(dim=1).to(torch.uint8)


def parse_and_grade(
    net: nn.Module, images: torch.Tensor, e1_out: dict[str, torch.Tensor] | None = None, mirror: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, H, W) uint8 masks and (B, 6) float grade probabilities of a cascade (`CascadeNet`).

    Both mirror-averaged, from one mirrored E1 pass whose logits give the masks and whose z
    conditions E2 on the mirror; with `mirror` False, E1's and E2's single pass. `e1_out` is
    E1's output on `images` when the caller has it (the app asks it for the attention maps);
    with "grade_logits" in it (a whole cascade's forward pass), E2 is not run on the photo again.
    The app (`models.pipeline.assess`) and `palsy evaluate` (`models.train.evaluation`) grade
    through here, so they grade alike.
    """
    if e1_out is None:
        e1_out = net.e1(images, with_attention=False)
    logits = e1_out["grade_logits"] if "grade_logits" in e1_out else net.grade(images, e1_out["z"])
    probabilities = torch.softmax(logits.float(), dim=1)
    if not mirror:
        return e1_out["logits"].argmax(dim=1).to(torch.uint8), probabilities
    flipped = images.flip(-1)
    other = net.e1(flipped, with_attention=False)
    masks = _averaged(e1_out["logits"], other["logits"]).argmax(dim=1).to(torch.uint8)
    # E2 is not mirror-equivariant: without the mirror's grade, flipping a photo can change it.
    mirrored = torch.softmax(net.grade(flipped, other["z"]).float(), dim=1)
    return masks, (probabilities + mirrored) / 2
