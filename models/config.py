"""Named network configurations (DESIGN §5). A config is saved inside every checkpoint;
its types and ranges are checked on construction (InputError), so an edited one is refused."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from models.errors import InputError
from models.labels import NUM_CLASSES, NUM_GRADES

# The network downsamples by 32 (E2's five VGG pools), so sides are multiples of it.
STRIDE = 32
# Input and grading sides, px: beyond 2048 a single photo's crop, activations and
# attention maps no longer fit sensible memory; the paper grades at 512.
MIN_SIZE, MAX_SIZE = STRIDE, 2048
# Any channel width or FC width; ResNet-101's widest layer is 2048. A larger number is a
# damaged or edited configuration, and building it would ask for gigabytes.
MAX_CHANNELS = 8192
MAX_DEPTH = 64  # blocks per backbone stage (ResNet-101's widest stage has 23)
MAX_KERNEL = 15  # attention kernel side (the configs use 3, 5, 7)
MAX_POOL = 16  # E2's pooled grid side (VGG16 uses 7)

# Spatial attention memory. E1's feature map z has output stride 8 (models/backbones.py), so
# N = (input_size / 8)^2 positions, and each spatial scale builds an N x N energy matrix per
# photo (models/attention.py): its softmax and the product's working copy make about three
# such matrices live at once (measured peak on the CPU: 2.8-3.4x B x N^2 x 4 bytes at 384-512
# px). The scales run one after another, so the kernel count does not multiply the peak.
# N^2 grows as input_size^4: one photo needs ~0.2 GiB at 512 px, ~3 GiB at 1024 px, ~48 GiB at
# 2048 px. A configuration whose estimate for ONE photo exceeds ATTENTION_PHOTO_LIMIT is
# refused (it would end in an allocation error or the OOM killer rather than a grade); the
# limit is fixed, not read from this machine, so a checkpoint is accepted or refused alike
# everywhere; it admits input sizes up to 1280 px (a GPU's 1024-px experiments among them).
# The assessment batches photos only as far as ATTENTION_BATCH_BUDGET allows
# (`photos_per_pass`: 8 at the shipped 256 and 512 px, 1 at 1024 px).
E1_STRIDE = 8
ATTENTION_LIVE_MATRICES = 3
ATTENTION_PHOTO_LIMIT = 8 * 2**30  # bytes for one photo
ATTENTION_BATCH_BUDGET = 4 * 2**30  # bytes the assessment's batch may use
MAX_PHOTOS_PER_PASS = 8


def attention_bytes(input_size: int, batch: int = 1) -> int:
    """Estimated peak bytes of one spatial attention scale on `batch` photos of `input_size` px
    (float32; see ATTENTION_PHOTO_LIMIT above)."""
    positions = (input_size // E1_STRIDE) ** 2
    return ATTENTION_LIVE_MATRICES * batch * positions * positions * 4


def photos_per_pass(input_size: int) -> int:
    """How many photos the assessment puts through E1 at once at `input_size`: up to
    MAX_PHOTOS_PER_PASS, as many as ATTENTION_BATCH_BUDGET holds, at least one."""
    return max(1, min(MAX_PHOTOS_PER_PASS, ATTENTION_BATCH_BUDGET // attention_bytes(input_size)))


def max_attention_input_size() -> int:
    """The largest input side (a multiple of STRIDE) whose attention fits ATTENTION_PHOTO_LIMIT."""
    size = MIN_SIZE
    while size + STRIDE <= MAX_SIZE and attention_bytes(size + STRIDE) <= ATTENTION_PHOTO_LIMIT:
        size += STRIDE
    return size


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
    # How z joins E2's VGG path after the third pool. False (a network built from scratch, and
    # checkpoints from before the field): the fusion's output replaces the VGG features. True
    # (set by `--pretrained-vgg`): it is added to them, scaled by a learned factor that starts
    # at 0, so the pretrained VGG16's stages 4-5 first see the features they were trained on.
    e2_residual_fusion: bool = False
    # E2's input side in px; 0 = `input_size`. When set and smaller, E2 grades the photo
    # resized to it (area) and is conditioned on the z of a second E1 backbone pass at that
    # size, while E1's masks and attention stay at `input_size`. Stage 2 can then train at
    # a cheap size and ship without a fine-tune at the full one: on the CPU, E2 moved from
    # 128 to 256 px starts at chance again (docs/train.md, "Grading at the base size").
    grading_size: int = 0
    num_classes: int = NUM_CLASSES
    num_grades: int = NUM_GRADES
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check types and ranges, so a damaged configuration is refused before a network is
        built from it (InputError, one line naming the field)."""
        _check_text("name", self.name)
        _check_text("backbone", self.backbone)
        _check_side("input_size", self.input_size)
        _check_attention_memory(self.input_size)
        if self.grading_size != 0:
            _check_side("grading_size", self.grading_size, "0 or ")
        _check_ints("backbone_widths", self.backbone_widths, 1, MAX_CHANNELS, length=4)
        _check_ints("backbone_depths", self.backbone_depths, 1, MAX_DEPTH, length=4)
        _check_int("attention_channels", self.attention_channels, 1, MAX_CHANNELS)
        _check_int("qk_ratio", self.qk_ratio, 1, self.attention_channels)
        _check_int("value_ratio", self.value_ratio, 1, self.attention_channels)
        _check_ints("attention_kernels", self.attention_kernels, 1, MAX_KERNEL)
        if any(k % 2 == 0 for k in self.attention_kernels):
            raise InputError(f"configuration attention_kernels={list(self.attention_kernels)}: kernels must be odd")
        if not isinstance(self.e2_layers, tuple) or not self.e2_layers:
            raise InputError(f"configuration e2_layers={self.e2_layers!r}: expected a list of widths and 'M'")
        _check_ints("e2_layers", tuple(v for v in self.e2_layers if v != "M"), 1, MAX_CHANNELS)
        _check_int("e2_z_channels", self.e2_z_channels, 1, MAX_CHANNELS)
        _check_int("e2_pool", self.e2_pool, 1, MAX_POOL)
        _check_ints("e2_hidden", self.e2_hidden, 1, MAX_CHANNELS, allow_empty=True)
        _check_float("e2_dropout", self.e2_dropout, 0.0, 1.0)
        _check_float("e2_negative_slope", self.e2_negative_slope, 0.0, 1.0)
        if not isinstance(self.e2_residual_fusion, bool):
            raise InputError(f"configuration e2_residual_fusion={self.e2_residual_fusion!r}: expected true or false")
        _check_int("num_classes", self.num_classes, 1, MAX_CHANNELS)
        _check_int("num_grades", self.num_grades, 1, MAX_CHANNELS)
        if not isinstance(self.extra, dict):
            raise InputError(f"configuration extra={self.extra!r}: expected a mapping")

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
        """Same architecture at another input size (a multiple of 32 from 32 px, up to the attention
        memory limit: 1280 px, `max_attention_input_size`)."""
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


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InputError(f"configuration {name}={value!r}: expected a non-empty name")


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if not _is_int(value) or not low <= value <= high:
        raise InputError(f"configuration {name}={value!r}: expected a whole number from {low} to {high}")


