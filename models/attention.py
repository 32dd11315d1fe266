"""Multi-scale spatial attention and channel attention (paper §III-B, eq. 1-4; DESIGN §5).

Both attention outputs are scaled by a learned lambda initialised to 0, so at
initialisation the head returns z unchanged (the fusion convolution has no bias).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def conv_bn_relu(cin: int, cout: int, k: int) -> nn.Sequential:
    """k x k convolution (same padding) + BatchNorm + ReLU, the paper's Conv-BN-ReLU block."""
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class SpatialAttention(nn.Module):
    """One scale of position attention.

    s[j, i] = softmax_i(Q_i^T K_j) is the weight of position i when predicting position j
    (eq. 1); A_j = lambda * sum_i s[j, i] V_i (eq. 2).
    """

    def __init__(self, channels: int, kernel: int, qk_channels: int, v_channels: int) -> None:
        super().__init__()
        self.query = conv_bn_relu(channels, qk_channels, kernel)
        self.key = conv_bn_relu(channels, qk_channels, kernel)
        self.value = conv_bn_relu(channels, v_channels, kernel)
        self.scale = nn.Parameter(torch.zeros(1))  # lambda_spl, initialised to 0

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns A (B, Cv, H, W) and the attention each position receives (B, H, W)."""
        b, _, h, w = x.shape
        q = self.query(x).flatten(2)  # B, Cq, D
        k = self.key(x).flatten(2)  # B, Cq, D
        v = self.value(x).flatten(2)  # B, Cv, D
        # energy[b, j, i] = K_j . Q_i ; softmax over i (the attended positions).
        s = torch.softmax(torch.bmm(k.transpose(1, 2), q), dim=-1)  # B, D(j), D(i)
        out = torch.bmm(v, s.transpose(1, 2))  # B, Cv, D(j)
        received = s.mean(dim=1).view(b, h, w)  # averaged over the querying positions j
        return self.scale * out.view(b, -1, h, w), received


class ChannelAttention(nn.Module):
    """Channel attention on z with Q = K = V = z reshaped to C x D.

    c[j, i] = softmax_i(K_i Q_j^T) (eq. 3) and A_j = lambda * sum_i c[j, i] V_i (eq. 4).
    Written as a product, A = lambda * c V with c's rows summing to one; DESIGN's
    "c^T V" names the same product with c indexed [i, j].
    """

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.zeros(1))  # lambda_chl, initialised to 0

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns A (B, C, H, W) and a per-pixel display map (B, H, W) of the attended features."""
        b, c, h, w = z.shape
        flat = z.flatten(2)  # B, C, D
        energy = torch.bmm(flat, flat.transpose(1, 2))  # B, C(j), C(i)
        # Subtracting the row max before softmax changes nothing mathematically (softmax is
        # shift-invariant) but keeps exp() finite for large activations. This is the paper's
        # eq. 3, softmax(energy); it is not DANet's CAM, whose softmax(max - energy) equals
        # softmax(-energy) and so favours the least similar channels.
        energy = energy - energy.amax(dim=-1, keepdim=True)
        attn = torch.softmax(energy, dim=-1)
        out = torch.bmm(attn, flat).view(b, c, h, w)
        # Display heat: how strongly each position is expressed in the re-weighted channels.
        heat = out.abs().mean(dim=1)
        return self.scale * out, heat


class MultiScaleAttentionHead(nn.Module):
    """z -> reduce -> spatial attention at each kernel size, concat, fuse; + channel attention; + z.

    Returns the summed feature map (same shape as z) and the attention display maps at
    z's resolution, ordered as `attention_names` gives them for the kernels given.
    """

    def __init__(self, z_channels: int, channels: int, kernels: tuple[int, ...], qk_ratio: int, value_ratio: int) -> None:
        super().__init__()
        self.kernels = tuple(kernels)
        v_channels = max(1, channels // value_ratio)
        self.reduce = conv_bn_relu(z_channels, channels, 3)
        self.spatial = nn.ModuleList(
            SpatialAttention(channels, k, max(1, channels // qk_ratio), v_channels) for k in self.kernels
        )
        # No bias and no activation: with lambda = 0 the fused map is exactly zero.
        self.fuse = nn.Conv2d(v_channels * len(self.kernels), z_channels, 1, bias=False)
        self.channel = ChannelAttention()

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        reduced = self.reduce(z)
        maps, heats = [], []
        for attention in self.spatial:
            a, heat = attention(reduced)
            maps.append(a)
            heats.append(heat)
        channel_map, channel_heat = self.channel(z)
        heats.append(channel_heat)
        fused = self.fuse(torch.cat(maps, dim=1))
        return fused + channel_map + z, torch.stack(heats, dim=1)


def attention_names(kernels: tuple[int, ...]) -> tuple[str, ...]:
    """Names of the attention display maps, in output order."""
    return tuple(f"spatial_{k}" for k in kernels) + ("channel",)


def normalise_heat(heat: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Upsample (B, M, h, w) display maps to `size` and scale each map to [0, 1]."""
    up = F.interpolate(heat, size=size, mode="bilinear", align_corners=False)
    lo = up.amin(dim=(2, 3), keepdim=True)
    hi = up.amax(dim=(2, 3), keepdim=True)
    return (up - lo) / (hi - lo).clamp_min(1e-12)
