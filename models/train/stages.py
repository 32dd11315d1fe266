"""The three training recipes (paper §IV, DESIGN §6).

- stage 1, parsing: E1 alone (`forward_parsing`) with the partial-label cross-entropy on a
  mixture of parsing sets and patient photos with masks;
- stage 2, grading: `freeze_e1()`, then E2 + classifier on patient photos (one expression
  photo = one sample labelled with the patient's grade);
- end-to-end baseline: both encoders trained on patient photos with the grade loss only.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from models.cascade import CascadeNet, build_model
from models.checkpoint import load_pretrained, sha256_of
from models.config import CascadeConfig, get_config
from models.data.augment import Augmenter
from models.data.glasses import check_glasses_fraction
from models.data.parsing import ParsingDataset
from models.data.patients import PatientDataset, labels_found_instead, not_a_patient_set
from models.errors import InputError
from models.labels import CLASS_INDEX
from models.numbers import finite_above_zero
from models.resources import CAUTIONS, weights_cautions
from models.train.checkpoint_file import CheckpointSource, model_and_cautions_of, sha256_of_source
from models.train.face_prep import stage_preparation
from models.train.feature_cache import (
    DEFAULT_CACHE_LIMIT_GB,
    GradingFeatureCache,
    bytes_per_copy,
    cached_grading_step,
    variants_that_fit,
)
from models.train.loop import (
    LoopSettings,
    Progress,
    Step,
    check_epochs,
    check_resume_stage,
    resume_checkpoint,
    train,
)
from models.train.losses import LabelSpace, grading_loss, partial_label_cross_entropy
from models.train.precision import prepare_model
from models.train.sources import (
    GradingBatcher,
    GradingSource,
    ParsingBatcher,
    ParsingSource,
    PhotoReader,
    load_grading_source,
    load_parsing_source,
    load_patient_parsing_source,
)

# Stage-2 / end-to-end augmentation: rotation and mirroring (with the side swap) as in
# DESIGN §6, milder than stage 1's. Rotation stays within ±2°: at 128 px a 6° roll lifts one
# eye 2 px above the other, as much as the palsy asymmetry E2 must learn to see. 6-minute
# runs at LR 2e-4, batch 8 (docs/train.md): ±6° ended at loss 1.77 after 1170 steps (one
# thread), ±2° left the ln 6 plateau near step 1000 and ended at 1.27 after 2228 (two threads).
GRADING_AUGMENT: dict[str, Any] = {"scale": (0.97, 1.06), "rotation": 2.0, "shift": 0.03, "jitter": 0.15}

# Grading steps (stage 2, end-to-end, a clinic's) train channels-last in every precision: in
# fp32 a step is 13-25 % faster (AMD EPYC, 2 threads, batch 8: 0.18-0.20 -> 0.15-0.17 s at
# 128 px, 0.90-0.96 -> 0.66-0.71 s at 256 px; `benchmarks/train_step_time.py --stage grading
# --layout`); a stage-1 step is not (0.34-0.36 -> 0.36-0.37 s at 128 px), so parsing keeps
# the precision's layout (`prepare_model`).
GRADING_CHANNELS_LAST = True


@dataclass
class DataSpec:
    """One training data folder: a parsing set or a patient set, its split and sampling weight."""

    path: Path
    weight: float = 1.0
    split: str = "train"

    @classmethod
    def parse(cls, text: str) -> DataSpec:
        """'DIR' or 'DIR:WEIGHT' (the CLI's --data)."""
        path, sep, weight = text.rpartition(":")
        if sep:
            try:
                value = float(weight)
            except ValueError:
                return cls(Path(text))
            if not finite_above_zero(value):
                raise InputError(f"bad --data value {text!r}: the weight must be a finite number above 0")
            return cls(Path(path), value)
        return cls(Path(text))


def is_patient_set(path: Path) -> bool:
    """A folder in the patient layout (labels.csv) rather than the parsing layout."""
    return (Path(path) / "labels.csv").is_file()


def data_record(specs: Sequence[DataSpec]) -> list[dict[str, Any]]:
    """The data folders of a run as its checkpoint records them for a resume (absolute paths)."""
    return [{"path": str(Path(spec.path).resolve()), "weight": float(spec.weight), "split": spec.split} for spec in specs]


def unique_names(paths: Sequence[Path]) -> list[str]:
    """A name per folder for the training record: its own name, with its parent folders (then
    its position) added where two folders share a name (lfw_small and dup/lfw_small)."""
    names = [Path(p).name for p in paths]
    full = [Path(p).resolve() for p in paths]
    for depth in (2, 3):
        if len(set(names)) == len(names):
            break
        names = ["/".join(f.parts[-depth:]) if names.count(n) > 1 else n for f, n in zip(full, names, strict=True)]
    return [n if names.count(n) == 1 else f"{n}#{i + 1}" for i, n in enumerate(names)]


def parsing_long_side(size: int) -> int:
    """The longer side stage-1 photos are kept at for `size` px training: room for the zoom."""
    return int(size * 1.4)


def build_parsing_sources(
    specs: Sequence[DataSpec], long_side: int, photos: PhotoReader | None = None
) -> tuple[list[ParsingSource], list[float], LabelSpace, dict]:
    """Load every spec's training part into memory; returns sources, weights, label space, summary.
    Patient photos are read through `photos` (`sources.PhotoReader`: decoded when none is given)."""
    space = LabelSpace()
    sources, weights, summary = [], [], {}
    names = unique_names([Path(spec.path) for spec in specs])
    for spec, name in zip(specs, names, strict=True):
        if not Path(spec.path).is_dir():
            raise InputError(f"training data folder not found: {spec.path}")
        if is_patient_set(spec.path):
            patients = PatientDataset(spec.path)
            source = load_patient_parsing_source(patients, patients.patient_ids(spec.split), long_side, name, photos)
        else:
            dataset = ParsingDataset.open(spec.path)
            source = load_parsing_source(dataset, dataset.split_names(spec.split), space, long_side, name)
        if not len(source):
            raise InputError(f"{spec.path}: no {spec.split} images with masks to train on")
        sources.append(source)
        weights.append(spec.weight)
        summary[source.name] = {"images": len(source), "split": spec.split, "weight": spec.weight}
    return sources, weights, space, summary


def grading_augmenter(size: int) -> Augmenter:
    """Stage 2's and end-to-end's augmentation (`GRADING_AUGMENT`) to `size` x `size`."""
    return Augmenter(size, scale=GRADING_AUGMENT["scale"], rotation=GRADING_AUGMENT["rotation"],
                     shift=GRADING_AUGMENT["shift"], jitter=GRADING_AUGMENT["jitter"])


def parsing_step(batcher: ParsingBatcher, allowed: torch.Tensor) -> Step:
    """Stage-1 step: E1 forward and the partial-label loss."""

    def compute(model: CascadeNet, batch: tuple[torch.Tensor, torch.Tensor], device: torch.device) -> tuple[torch.Tensor, dict[str, float]]:
        images, masks = batch
        logits = model.forward_parsing(images.to(device))["logits"]
        return partial_label_cross_entropy(logits, masks.to(device), allowed), {}

    return Step(batcher, compute)


def grading_step(batcher: GradingBatcher, ordinal_weight: float = 0.0) -> Step:
    """Stage-2 / end-to-end step: the full cascade and cross-entropy over the six grades,
    plus `ordinal_weight` x the ordinal term (`ordinal_grade_loss`) when it is positive."""

    def compute(model: CascadeNet, batch: tuple[torch.Tensor, ...], device: torch.device) -> tuple[torch.Tensor, dict[str, float]]:
        images, grades, _ = batch
        images, grades = images.to(device), grades.to(device)
        model.check_input(images)
        # E2 needs only z: skip E1's attention head and pixel classifier (they do not touch
        # the grade), which saves a third of a frozen-E1 step on the CPU. `grade` runs E1's
        # backbone at the size E2 grades at (`CascadeConfig.grading_size`), without gradient
        # when E1 is frozen.
        return grading_loss(model.grade(images), grades, ordinal_weight)

    return Step(batcher, compute)


def _steps_for(epochs: float | None, n_samples: int, batch_size: int) -> int | None:
    check_epochs(epochs)
    return math.ceil(epochs * n_samples / batch_size) if epochs else None


def _model_for(
    config: CascadeConfig | str, input_size: int | None, seed: int, init: CheckpointSource | None
) -> tuple[CascadeNet, dict[str, Any] | None]:
    """The network to start from and, for `init`, the record of that checkpoint (file, sha256,
    and the cautions it carries, if any: `inherited_cautions`); an `init` the caller read
    already (`CheckpointFile`) is not read again."""
    if init:
        model, cautions = model_and_cautions_of(init)
        if input_size is not None and input_size != model.config.input_size:
            raise InputError(f"--init {init} was trained at {model.config.input_size} px; drop --input-size or use the same size")
        return model, {"file": Path(init).name, "sha256": sha256_of_source(init), **({CAUTIONS: cautions} if cautions else {})}
    if isinstance(config, str):
        try:
            config = get_config(config)
        except ValueError as exc:  # an unknown name: say which exist
            raise InputError(f"--config {config}: {exc}") from None
    if input_size is not None:
        if input_size % 32:
            raise InputError(f"--input-size {input_size} must be a multiple of 32")
        config = config.with_input_size(input_size)
    return build_model(config, seed=seed), None


@dataclass(frozen=True)
class Pretrained:
    """Local torchvision weight files to start the backbones from; nothing is downloaded. They
    fit the `paper` configuration: `resnet` a resnet101 state dict for E1's backbone, `vgg` a
    vgg16_bn one for E2's convolutional layers (its classifier is left out)."""

    resnet: str | Path | None = None
    vgg: str | Path | None = None

    def __bool__(self) -> bool:
        return bool(self.resnet or self.vgg)


def _apply_pretrained(
    model: CascadeNet, pretrained: Pretrained | None, *, stage: str, resume: CheckpointSource | None, init: CheckpointSource | None,
) -> dict[str, Any]:
    """Load the `pretrained` files into a new run's model; {"pretrained": what was loaded (file,
    sha256, tensors)} for the checkpoint's training record, {} when nothing was given.

    Refused where the file would be ignored or would overwrite trained weights: a resumed run
    (its weights come from its checkpoint), a ResNet over an `--init` E1, and VGG weights for
    stage 1 (parsing trains E1 alone)."""
    if not pretrained:
        return {}
    if resume:
        raise InputError("--pretrained-resnet/--pretrained-vgg start a new run; a resumed run goes on from its own weights")
    if pretrained.resnet and init:
        raise InputError("--pretrained-resnet would overwrite the E1 of --init; give one or the other")
    if pretrained.vgg and init and any(int(b) for n, b in model.e2.named_buffers() if n.endswith("num_batches_tracked")):
        raise InputError(f"--pretrained-vgg would overwrite the trained E2 of --init {Path(init).name}; give it with "
                         "a stage-1 (parsing) checkpoint, whose E2 is untrained")
    if pretrained.vgg and stage == "parsing":
        raise InputError("--pretrained-vgg initialises E2, which palsy train parsing does not train; "
                         "use it with palsy train grading or end-to-end")
    if pretrained.vgg:
        _use_residual_fusion(model)
    counts = load_pretrained(model, resnet=pretrained.resnet, vgg=pretrained.vgg)
    record = {}
    for key, path, part in (("resnet", pretrained.resnet, "e1_backbone"), ("vgg", pretrained.vgg, "e2_features")):
        if path:
            record[key] = {"file": Path(path).name, "sha256": sha256_of(path), "tensors": counts[part]}
    return {"pretrained": record}


def _use_residual_fusion(model: CascadeNet) -> None:
    """Give the untrained E2 about to load VGG16 weights the residual z fusion
    (`CascadeConfig.e2_residual_fusion`, recorded in the checkpoint): at the start E2 is the
    pretrained VGG path itself, where the replacing fusion would feed its stages 4-5 a random
    projection."""
    if not model.config.e2_residual_fusion:
        model.config = replace(model.config, e2_residual_fusion=True)
        model.e2.add_residual_fusion()


def _start(
    resume: CheckpointSource | None, config: CascadeConfig | str, input_size: int | None, seed: int,
    init: CheckpointSource | None, stage: str,
) -> tuple[CascadeNet, dict[str, Any] | None, dict[str, Any]]:
    """The model to train, when resuming the loop state to go on from, and the records of what
    the run started from: `init` (the checkpoint) and `pretrained` (torchvision files, added by
    `_apply_pretrained` for a new run); a resumed run keeps its run's records. `resume` and
    `init` are paths, or `CheckpointFile`s a caller read to check them (not read again)."""
    if resume:
        model, state, training = resume_checkpoint(resume)
        check_resume_stage(state, stage, resume)
        if input_size is not None and input_size != model.config.input_size:
            raise InputError(f"--resume {resume} trains at {model.config.input_size} px; drop --input-size {input_size} "
                             "or start a new run")
        return model, state, {key: training[key] for key in ("init", "pretrained") if isinstance(training.get(key), dict)}
    model, init_record = _model_for(config, input_size, seed, init)
    return model, None, ({"init": init_record} if init_record else {})


def inherited_cautions(origin: dict[str, Any], stage: str) -> dict[str, Any]:
    """The entries a run's checkpoint adds to its dict for what it started from (`origin`, as
    `_start` gives it): {CAUTIONS: [...]} when its --init weights carry cautions (a clinic's
    clinic.pt: not validated, trained on a handful of patients), those first, then one sentence
    saying these weights were trained further from them; {} when they carry none (the
    demonstration weights: `models.resources.shown_cautions` says what such weights need).
    Weights trained on from clinic.pt showed no caution at all: no banner, no box on the report."""
    init = origin.get("init")
    cautions = weights_cautions(init) if isinstance(init, dict) else []
    if not cautions:
        return {}
    further = (f"Trained further from {init.get('file')} with palsy train {stage}: the cautions above are that file's, "
               "and no test has checked these weights since.")
    return {CAUTIONS: [*cautions, further]}


def train_parsing(
    specs: Sequence[DataSpec],
    out: str | Path,
    settings: LoopSettings,
    device: torch.device,
    config: CascadeConfig | str = "compact",
    input_size: int | None = None,
    epochs: float | None = None,
    batch_size: int = 8,
    init: CheckpointSource | None = None,
    resume: CheckpointSource | None = None,
    progress: Progress | None = None,
    log_path: str | Path | None = None,
    glasses_p: float = 0.0,
    pretrained: Pretrained | None = None,
    photos: PhotoReader | None = None,
    mark: dict[str, Any] | None = None,
) -> tuple[CascadeNet, dict[str, Any]]:
    """Stage 1: train E1 for face parsing; returns the model and the loop summary. `glasses_p`
    of the training faces get wire-rim glasses drawn around their eyes (`models.data.glasses`).
    `pretrained`: E1's backbone starts from a local torchvision ResNet file (`Pretrained`).
    `photos` reads the patient photos (`sources.PhotoReader`; a clinic's kept arrays). `mark`
    joins the checkpoint's training record (a clinic run names its stage files as such)."""
    check_glasses_fraction(glasses_p)
    model, resume_state, origin = _start(resume, config, input_size, settings.seed, init, settings.stage)
    origin.update(_apply_pretrained(model, pretrained, stage="parsing", resume=resume, init=init))
    size = model.config.input_size
    sources, weights, space, summary = build_parsing_sources(specs, parsing_long_side(size), photos)
    eyes = space.labels_within((CLASS_INDEX["left_eye"], CLASS_INDEX["right_eye"]))
    batcher = ParsingBatcher(sources, weights, Augmenter(size, swap_table=space.swap_table), batch_size, glasses_p, eyes)
    if epochs:
        settings.steps = _steps_for(epochs, sum(len(s) for s in sources), batch_size)
    model.unfreeze_e1()
    info = {"data": summary, "batch_size": batch_size, "input_size": size, "label_sets": [list(s) for s in space.sets],
            "glasses_p": glasses_p, **origin, **stage_preparation(photos), **(mark or {})}
    result = train(model, parsing_step(batcher, space.allowed_tensor()), settings, out, device, progress, resume_state, log_path, info,
                   run_record={"data": data_record(specs)}, meta=inherited_cautions(origin, settings.stage))
    return model, {**result, "data": summary}


def train_grading(
    data: str | Path,
    out: str | Path,
    settings: LoopSettings,
    device: torch.device,
    cascaded: bool = True,
    config: CascadeConfig | str = "compact",
    input_size: int | None = None,
    epochs: float | None = None,
    batch_size: int = 8,
    init: CheckpointSource | None = None,
    resume: CheckpointSource | None = None,
    patient_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
    log_path: str | Path | None = None,
    ordinal_weight: float = 0.0,
    cache_variants: int = 0,
    cache_limit_gb: float = DEFAULT_CACHE_LIMIT_GB,
    pretrained: Pretrained | None = None,
    photos: PhotoReader | None = None,
    mark: dict[str, Any] | None = None,
) -> tuple[CascadeNet, dict[str, Any]]:
    """Stage 2 (`cascaded=True`: E1 frozen, needs a stage-1 `init`) or the end-to-end baseline.
    `ordinal_weight` > 0 adds the ordinal term to the loss (docs/train.md, "Ordinal term").
    `cache_variants` > 0 (cascaded only) trains E2 on that many cached augmented copies of each
    photo with E1's z computed once (`feature_cache`); the caching time counts in `minutes`.
    `pretrained`: E2's VGG layers (and, end-to-end, E1's backbone) start from local torchvision
    files (`Pretrained`). `photos` reads the patient photos (`sources.PhotoReader`). `mark` joins
    the checkpoint's training record (`train_parsing`)."""
    if not math.isfinite(ordinal_weight) or ordinal_weight < 0:
        raise InputError(f"--ordinal-weight must be a finite number of 0 or more, got {ordinal_weight!r}")
    if cache_variants and not cascaded:
        raise InputError("--cache-variants needs a frozen E1 (palsy train grading); the end-to-end baseline trains E1 too")
    if cascaded and not init and not resume:
        raise InputError("cascaded grading trains E2 on a frozen, trained E1: give the stage-1 checkpoint with --init")
    if not Path(data).is_dir() and not labels_found_instead(Path(data)):  # a .zip is named as one
        raise InputError(f"training data folder not found: {data}")
    if not is_patient_set(Path(data)):
        raise not_a_patient_set(data, "grading needs graded patients")
    patients = PatientDataset(data)
    ids = list(patient_ids) if patient_ids is not None else patients.patient_ids("train")
    if not ids:
        raise InputError(f"{data} has no training patients (the train split is empty); grade more patients or set "
                         "the split column of labels.csv (train / val / test)")
    if not patients.samples(patient_ids=ids):
        raise InputError(f"{data}: the {len(ids)} training patient(s) have no expression photos to train on "
                         f"(expected {Path(data) / ids[0]}/rest.jpg ...)")
    model, resume_state, origin = _start(resume, config, input_size, settings.seed, init, settings.stage)
    origin.update(_apply_pretrained(model, pretrained, stage=settings.stage, resume=resume, init=init))
    size = model.config.input_size
    # Photos are shrunk once to the input size (area filter) and warped once more, gently:
    # a 1-2 pixel asymmetry at 128 px is the whole signal, and every resampling blurs it.
    source = load_grading_source(patients, ids, long_side=size, photos=photos)
    augmenter = grading_augmenter(size)
    batcher = GradingBatcher(source, augmenter, batch_size)
    if epochs:
        settings.steps = _steps_for(epochs, len(source), batch_size)
    if settings.channels_last is None:
        settings.channels_last = GRADING_CHANNELS_LAST
    if cascaded:
        model.freeze_e1()
    else:
        model.unfreeze_e1()
    summary = {"patients": len(ids), "photos": len(source), "folder": Path(data).name}
    augment = dict(GRADING_AUGMENT)
    # Only a cascaded run gets here with cache_variants > 0 (checked above).
    cache = _feature_cache(model, source, augmenter, cache_variants, cache_limit_gb, settings, device, progress)
    if cache is None:
        step = grading_step(batcher, ordinal_weight)
    else:
        step = cached_grading_step(cache, batch_size, ordinal_weight)
        augment["cached"] = cache.summary()
    info = {"data": summary, "batch_size": batch_size, "input_size": size, "cascaded": cascaded, "augment": augment,
            "ordinal_weight": ordinal_weight, "cache_variants": cache_variants, **origin, **stage_preparation(photos),
            **(mark or {})}
    result = train(model, step, settings, out, device, progress, resume_state, log_path, info,
                   run_record={"data": data_record([DataSpec(Path(data))])}, meta=inherited_cautions(origin, settings.stage))
    if cache is not None:  # the stage's wall time includes building the cache
        result["elapsed_s"] = round(result["elapsed_s"] + cache.build_s, 1)
    return model, {**result, "data": summary, "augment": augment}


def _feature_cache(
    model: CascadeNet, source: GradingSource, augmenter: Augmenter, variants: int, limit_gb: float,
    settings: LoopSettings, device: torch.device, progress: Progress | None,
) -> GradingFeatureCache | None:
    """The stage-2 feature cache, or None (asked for none, or not one copy per photo fits in
    `limit_gb`). Its build time comes off the run's minutes, so the stage keeps its budget."""
    if not variants:
        return None
    fit = variants_that_fit(variants, len(source), bytes_per_copy(model), limit_gb)
    if fit < variants:
        print(f"[{settings.stage}] feature cache: {fit} of {variants} copies per photo fit in {limit_gb:g} GB"
              + ("; training without the cache" if not fit else ""), file=sys.stderr, flush=True)
    if not fit:
        return None

    def report(fraction: float) -> bool:
        if progress is None:
            return False
        progress.update(f"{settings.stage} (caching E1 features)", 0, fraction, {})
        return progress.cancelled()

    # The loop's layout, set now: E1's backbone encodes ~15 % faster channels-last.
    prepare_model(model.to(device), settings.precision, settings.channels_last)
    cache = GradingFeatureCache.build(model, source, augmenter, fit, settings.seed, device, settings.precision, report=report)
    if settings.minutes:
        settings.minutes = max(settings.minutes - cache.build_s / 60.0, 1e-3)
    return cache
