"""Load the grading model once and reuse it; pick the compute device."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from models.cascade import CascadeNet
from models.checkpoint import load_checkpoint, sha256_of
from models.errors import CheckpointError, InputError
from models.resources import (
    CAUTIONS,
    DEMO_WEIGHTS,
    default_weights_path,
    is_demo_weights,
    shown_cautions,
    summary_of,
)

DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")


@dataclass
class ModelInfo:
    """What the report and assessment.json say about the model."""

    name: str
    sha256: str | None
    path: str | None
    config: str
    training_data: Any = None
    metrics: dict = field(default_factory=dict)
    # The verdict when loaded (`models.resources.is_demo_weights`), kept in every stored record so
    # a report rebuilt later, when the file is gone or replaced, still warns; None: not judged
    # (an in-memory network, `wrap_model`).
    demo: bool | None = None
    state_sha256: str | None = None  # the digest of the weights the checkpoint records
    training_command: str | None = None  # the command that trained them (`palsy train ...`)
    # E2 was trained on the z of an earlier E1 (`e2_on_other_e1`): every assessment flags it
    e2_on_other_e1: bool = False
    # What a user must see of the weights (`models.resources.shown_cautions`: a clinic's
    # own weights, any weights but the demonstration ones: not validated), kept in every record so a report rebuilt later still shows it
    cautions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The model record of assessment.json and of the stored assessments."""
        record = {
            "name": self.name,
            "config": self.config,
            "sha256": self.sha256,
            "path": self.path,
            "training_data": self.training_data,
        }
        if self.demo is not None:
            record["demo"] = self.demo
            record["state_sha256"] = self.state_sha256
            record["training_command"] = self.training_command
        if self.e2_on_other_e1:
            record["e2_on_other_e1"] = True
        if self.cautions:
            record[CAUTIONS] = list(self.cautions)
        return record


@dataclass
class LoadedModel:
    """A network in eval mode on its device, with its description."""

    model: CascadeNet
    info: ModelInfo
    device: torch.device


@dataclass(frozen=True)
class Wording:
    """How the user chooses the weights and the device where an error is shown: the CLI's
    options (`CLI_WORDING`, the default) or the GUI's Settings (`app.analysis.gui_wording()`),
    so the GUI never tells the user to pass a command-line option."""

    choose_weights: str  # the advice after a missing path, or a folder given as weights
    no_default_weights: str  # the advice when the shipped demo weights are not installed
    cuda_missing: str  # the whole message: CUDA was asked for, there is none


CLI_WORDING = Wording(
    choose_weights="pass an existing .pt file with --weights",
    no_default_weights="run `palsy train demo` or pass --weights FILE",
    cuda_missing="--device cuda was asked for but no CUDA GPU is available; use --device auto or cpu",
)


def resolve_device(name: str = "auto", wording: Wording = CLI_WORDING) -> torch.device:
    """'auto' -> cuda when available else cpu; 'cuda' without CUDA is a user error
    (InputError). The one rule of the assessment and the training commands."""
    if name not in DEVICES:
        raise InputError(f"unknown device {name!r}; choose one of {', '.join(DEVICES)}")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError(wording.cuda_missing)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def wrap_model(model: CascadeNet, name: str = "untrained", device: str | torch.device = "cpu") -> LoadedModel:
    """Wrap an in-memory network (tests, benchmarks) the way `load_model` returns one."""
    device = resolve_device(device) if isinstance(device, str) else device
    model = model.to(device).eval()
    return LoadedModel(model, ModelInfo(name, None, None, model.config.name, None), device)


def grading_never_trained(model: CascadeNet, meta: dict[str, Any]) -> bool:
    """Whether a checkpoint holds face parsing only: its training record names a stage-1 run
    (`palsy train parsing`, the demo's `parsing_fine` / `parsing_polish`) and its E2 has never
    seen a training batch (every batch-norm layer of E2 counted none; stage 1 runs E1 alone).

    A stage-1 run started with `--init` from graded weights keeps their trained E2 and is not
    refused; checkpoints without a training record (tests' untrained networks, a cascade
    assembled by the demo recipe) are not judged."""
    return _stage_1_run(meta) and not e2_trained(model)


