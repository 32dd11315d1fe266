"""A stand-in network whose E1 'parses' colour-coded cartoon photos perfectly, so the
pipeline after E1 (measures, flags, outputs) can be tested with known answers."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from models.config import COMPACT
from models.labels import CLASS_INDEX, CLASSES, GRADES, LEFT_RIGHT_SWAP, NUM_CLASSES
from models.pipeline.overlays import PALETTE, colour_mask


class OracleNet(nn.Module):
    """E1 maps each pixel to the class of the nearest CLASS_COLOURS entry, its side (left/right
    classes) from where it lies, as a parser of real faces must: the subject's left is on the
    image's right of the face's centre. So the oracle reads a mirrored photo as a mirrored face,
    and mirror averaging (`models.mirror_parsing`) returns its masks unchanged. E2 returns
    `grade_logits` for every image."""

    def __init__(self, grade_logits: tuple[float, ...] = (0.0, 3.0, 0.0, 0.0, 0.0, 0.0), size: int = 256) -> None:
        super().__init__()
        self.config = COMPACT.with_input_size(size)
        self.attention_names = ("spatial_3", "spatial_5", "spatial_7", "channel")
        self.register_buffer("palette", torch.tensor(PALETTE, dtype=torch.float32) / 255.0)
        self.register_buffer("grade_logits", torch.tensor(grade_logits, dtype=torch.float32))
        self.e1 = _OracleE1(self)
        self.e2 = _OracleE2(self)

    def grade(self, images: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        """As `CascadeNet.grade`: E2's logits for a batch (the oracle's fixed ones)."""
        return self.e2(images, z)


class _OracleE1(nn.Module):
    def __init__(self, owner: OracleNet) -> None:
        super().__init__()
        self._owner = [owner]

    def forward(self, images: torch.Tensor, with_attention: bool = True) -> dict[str, torch.Tensor]:
        palette = self._owner[0].palette  # (K, 3)
        pixels = images.permute(0, 2, 3, 1)[..., None, :]  # B H W 1 3
        labels = _sides_by_position(((pixels - palette) ** 2).sum(-1).argmin(-1))  # B H W
        logits = torch.nn.functional.one_hot(labels, NUM_CLASSES).permute(0, 3, 1, 2).float() * 10.0
        b, _, h, w = images.shape
        out = {"logits": logits, "z": torch.zeros(b, 8, h // 8, w // 8)}
        if with_attention:
            ramp = torch.linspace(0, 1, w).expand(b, 4, h, w).clone()
            out["attention"] = ramp
        return out


def _sides_by_position(labels: torch.Tensor) -> torch.Tensor:
    """Left/right classes reassigned by position: image-right of the face's centre is the subject's left."""
    face = labels != CLASS_INDEX["background"]
    xs = torch.arange(labels.shape[-1], dtype=torch.float32).expand_as(labels)
    centre = (xs * face).sum((1, 2)) / face.sum((1, 2)).clamp(min=1)
    swap = torch.as_tensor(LEFT_RIGHT_SWAP[:NUM_CLASSES].astype(np.int64))
    is_left = torch.tensor([name.startswith("left_") for name in CLASSES])
    left_of_pair = torch.where(is_left[labels], labels, swap[labels])  # the pair's left class
    sided = torch.where(xs > centre[:, None, None], left_of_pair, swap[left_of_pair])
    return torch.where(swap[labels] != labels, sided, labels)


class _OracleE2(nn.Module):
    def __init__(self, owner: OracleNet) -> None:
        super().__init__()
        self._owner = [owner]

    def forward(self, images: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self._owner[0].grade_logits.expand(images.shape[0], len(GRADES))


def cartoon_photo(mask: np.ndarray) -> np.ndarray:
    """An RGB 'photo' whose colours are the mask's class colours."""
    return np.ascontiguousarray(colour_mask(mask))
