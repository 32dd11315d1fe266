"""E1 backbones: dilated ResNets with output stride 8 (paper §III-B, DESIGN §5).

Bottleneck ResNets come straight from torchvision's constructors with
`replace_stride_with_dilation=[False, True, True]`. torchvision's BasicBlock refuses
dilation, so the compact BasicBlock ResNet sets the strides and dilations of its last two
stages itself.
"""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models import resnet


class DilatedBasicBlock(nn.Module):
    """ResNet BasicBlock whose 3x3 convolutions may be atrous."""

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, dilation: int = 1,
                 downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, padding=dilation, dilation=dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class DilatedBasicResNet(nn.Module):
    """BasicBlock ResNet, output stride 8: stages 3 and 4 keep resolution, dilation 2 and 4."""

    def __init__(self, widths: tuple[int, ...], depths: tuple[int, ...]) -> None:
        super().__init__()
        if len(widths) != 4 or len(depths) != 4:
            raise ValueError("resnet_basic needs four stage widths and four depths")
        self.conv1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.inplanes = widths[0]
        # (stride, dilation) per stage: stride 4 after the stem, 8 after layer2, then atrous.
        plan = ((1, 1), (2, 1), (1, 2), (1, 4))
        self.layer1, self.layer2, self.layer3, self.layer4 = (
            self._stage(w, d, s, dil) for w, d, (s, dil) in zip(widths, depths, plan, strict=True)
        )
        self.out_channels = widths[-1]
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def _stage(self, planes: int, blocks: int, stride: int, dilation: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        # The first block of an atrous stage uses half the dilation, as torchvision does.
        layers = [DilatedBasicBlock(self.inplanes, planes, stride, max(1, dilation // 2), downsample)]
        self.inplanes = planes
        layers += [DilatedBasicBlock(planes, planes, 1, dilation) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


class TorchvisionDilatedResNet(nn.Module):
    """torchvision Bottleneck ResNet without its last two down-samplings (output stride 8)."""

    def __init__(self, arch: str) -> None:
        super().__init__()
        constructors = {"resnet50": resnet.resnet50, "resnet101": resnet.resnet101}
        if arch not in constructors:
            raise ValueError(f"unknown backbone {arch!r}; expected one of {sorted(constructors)}")
        # weights=None: nothing is ever downloaded. Pretrained weights load from a local file.
        net = constructors[arch](weights=None, replace_stride_with_dilation=[False, True, True])
        self.conv1, self.bn1, self.relu, self.maxpool = net.conv1, net.bn1, net.relu, net.maxpool
        self.layer1, self.layer2, self.layer3, self.layer4 = net.layer1, net.layer2, net.layer3, net.layer4
        self.out_channels = 2048

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


def build_backbone(name: str, widths: tuple[int, ...], depths: tuple[int, ...]) -> nn.Module:
    """The E1 backbone named in a config; its `out_channels` is z's channel count."""
    if name == "resnet_basic":
        return DilatedBasicResNet(widths, depths)
    return TorchvisionDilatedResNet(name)
