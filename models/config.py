"""Named network configurations (DESIGN §5). A config is saved inside every checkpoint."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from models.labels import NUM_CLASSES, NUM_GRADES


@dataclass(frozen=True)
class CascadeConfig:
    """Everything that decides the architecture; plain types only so it fits a checkpoint."""

    name: str
    input_size: int
    # E1 backbone: "resnet101" / "resnet50" (torchvision Bottleneck ResNets) or "resnet_basic"
    # (a BasicBlock ResNet with the widths and depths below, dilated by hand).
    backbone: str
    backbone_widths: tuple[int, ...] = (64, 128, 256, 512)
    backbone_depths: tuple[int, ...] = (2, 2, 2, 2)
    # Attention head: z is reduced to `attention_channels` (3x3 Conv-BN-ReLU) before the
    # spatial attentions; Q and K get attention_channels // qk_ratio channels.
    attention_channels: int = 512
    qk_ratio: int = 8
    # V of each spatial scale gets attention_channels // value_ratio channels.
    value_ratio: int = 1
    attention_kernels: tuple[int, ...] = (3, 5, 7)
    # E2: VGG layout as torchvision's cfg list ("M" = max-pool); z is fused after the
    # third pool (stride 8).
    e2_layers: tuple = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")
    e2_z_channels: int = 256
    # E2's last feature map is average-pooled to e2_pool x e2_pool and flattened into the FC
    # layers, as VGG16 does (7 x 7). 1 = global pooling, which throws away where a feature
    # is, and with it the left/right comparison that grading rests on (probe in config docs).
    e2_pool: int = 1
    e2_hidden: tuple[int, ...] = (512, 256)
    e2_dropout: float = 0.5
    # Activation between E2's FC layers: ReLU (0.0, as VGG16, and checkpoints from before the
    # field) or LeakyReLU with this negative slope, which keeps head units that fell silent on
    # stage 2's ln 6 plateau learning (docs/train.md, "Stage 2's plateau and the head's ReLUs").
    e2_negative_slope: float = 0.0
    # E2's input side in px; 0 = `input_size`. When set and smaller, E2 grades the photo
    # resized to it (area) and is conditioned on the z of a second E1 backbone pass at that
    # size, while E1's masks and attention stay at `input_size`. Stage 2 can then train at
    # a cheap size and ship without a fine-tune at the full one: on the CPU, E2 moved from
    # 128 to 256 px starts at chance again (docs/train.md, "Grading at the base size").
    grading_size: int = 0
    num_classes: int = NUM_CLASSES
    num_grades: int = NUM_GRADES
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain-dict form for checkpoints (tuples become lists)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CascadeConfig:
        """Inverse of `to_dict`; unknown keys are an error so a wrong file is caught early."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown configuration keys: {sorted(unknown)}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**values)

    def with_input_size(self, size: int) -> CascadeConfig:
        """Same architecture at another input size (must be a multiple of 32)."""
        return CascadeConfig.from_dict({**self.to_dict(), "input_size": size})

    def with_grading_size(self, size: int) -> CascadeConfig:
        """Same architecture with E2 grading at `size` px (0 or `input_size`: at the input)."""
        return CascadeConfig.from_dict({**self.to_dict(), "grading_size": 0 if size == self.input_size else size})

    def with_e2_of(self, other: CascadeConfig) -> CascadeConfig:
        """This configuration with `other`'s E2 (every `e2_*` field): a fresh E2 as another
        configuration defines it on this one's E1."""
        return CascadeConfig.from_dict({**self.to_dict(), **{k: v for k, v in other.to_dict().items() if k.startswith("e2_")}})

    @property
    def e2_size(self) -> int:
        """The input side E2 grades at."""
        return self.grading_size or self.input_size


PAPER = CascadeConfig(
    name="paper",
    input_size=512,
    backbone="resnet101",
    attention_channels=512,
    qk_ratio=8,
    # Measured with torch's FLOP counter at 512 px: V at the full 512 channels makes E1
    # cost 1.67x DeepLabV3-ResNet101 (the 7x7 value convolution alone outweighs
    # DeepLab's ASPP head); V at 512/4 = 128 channels brings it to 1.28x (README).
    value_ratio=4,
    e2_pool=7,
)

COMPACT = CascadeConfig(
    name="compact",
    input_size=256,
    backbone="resnet_basic",
    backbone_widths=(32, 64, 128, 256),
    backbone_depths=(2, 2, 2, 2),
    attention_channels=128,
    qk_ratio=8,
    value_ratio=1,
    e2_layers=(16, 16, "M", 32, 32, "M", 64, 64, 64, "M", 128, 128, 128, "M", 128, 128, 128, "M"),
    e2_z_channels=64,
    # 4 x 4 keeps the face's left and right halves apart. Probe on the old demo E1 (frozen,
    # 128 px, 400 synthetic patients, 5 min): held-out patient accuracy 0.34-0.40 with
    # 4 x 4 against 0.13-0.22 with global pooling.
    e2_pool=4,
    e2_hidden=(128, 64),
    # Dropout 0.3 stays. Without it E2 leaves stage 2's ln 6 plateau sooner (6-min probes:
    # after ~900 steps, held-out accuracy 0.34 against 0.17 still on the plateau), but a
    # whole `palsy train demo` run with 0.0 (2026-12-01) ended no better: network grade
    # 0.417 / kappa 0.742 against 0.442 / 0.768 (docs/train.md, "Dropout in E2's head").
    e2_dropout=0.3,
    # e2_negative_slope stays 0 (ReLU): LeakyReLU 0.1 left the plateau sooner in cached-feature
    # probes, but not in the live loop of a whole stage 2, and scored lower (docs/train.md,
    # "Stage 2's plateau and the head's ReLUs").
)

CONFIGS: dict[str, CascadeConfig] = {c.name: c for c in (PAPER, COMPACT)}


def get_config(name: str) -> CascadeConfig:
    """A named configuration ('paper' or 'compact')."""
    try:
        return CONFIGS[name]
    except KeyError:
        raise ValueError(f"unknown configuration {name!r}; choose one of {', '.join(CONFIGS)}") from None
