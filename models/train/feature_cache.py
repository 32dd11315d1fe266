"""Stage 2 on cached E1 features (cascaded training only).

With E1 frozen, its z of a given photo never changes, yet a stage-2 step recomputed it every
time: on the 2-core CPU E1's backbone is ~40 % of a 128-px step (0.064 of 0.163 s, batch 8).
`GradingFeatureCache` augments every training photo a fixed number of times up front (half
of the copies mirrored, with the side swap), runs E1's backbone once on each copy at the
size E2 grades at, and keeps the pair (photo, z); `cached_grading_step` then trains E2 on
batches drawn from the cache, so a step is E2's forward and backward alone. The cost is
fewer distinct augmentations (`variants` per photo instead of a fresh one per draw) and
memory (~0.18 MB per copy at 128 px with z in fp16), and it needs E1 frozen, so the
end-to-end baseline cannot use it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch

from models.cascade import CascadeNet
from models.data.augment import Augmenter
from models.errors import InputError
from models.train.losses import grading_loss
from models.train.precision import autocast
from models.train.sources import GradingSource, sampling_weights, to_tensor

# Memory the cache may take by default (photos as uint8, z as fp16). 600 patients x 6
# photos x 4 copies at 128 px take ~2.6 GB; a larger set gets fewer copies per photo.
DEFAULT_CACHE_LIMIT_GB = 4.0

# The cache is built from its own random stream, apart from the loop's per-step ones.
_CACHE_STREAM = 7_919


def bytes_per_copy(model: CascadeNet) -> int:
    """Memory of one cached copy: the photo at the size E2 grades at (uint8) and its z (fp16)."""
    side = min(model.config.input_size, model.config.e2_size)
    z_side = -(-side // 8)  # E1's backbone has stride 8
    return 3 * side * side + 2 * model.e1.z_channels * z_side * z_side


def variants_that_fit(wanted: int, photos: int, per_copy: int, limit_gb: float) -> int:
    """`wanted` copies per photo, or fewer so that the cache stays under `limit_gb`; 0 when
    not even one copy of each fits."""
    if wanted < 0:
        raise InputError("--cache-variants must be 0 (off) or more")
    fit = int(limit_gb * 1e9 // max(1, photos * per_copy))
    return max(0, min(wanted, fit))


@dataclass
class GradingFeatureCache:
    """`variants` augmented copies of every photo at E2's size: images (N, H, W, 3) uint8,
    z (N, C, h, w) fp16, grades (N,), and the sampling weights that balance the grades."""

    images: torch.Tensor
    z: torch.Tensor
    grades: torch.Tensor
    p: np.ndarray
    variants: int
    build_s: float

    def __len__(self) -> int:
        return int(self.grades.numel())

    @classmethod
    def build(
        cls,
        model: CascadeNet,
        source: GradingSource,
        augmenter: Augmenter,
        variants: int,
        seed: int,
        device: torch.device,
        precision: str = "fp32",
        batch_size: int = 32,
        balance: bool = True,
        report: Callable[[float], bool] | None = None,
    ) -> GradingFeatureCache:
        """Augment, encode (E1's backbone under the run's `precision`) and keep. `report(fraction)`
        is called after each batch and stops the build (InputError) when it returns True (a
        cancel: nothing is trained yet, so no checkpoint is written)."""
        if variants < 1:
            raise InputError("the feature cache needs at least one copy per photo")
        if not len(source):
            raise ValueError("no grading training data: the patient split is empty")
        start = time.monotonic()
        rng = np.random.default_rng((seed, _CACHE_STREAM))
        # Copies alternate unmirrored / mirrored, so each photo's sides are seen equally often.
        kinds = (replace(augmenter, mirror_p=0.0), replace(augmenter, mirror_p=1.0))
        jobs = [(i, kinds[v % 2]) for v in range(variants) for i in range(len(source))]
        images, zs, grades = [], [], []
        was_training = model.e1.training
        model.e1.eval()
        try:
            for first in range(0, len(jobs), batch_size):
                chunk = [(i, aug(source.images[i], None, source.sides[i], rng)[0]) for i, aug in jobs[first: first + batch_size]]
                batch = to_tensor([image for _, image in chunk])
                with torch.no_grad(), autocast(precision, device):
                    small = model.grading_input(batch.to(device))
                    z = model.e1.encode(small)
                images.append((small * 255.0).round_().clamp_(0, 255).to(torch.uint8).permute(0, 2, 3, 1).cpu())
                zs.append(z.to(torch.float16).cpu().contiguous())
                grades += [source.grades[i] for i, _ in chunk]
                if report is not None and report(min(1.0, (first + len(chunk)) / len(jobs))):
                    raise InputError("cancelled while caching E1's features")
        finally:
            model.e1.train(was_training)
        return cls(
            images=torch.cat(images), z=torch.cat(zs), grades=torch.tensor(grades), p=sampling_weights(grades, balance),
            variants=variants, build_s=round(time.monotonic() - start, 1),
        )

    def batch(self, rng: np.random.Generator, batch_size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(images float in [0, 1] as B x 3 x H x W, z float32, grades) drawn grade-balanced."""
        index = torch.from_numpy(rng.choice(len(self), size=batch_size, p=self.p))
        images = self.images[index].permute(0, 3, 1, 2).float().div_(255.0)
        return images, self.z[index].float(), self.grades[index]

    def summary(self) -> dict[str, Any]:
        return {"variants": self.variants, "copies": len(self), "build_s": self.build_s,
                "megabytes": round((self.images.nbytes + self.z.nbytes) / 1e6, 1)}


def cached_grading_step(cache: GradingFeatureCache, batch_size: int, ordinal_weight: float = 0.0) -> Callable:
    """Stage-2 step on the cache: E2 alone, with the loss of `grading_step` (`grading_loss`)."""

    def step(model: CascadeNet, rng: Any, device: torch.device) -> tuple[torch.Tensor, dict[str, float]]:
        if not model.e1_frozen:
            raise RuntimeError("cached E1 features are only valid while E1 is frozen (cascaded training)")
        images, z, grades = cache.batch(rng, batch_size)
        images, z, grades = images.to(device), z.to(device), grades.to(device)
        return grading_loss(model.e2(images, z), grades, ordinal_weight)

    return step


def cache_note(stage: dict[str, Any]) -> str:
    """A sentence for a model card on how a grading stage used the cache (from its summary's
    `augment.cached`), or "" when it trained without one."""
    cache = (stage.get("augment") or {}).get("cached")
    if not cache:
        return ""
    return (f" E2 trained on cached E1 features: {cache['variants']} augmented copies of each photo (half mirrored), "
            f"z computed once ({cache['copies']} copies, {cache['megabytes']:.0f} MB, built in {cache['build_s']:.0f} s "
            "of the stage's minutes).")
