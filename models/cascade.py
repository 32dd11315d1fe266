"""The cascaded network: E1 (face parsing, yields z) -> E2 (grading conditioned on z)."""

from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F
from torch import nn

from models.config import CascadeConfig, get_config
from models.encoders import GradingEncoder, ParsingEncoder
from models.mirror_parsing import parse_and_grade


class CascadeNet(nn.Module):
    """E1 + E2 with named outputs.

    `forward` returns a dict: `logits` (parsing, B x classes x H x W), `z`, `attention`
    (B x M x H x W display maps in [0, 1], names in `attention_names`) and `grade_logits`
    (B x 6). `predict` adds `probabilities`, `mask` and runs in inference mode.
    """

    def __init__(self, config: CascadeConfig) -> None:
        super().__init__()
        self.config = config
        self.e1 = ParsingEncoder(config)
        self.e2 = GradingEncoder(config, self.e1.z_channels)
        self.attention_names = self.e1.attention_names
        self._e1_frozen = False

    # -- cascaded training ------------------------------------------------------------
    @property
    def e1_frozen(self) -> bool:
        return self._e1_frozen

    def freeze_e1(self) -> None:
        """Stage 2 of cascaded training: E1 gets no gradients and keeps BatchNorm in eval."""
        self._e1_frozen = True
        for p in self.e1.parameters():
            p.requires_grad_(False)
        self.e1.eval()

    def unfreeze_e1(self) -> None:
        """End-to-end training: E1 trains with E2."""
        self._e1_frozen = False
        for p in self.e1.parameters():
            p.requires_grad_(True)
        self.e1.train(self.training)

    def train(self, mode: bool = True) -> CascadeNet:
        super().train(mode)
        if self._e1_frozen:
            self.e1.eval()
        return self

    # -- forward ----------------------------------------------------------------------
    def check_input(self, images: torch.Tensor) -> None:
        """Raise ValueError with a hint when `images` is not a batch the network accepts."""
        if images.dim() != 4 or images.shape[1] != 3:
            raise ValueError(
                f"expected a batch of RGB images shaped (B, 3, H, W), got {tuple(images.shape)}; "
                "add a batch dimension with images[None] or convert greyscale to RGB"
            )
        if not images.is_floating_point():
            raise ValueError("expected float images in [0, 1]; divide uint8 images by 255")
        h, w = images.shape[-2:]
        if h % 32 or w % 32:
            raise ValueError(f"image size {h}x{w} must be a multiple of 32; resize to {self.config.input_size}x{self.config.input_size}")

    def forward(self, images: torch.Tensor, with_attention: bool = True) -> dict[str, torch.Tensor]:
        self.check_input(images)
        with self._e1_grad():
            out = self.e1(images, with_attention=with_attention)
        out["grade_logits"] = self.grade(images, out["z"])
        return out

    def _e1_grad(self) -> contextlib.AbstractContextManager:
        return torch.no_grad() if self._e1_frozen else contextlib.nullcontext()

    def grade(self, images: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        """E2's grade logits (B x 6) for a batch at the input size. `z` is E1's z of these
        images when the caller has it; E1's backbone runs (again) when E2 grades at another
        size (`grading_input`) or no z is given. Every caller of E2 goes through here."""
        small = self.grading_input(images)
        if z is None or small is not images:
            with self._e1_grad():
                z = self.e1.encode(small)
        return self.e2(small, z)

    def grading_input(self, images: torch.Tensor) -> torch.Tensor:
        """The batch E2 grades: `images` itself, or resized (area) to the config's
        `grading_size` when that is set and smaller than the batch."""
        size = self.config.grading_size
        h, w = images.shape[-2:]
        if not size or max(h, w) <= size:
            return images
        scale = size / max(h, w)
        shape = tuple(max(32, round(s * scale / 32) * 32) for s in (h, w))
        return F.interpolate(images, size=shape, mode="area")

    def forward_parsing(self, images: torch.Tensor, with_attention: bool = False) -> dict[str, torch.Tensor]:
        """E1 alone (stage 1 training and parsing evaluation)."""
        self.check_input(images)
        return self.e1(images, with_attention=with_attention)

    def predict(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        """Inference: eval mode, no autograd; adds `probabilities` (B x 6, E2's answers on the photo
        and its mirror averaged) and `mask` (B x H x W, E1's mirror-averaged parse), both as the app
        makes them (`models.mirror_parsing.parse_and_grade`); `grade_logits` are the photo's own pass."""
        was_training = self.training
        self.eval()
        try:
            with torch.inference_mode():
                out = self.forward(images)
                masks, out["probabilities"] = parse_and_grade(self, images, out)  # E2 on the photo: out's own
                out["mask"] = masks.long()
        finally:
            self.train(was_training)
        return out


def build_model(config: CascadeConfig | str = "compact", seed: int | None = None) -> CascadeNet:
    """A freshly initialised cascade for a config object or name; `seed` makes it reproducible."""
    if isinstance(config, str):
        config = get_config(config)
    if seed is not None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return CascadeNet(config)
    return CascadeNet(config)