def _check_ints(name: str, values: object, low: int, high: int, length: int | None = None, allow_empty: bool = False) -> None:
    ok = isinstance(values, tuple) and (allow_empty or values) and (length is None or len(values) == length)
    if not ok or not all(_is_int(v) and low <= v <= high for v in values):
        count = f"{length} " if length else ""
        raise InputError(f"configuration {name}={values!r}: expected a list of {count}whole numbers from {low} to {high}")


def _check_float(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise InputError(f"configuration {name}={value!r}: expected a number from {low} to {high}")


def _check_side(name: str, value: object, prefix: str = "") -> None:
    if not _is_int(value) or not MIN_SIZE <= value <= MAX_SIZE or value % STRIDE:
        raise InputError(
            f"configuration {name}={value!r}: expected {prefix}a multiple of {STRIDE} from {MIN_SIZE} to {MAX_SIZE} px"
        )


def _check_attention_memory(input_size: int) -> None:
    needed = attention_bytes(input_size)
    if needed > ATTENTION_PHOTO_LIMIT:
        raise InputError(
            f"configuration input_size={input_size}: its spatial attention would need about {needed / 2**30:.1f} GiB "
            f"for one photo (limit {ATTENTION_PHOTO_LIMIT / 2**30:.0f} GiB); "
            f"use an input size up to {max_attention_input_size()} px or other weights"
        )


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
