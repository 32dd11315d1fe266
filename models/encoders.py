"""E1 (attention-enhanced face parsing FCN) and E2 (VGG grading encoder), paper §III-B/C."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.vgg import make_layers

from models.attention import MultiScaleAttentionHead, attention_names, normalise_heat
from models.backbones import build_backbone
from models.config import CascadeConfig

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ParsingEncoder(nn.Module):
    """E1: dilated ResNet -> z -> multi-scale attention head -> pixel classifier.

    Takes RGB images in [0, 1] (normalisation is inside the network, so callers cannot
    forget it) and returns named outputs: `logits` at input size, `z` at stride 8 and,
    when asked, `attention` display maps (B, M, H, W) scaled to [0, 1].
    """

    def __init__(self, config: CascadeConfig) -> None:
        super().__init__()
        self.backbone = build_backbone(config.backbone, config.backbone_widths, config.backbone_depths)
        self.z_channels = self.backbone.out_channels
        self.head = MultiScaleAttentionHead(
            self.z_channels, config.attention_channels, config.attention_kernels, config.qk_ratio, config.value_ratio
        )
        self.classifier = nn.Sequential(nn.Dropout2d(0.1), nn.Conv2d(self.z_channels, config.num_classes, 1))
        self.attention_names = attention_names(config.attention_kernels)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """z, the backbone's stride-8 feature map that E2 is conditioned on."""
        return self.backbone((images - self.mean) / self.std)

    def forward(self, images: torch.Tensor, with_attention: bool = True) -> dict[str, torch.Tensor]:
        z = self.encode(images)
        features, heat = self.head(z)
        size = images.shape[-2:]
        logits = F.interpolate(self.classifier(features), size=size, mode="bilinear", align_corners=False)
        out = {"logits": logits, "z": z}
        if with_attention:
            out["attention"] = normalise_heat(heat, size)
        return out


class GradingEncoder(nn.Module):
    """E2: VGG-layout encoder conditioned on z at stride 8, then FC layers over the grades.

    z is reduced by a 1x1 convolution, concatenated with the VGG features after the third
    pool (stride 8, the same stride as z) and fused back to the VGG width by a 1x1
    convolution; the remaining VGG stages, VGG's pooling to a small grid (`e2_pool`) and
    the FC classifier follow. The fused map replaces the VGG features, or, with
    `e2_residual_fusion` (E2 from a pretrained VGG16), is added to them times `fusion_scale`,
    which starts at 0 as E1's attention lambdas do: a random fusion would otherwise feed the
    pretrained stages 4-5 (88 % of VGG16's convolution weights) inputs unlike their training.
    This is our reading of "imported along with the input image"; it lives here alone so
    another reading can replace it.
    """

    def __init__(self, config: CascadeConfig, z_channels: int) -> None:
        super().__init__()
        layers = list(config.e2_layers)
        pools = [i for i, v in enumerate(layers) if v == "M"]
        if len(pools) < 4:
            raise ValueError("e2_layers needs at least four pooling stages")
        split_cfg = pools[2] + 1
        fuse_channels = [v for v in layers[:split_cfg] if v != "M"][-1]
        # torchvision's make_layers keeps the `features.N` keys of vgg16_bn, so a local
        # torchvision state dict loads into it directly.
        self.features = make_layers(layers, batch_norm=True)
        # Conv-BN-ReLU expands to three modules and a pool to one.
        self.split = sum(1 if v == "M" else 3 for v in layers[:split_cfg])
        self.z_reduce = nn.Sequential(
            nn.Conv2d(z_channels, config.e2_z_channels, 1, bias=False), nn.BatchNorm2d(config.e2_z_channels), nn.ReLU(inplace=True)
        )
        self.z_fuse = nn.Sequential(
            nn.Conv2d(fuse_channels + config.e2_z_channels, fuse_channels, 1, bias=False),
            nn.BatchNorm2d(fuse_channels),
            nn.ReLU(inplace=True),
        )
        self.register_parameter("fusion_scale", None)
        if config.e2_residual_fusion:
            self.add_residual_fusion()
        head: list[nn.Module] = []
        self.pool = config.e2_pool
        width = [v for v in layers if v != "M"][-1] * self.pool * self.pool
        for hidden in config.e2_hidden:
            act = nn.LeakyReLU(config.e2_negative_slope, inplace=True) if config.e2_negative_slope else nn.ReLU(inplace=True)
            head += [nn.Linear(width, hidden), act, nn.Dropout(config.e2_dropout)]
            width = hidden
        head.append(nn.Linear(width, config.num_grades))
        self.classifier = nn.Sequential(*head)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def add_residual_fusion(self) -> None:
        """Add the fused map to the VGG features instead of replacing them, times a learned
        `fusion_scale` that starts at 0, so at first E2 is the plain VGG path (the other weights
        stay as they are, so an untrained E2 switched before its VGG layers load keeps its seed)."""
        self.fusion_scale = nn.Parameter(torch.zeros(1))

    def forward(self, images: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Grade logits (B, num_grades)."""
        x = self.features[: self.split]((images - self.mean) / self.std)
        zr = self.z_reduce(z)
        if zr.shape[-2:] != x.shape[-2:]:
            zr = F.interpolate(zr, size=x.shape[-2:], mode="bilinear", align_corners=False)
        fused = self.z_fuse(torch.cat([x, zr], dim=1))
        x = fused if self.fusion_scale is None else x + self.fusion_scale * fused
        return self.head(self.features[self.split :](x))

    def head(self, features: torch.Tensor) -> torch.Tensor:
        """Grade logits from the last VGG feature map: pooled to `pool` x `pool`, flattened, FC."""
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(features, self.pool), 1))