def _recorded_stage(meta: dict[str, Any]) -> str | None:
    """The stage the checkpoint's training record names (`parsing`, `grading`, `end-to-end`, a
    recipe's own), or None without one."""
    training = meta.get("training") if isinstance(meta.get("training"), dict) else {}
    state = meta.get("train_state") if isinstance(meta.get("train_state"), dict) else {}
    stage = training.get("stage") or state.get("stage")
    return stage if isinstance(stage, str) else None


def _stage_1_run(meta: dict[str, Any]) -> bool:
    """Whether the checkpoint's training record names a stage-1 run (`parsing...`)."""
    stage = _recorded_stage(meta)
    return stage is not None and stage.startswith("parsing")


def e2_trained(model: CascadeNet) -> bool:
    """Whether E2 has seen a training batch (a batch-norm layer of E2 counted one)."""
    return _counted_a_batch(model.e2)


def parser_trained(model: CascadeNet) -> bool:
    """Whether E1's face parser, the attention head before the pixel classifier, has seen a
    training batch (a batch-norm layer of the head counted one)."""
    return _counted_a_batch(model.e1.head)


def _counted_a_batch(module: torch.nn.Module) -> bool:
    return any(int(buffer) for name, buffer in module.named_buffers() if name.endswith("num_batches_tracked"))


def parsing_never_trained(model: CascadeNet, meta: dict[str, Any]) -> bool:
    """Whether a checkpoint holds the paper's end-to-end baseline (or a stage 2 trained on it):
    its training record names a grading run and E1's face parser never saw a training batch.
    The grade loss reaches E1's backbone only (E2 reads z), so the baseline's attention head and
    pixel classifier stay as initialised: its masks, overlays and measured grade mean nothing.
    Checkpoints without a training record are not judged (`grading_never_trained`)."""
    stage = _recorded_stage(meta)
    return stage is not None and not stage.startswith("parsing") and not parser_trained(model)


def e2_on_other_e1(model: CascadeNet, meta: dict[str, Any]) -> bool:
    """Whether the checkpoint's last run trained E1 alone (a stage-1 run, `palsy train parsing
    --init GRADED.pt`) on top of an E2 that had been trained: E2 then grades the z of an E1 it
    never saw, not the paper's cascade (E2 trained on a fixed E1). Such weights load (a polish
    can be worth trying), and every assessment says so (flag `e2_on_other_e1`) until stage 2 is
    trained again on them (`palsy train grading --init W`). Files without a training record and
    the demo recipe's own polishes (recorded as the recipe, its card says so) are not judged."""
    return _stage_1_run(meta) and e2_trained(model)


CLINIC_STAGES = ("stage1.pt", "stage2.pt")
# Training-record keys of a clinic run's stage file: which stage ("stage1", "stage2") and the
# run folder it was written in (`models.train.clinic.clinic_stage_mark`).
CLINIC_STAGE = "clinic_stage"
CLINIC_RUN = "clinic_run"


def clinic_stage_run(weights: str | os.PathLike) -> Path | None:
    """The run folder when `weights` is an intermediate stage of `palsy train clinic` (stage1.pt
    or stage2.pt beside a state.json holding a clinic recipe), else None."""
    path = Path(weights)
    if path.name not in CLINIC_STAGES:
        return None
    try:
        state = json.loads((path.parent / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    recipe = state.get("recipe") if isinstance(state, dict) else None
    return path.parent if isinstance(recipe, dict) and "stage1_share" in recipe and "patients" in recipe else None


def clinic_stage_of(weights: str | os.PathLike, meta: dict[str, Any]) -> Path | None:
    """The run folder when `weights` is an intermediate stage of `palsy train clinic`, else None:
    by its own training record (`CLINIC_STAGE`) wherever the file lies, since a clinic copies
    weights to its capture station; a stage file an older release wrote carries no such record
    and is known only beside its run's state.json (`clinic_stage_run`)."""
    beside = clinic_stage_run(weights)
    training = meta.get("training") if isinstance(meta.get("training"), dict) else {}
    if beside is not None or training.get(CLINIC_STAGE) is None:
        return beside
    return Path(str(training.get(CLINIC_RUN) or Path(weights).parent))


def check_grading_trained(model: CascadeNet, meta: dict[str, Any], weights: str | os.PathLike,
                          clinic_stages: bool = False) -> None:
    """CheckpointError when the weights would grade with an E2 that was never trained
    (`grading_never_trained`): such weights give a confident-looking grade that means nothing;
    and, unless `clinic_stages` (`palsy evaluate`: scoring a stage of an interrupted run is a
    measurement, not grading a patient), for an intermediate stage of a clinic run: stage1.pt
    grades with the start weights' E2 (the demo's, by default) while its record names the
    clinic's data, and neither stage has the test figures and card clinic.pt carries."""
    run = None if clinic_stages else clinic_stage_of(weights, meta)
    if run is not None:
        raise CheckpointError(f"{weights} is an intermediate stage of a `palsy train clinic` run, not weights to grade "
                              f"with; use {run / 'clinic.pt'} (written with its test figures and model card when the "
                              "run ends; rerun the same command to finish it)")
    if grading_never_trained(model, meta):
        raise CheckpointError(f"{weights} holds face parsing only (stage 1): its grading network was never trained; "
                              f"train stage 2 with `palsy train grading --init {weights}`")


def check_parsing_trained(model: CascadeNet, meta: dict[str, Any], weights: str | os.PathLike) -> None:
    """CheckpointError when the weights would parse faces with a parser that was never trained
    (`parsing_never_trained`): an assessment shows and reports E1's masks and attention. Only
    grading them is meaningful, which `palsy evaluate grading` does without this check."""
    if parsing_never_trained(model, meta):
        raise CheckpointError(f"{weights} holds the paper's end-to-end baseline: its face parser was never trained, so "
                              "its masks and overlays would be random; score it with `palsy evaluate grading` only, "
                              "and assess with weights trained in stages (`palsy train parsing`, then `grading`)")


# The newest network only, by (path, sha256, device): the app and the commands grade with one
# set of weights at a time, and each earlier one kept (a clinic.pt retrained at the same path,
# another device) would hold ~24 MB (compact) to ~350 MB (paper) until the program ends.
_CACHE: dict[tuple[str, str, str], LoadedModel] = {}
_LOCK = threading.Lock()


def load_model(path: str | os.PathLike | None = None, device: str = "auto", wording: Wording = CLI_WORDING) -> LoadedModel:
    """Load a checkpoint (default: the shipped weights) once per (path, sha256, device).

    A second call with the same file returns the cached network; a changed file (new
    sha256), another file or device is loaded afresh and replaces it in the cache. Weights
    that hold face parsing only (stage 1, E2 never trained) are refused: everything loaded
    here grades; so are weights whose face parser was never trained (the end-to-end baseline):
    everything loaded here parses too. Raises CheckpointError with a hint when nothing is usable;
    `wording` says how to choose other weights or another device where the message is shown
    (the CLI's options by default, the GUI passes its Settings wording).
    """
    target = resolve_device(device, wording)
    if path is None:
        path = default_weights_path()
        if not path.is_file():
            raise CheckpointError(
                f"no weights available: the shipped {DEMO_WEIGHTS} is not installed in {path.parent}; "
                f"{wording.no_default_weights}"
            )
    given = path
    path = Path(path).resolve()
    if path.is_dir():
        raise CheckpointError(f"{path} is a folder, not a weights file; {wording.choose_weights}")
    if not path.is_file():
        raise CheckpointError(f"weights file not found: {path}; {wording.choose_weights}")
    digest = sha256_of(path)
    key = (str(path), digest, str(target))
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        model, meta = load_checkpoint(path)
        check_grading_trained(model, meta, given)
        check_parsing_trained(model, meta, given)
        model = model.to(target).eval()
        training = meta.get("training") or {}
        summary = summary_of(meta)
        demo = is_demo_weights(path, digest, meta)
        info = ModelInfo(
            name=path.stem,
            sha256=digest,
            path=str(path),
            config=model.config.name,
            training_data=training.get("data", training) if isinstance(training, dict) else training,
            metrics=meta.get("metrics") or {},
            demo=demo,
            state_sha256=summary.state_sha256,
            training_command=summary.command,
            e2_on_other_e1=e2_on_other_e1(model, meta),
            cautions=shown_cautions(meta, demo),
        )
        loaded = LoadedModel(model, info, target)
        _CACHE.clear()
        _CACHE[key] = loaded
        return loaded


def clear_model_cache() -> None:
    """Forget the cached network, so the next `load_model` reads its file (tests)."""
    with _LOCK:
        _CACHE.clear()
