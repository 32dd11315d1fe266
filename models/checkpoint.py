"""Checkpoints (DESIGN §5, a contract): one `.pt` file holding a plain dict.

Keys: format, format_version, config, classes, grades, expressions, state_dict,
training (data summary, recipe), metrics, created, state_sha256. Loading always uses
`torch.load(..., weights_only=True)`, so a pickle payload is refused, never executed.
Shipped weights are listed with their sha256 in `resources/weights/manifest.json`.
Every checkpoint also carries `state_sha256`, a digest of its weights (names, dtypes,
shapes, bytes), so a damaged or edited file is refused even where no manifest lists it
(a clinic's own weights); checkpoints written before the field existed load without it (the
digest of their weights is set on reading, so the loaded dict always carries the true one).
Only the install's manifest speaks for a file's origin: a manifest.json beside a file elsewhere
is checked too, but shows damage only (anyone can write one).
`config_sha256`, a digest of the configuration (`config_sha256()`), does the same for the
architecture and input sizes, which decide the grade as much as the weights do. Files are
written as format 2, which always carries it: a format-2 file without it is refused, as one
whose configuration differs from it is. Format-1 files written before it existed load without
it, except weights that shipped (`SHIPPED_CONFIGS`, by their `state_sha256`): those load only
with the configuration they shipped with, so an edited copy of the shipped weights, which
predate the digest, is refused too. Every other field is type-checked on reading, so an
edited file is refused with a CheckpointError.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import warnings
import zipfile
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

try:  # what `torch.device(...)` as a context moves (private: a torch without it builds twice)
    from torch.utils._device import _device_constructors
except ImportError:  # pragma: no cover - every torch 2.x has it
    _device_constructors = None

from models.atomic_files import replace_when_done
from models.cascade import CascadeNet
from models.config import CascadeConfig
from models.errors import CheckpointError, InputError
from models.labels import CLASSES, EXPRESSIONS, GRADES
from models.resources import WEIGHTS_MANIFEST, in_weights_dir, sha256_of, weights_dir

FORMAT = "palsy-grader-checkpoint"
# 1: `config_sha256` optional (files written before it existed); 2: `config_sha256` required, so a
# file that lost it is told from one written before it. A newer format than this is refused.
FORMAT_VERSION = 2
DIGEST_REQUIRED_FROM = 2
MANIFEST = WEIGHTS_MANIFEST  # the shipped weights' checksums, beside them

log = logging.getLogger(__name__)

# The configuration each set of shipped weights was trained with, by the `state_sha256` of the
# weights. The shipped demo weights (resources/weights/demo_compact.pt, format 1) predate the
# configuration digest, so their configuration is recorded here: a copy of them with an edited one
# (grading_size 128 -> 256 changes no tensor shape, and graded the demo photos V instead of III) is
# refused. tests/models/test_checkpoint_config_guard.py checks it against the shipped file; a new
# release of the weights records theirs here.
SHIPPED_CONFIGS: dict[str, dict[str, Any]] = {
    "e416d32d55f2063e51118bfd3c272850b8c2530d6833cbc2b22bcfb2362dc427": {
        "name": "compact", "input_size": 256, "backbone": "resnet_basic", "backbone_widths": (32, 64, 128, 256),
        "backbone_depths": (2, 2, 2, 2), "attention_channels": 128, "qk_ratio": 8, "value_ratio": 1,
        "attention_kernels": (3, 5, 7),
        "e2_layers": (16, 16, "M", 32, 32, "M", 64, 64, 64, "M", 128, 128, 128, "M", 128, 128, 128, "M"),
        "e2_z_channels": 64, "e2_pool": 4, "e2_hidden": (128, 64), "e2_dropout": 0.3, "e2_negative_slope": 0.0,
        "grading_size": 128, "num_classes": 11, "num_grades": 6, "extra": {},
    },
}


def state_sha256(state: dict[str, Any]) -> str:
    """Hex sha256 over a state dict's names, dtypes, shapes and bytes, in name order.

    Raises CheckpointError when an entry is not a tensor (a damaged or foreign file)."""
    digest = hashlib.sha256()
    for key in sorted(state):
        tensor = state[key]
        if not isinstance(tensor, torch.Tensor):
            raise CheckpointError(f"state_dict entry {key!r} is not a tensor")
        tensor = tensor.detach().cpu().contiguous().reshape(-1)
        digest.update(f"{key}|{tensor.dtype}|{tuple(state[key].shape)}|".encode())
        digest.update(tensor.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def config_sha256(config: dict[str, Any]) -> str:
    """Hex sha256 of a configuration dict as canonical JSON (sorted keys, no spaces).

    Raises CheckpointError when the configuration holds something JSON cannot write."""
    try:
        text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"the configuration cannot be written as JSON ({exc})") from exc
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def save_checkpoint(
    model: CascadeNet,
    path: str | os.PathLike,
    training: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    half: bool = False,
    extra: dict[str, Any] | None = None,
) -> str:
    """Write a checkpoint atomically (temporary file, fsync, rename); returns its sha256.

    `half=True` stores floating tensors as fp16 (half the size; loading restores fp32).
    `extra` holds further plain entries (e.g. optimizer state for resuming training).
    A save that cannot be written (a full disk) raises OSError naming `path`, which keeps
    what it held.
    """
    state = {}
    for key, tensor in model.state_dict().items():
        tensor = tensor.detach().cpu()
        state[key] = tensor.half() if half and tensor.is_floating_point() else tensor.clone()
    config = model.config.to_dict()
    payload: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "config": config,
        "classes": list(CLASSES),
        "grades": list(GRADES),
        "expressions": list(EXPRESSIONS),
        "state_dict": state,
        "training": training or {},
        "metrics": metrics or {},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "state_sha256": state_sha256(state),
        "config_sha256": config_sha256(config),
    }
    if extra:
        payload.update(extra)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with replace_when_done(path, fsync=True) as handle:
            torch.save(payload, handle)
            # weights are no secret, and the app may run as another user than the training
            os.chmod(handle.name, 0o644)
    except (OSError, RuntimeError) as exc:
        failure = _os_error_behind(exc)
        if failure is None:
            raise
        # named for the checkpoint, not its temporary file; the file at `path` is as it was
        raise OSError(failure.errno, failure.strerror or str(failure), str(path)) from failure
    return sha256_of(path)


def _os_error_behind(exc: OSError | RuntimeError) -> OSError | None:
    """The OSError that made a save fail, or None. On a full disk torch's zip writer fails a
    second time as it closes ("unexpected pos"), and that RuntimeError hides the OSError that
    says what went wrong; a RuntimeError with no OSError behind it is a bug, not the disk."""
    if isinstance(exc, OSError):
        return exc
    behind = exc.__cause__ or exc.__context__
    return behind if isinstance(behind, OSError) else None


def read_manifest(folder: str | os.PathLike | None = None) -> dict[str, Any]:
    """The shipped weights manifest (`{"files": {name: {"sha256": ...}}}`), or an empty one."""
    manifest = Path(folder or weights_dir()) / MANIFEST
    if not manifest.is_file():
        return {"files": {}}
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"weights manifest {manifest} is unreadable ({exc}); reinstall the application") from exc


def expected_sha256(path: Path) -> str | None:
    """The sha256 the manifest beside `path` lists for it, if any. Loading refuses a file that
    differs (damage); it never takes a match for origin: a manifest outside the install's weights
    folder is whoever wrote the file's own (`models.resources.shipped_sha256` is the install's)."""
    entry = read_manifest(path.parent).get("files", {}).get(path.name)
    return entry.get("sha256") if entry else None


def _looks_like_pickle(path: Path) -> bool:
    """True for a raw pickle (protocol byte first) or a torch.save zip archive."""
    with open(path, "rb") as handle:
        first = handle.read(1)
    return first == b"\x80" or zipfile.is_zipfile(path)


def _safe_load(path: Path, what: str) -> Any:
    """torch.load with weights_only=True; unsafe or unreadable files become CheckpointError."""
    if not _looks_like_pickle(path):
        # torch's legacy reader would unpickle any bytes and fail with whatever error the
        # garbage happens to raise (KeyError, struct.error, ...).
        raise CheckpointError(f"{path.name} is not a readable PyTorch {what} (damaged or not a .pt file)")
    try:
        with warnings.catch_warnings():
            # A plain pickle (protocol 4, say) makes torch warn before it refuses the file;
            # the CheckpointError below says what matters, so the warning is not shown too.
            warnings.filterwarnings("ignore", message="Detected pickle protocol", category=UserWarning)
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        # The weights-only unpickler stops at the first object it does not allow, so
        # nothing ran: the file (a pickle, raw or in torch's zip) holds more than plain tensors.
        raise CheckpointError(
            f"refused {path.name}: it holds a pickled Python object, not plain weights; it was not executed. "
            "Use a checkpoint written by Palsy Grader"
        ) from exc
    except Exception as exc:  # a damaged archive or pickle can raise almost anything
        raise CheckpointError(f"{path.name} is not a readable PyTorch {what} ({exc.__class__.__name__})") from exc


def read_checkpoint(path: str | os.PathLike, sha256: str | None = None) -> dict[str, Any]:
    """Load and validate a checkpoint dict without building a network.

    The sha256 is checked against `sha256` when given, else against the manifest beside
    the file when it lists the file. Raises CheckpointError with a clear message.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"weights file not found: {path}; choose an existing .pt file (Settings or --weights)")
    listed = None if sha256 else expected_sha256(path)
    expected = sha256 or listed
    if expected is not None:
        actual = sha256_of(path)
        if actual != expected:
            source = "expected" if listed is None else (
                "the shipped manifest lists" if in_weights_dir(path) else "the manifest.json beside it lists"
            )
            raise CheckpointError(
                f"weights file {path.name} failed its checksum ({source} sha256 {expected[:12]}..., the file has {actual[:12]}...); "
                "the file is damaged or was modified - reinstall or retrain it"
            )
    payload = _safe_load(path, "checkpoint")
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path.name} is not a Palsy Grader checkpoint (no '{FORMAT}' format tag)")
    _check_types(path, payload)
    if payload.get("format_version", 0) > FORMAT_VERSION:
        raise CheckpointError(f"{path.name} was written by a newer Palsy Grader (format {payload['format_version']}); update the application")
    if list(payload.get("classes", [])) != list(CLASSES) or list(payload.get("grades", [])) != list(GRADES):
        raise CheckpointError(f"{path.name} uses a different label set or grade list than this application")
    _check_state_digest(path, payload)
    _check_config_digest(path, payload)
    return payload


def _damaged(path: Path, detail: str) -> CheckpointError:
    return CheckpointError(f"{path.name} is damaged or was modified: {detail}; retrain it or restore a copy")


def _kind(value: Any) -> str:
    return type(value).__name__


def _check_types(path: Path, payload: dict[str, Any]) -> None:
    """Refuse fields of the wrong type before anything compares or builds with them."""
    version = payload.get("format_version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise _damaged(path, f"format_version has type {_kind(version)} ({str(version)[:20]!r}), not a whole number")
    if version < 0:
        raise _damaged(path, f"format_version is {version}, below 0")
    if not isinstance(payload.get("config"), dict):
        raise _damaged(path, f"config has type {_kind(payload.get('config'))}, not a mapping")
    if not isinstance(payload.get("state_dict"), dict):
        raise _damaged(path, f"state_dict has type {_kind(payload.get('state_dict'))}, not a mapping of tensors")
    for key in ("classes", "grades", "expressions"):
        value = payload.get(key, [])
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise _damaged(path, f"{key} has type {_kind(value)}, not a list of names")
    for key in ("training", "metrics"):
        if not isinstance(payload.get(key, {}), dict):
            raise _damaged(path, f"{key} has type {_kind(payload[key])}, not a mapping")
    for key in ("state_sha256", "config_sha256"):
        if key in payload and not isinstance(payload[key], str):
            raise _damaged(path, f"{key} has type {_kind(payload[key])}, not a hex digest")


def _check_config_digest(path: Path, payload: dict[str, Any]) -> None:
    """Refuse a checkpoint whose configuration no longer matches the digest written with it, a
    format-2 file without that digest, and shipped weights (`SHIPPED_CONFIGS`) with a configuration
    other than the one they shipped with. Runs after `_check_state_digest`, which sets
    `state_sha256` from the weights themselves."""
    recorded = payload.get("config_sha256")
    version = payload.get("format_version", 0)
    shipped = SHIPPED_CONFIGS.get(payload.get("state_sha256"))
    if recorded is None and version < DIGEST_REQUIRED_FROM and shipped is None:
        return  # written before the field existed
    try:
        actual = config_sha256(payload["config"])
    except CheckpointError as exc:
        raise _damaged(path, str(exc)) from exc
    if recorded is None and version >= DIGEST_REQUIRED_FROM:
        raise _damaged(
            path,
            f"its configuration no longer matches the digest written with it (a format {version} file "
            f"carries config_sha256; this one has none, now {actual[:12]}...)",
        )
    if recorded is not None and actual != recorded:
        raise _damaged(
            path,
            f"its configuration no longer matches the digest written with it "
            f"(config_sha256 {recorded[:12]}..., now {actual[:12]}...)",
        )
    if shipped is not None and not _same_configuration(payload["config"], shipped):
        raise _damaged(
            path,
            f"its configuration is not the one these weights were trained with (they are the shipped weights, "
            f"config_sha256 {config_sha256(shipped)[:12]}..., now {actual[:12]}...)",
        )


def _same_configuration(config: dict[str, Any], shipped: dict[str, Any]) -> bool:
    """Whether `config` describes the network `shipped` does: the same settings, once both are read
    as a CascadeConfig. The shipped weights saved again by this version keep them (they gain the
    settings added since, at the defaults that loading the shipped file takes); a configuration
    this version cannot read is not the shipped one."""
    try:
        return CascadeConfig.from_dict(config) == CascadeConfig.from_dict(shipped)
    except (KeyError, TypeError, ValueError, AttributeError, InputError):
        return False


def _check_state_digest(path: Path, payload: dict[str, Any]) -> None:
    """Refuse a checkpoint whose weights no longer match the digest written with them. A file
    written before the field existed gets the digest of its weights set here, so what is loaded
    always carries the true `state_sha256`: removing the field cannot hide the demo's weights
    from `models.resources.is_demo_checkpoint`."""
    recorded = payload.get("state_sha256")
    state = payload.get("state_dict")
    if not isinstance(state, dict):
        raise CheckpointError(f"{path.name} is damaged (its state_dict is missing)")
    try:
        actual = state_sha256(state)
    except CheckpointError as exc:
        raise CheckpointError(f"{path.name} is damaged ({exc})") from exc
    if recorded is None:  # written before the field existed
        payload["state_sha256"] = actual
        return
    if actual != recorded:
        raise CheckpointError(
            f"{path.name} is damaged or was modified: its weights no longer match the digest written with them "
            f"(state_sha256 {str(recorded)[:12]}..., now {actual[:12]}...); retrain it or restore a copy"
        )


def _invalid_config(name: str, payload: dict[str, Any], exc: Exception) -> CheckpointError:
    """Why a checkpoint's configuration cannot be used. A setting this version does not know, in
    a configuration its digest vouches for, was added by a newer release (one that did not raise
    FORMAT_VERSION with it): said as a newer file, not as an invalid one that reads as damage."""
    config = payload.get("config")
    unknown = sorted(set(config) - {f.name for f in fields(CascadeConfig)}) if isinstance(config, dict) else []
    if unknown and "config_sha256" in payload:
        settings = "setting" if len(unknown) == 1 else "settings"
        return CheckpointError(f"{name} was written by a newer Palsy Grader (unknown {settings} "
                               f"{', '.join(map(str, unknown))}); update the application")
    return CheckpointError(f"{name}: its configuration is invalid ({exc})")


# The tensor constructors that make a tensor from data given to them rather than from a shape:
# E1 and E2 make the ImageNet mean and std they keep outside their state dicts (non-persistent
# buffers, which loading weights does not set) with them. `_SizedOnMeta` leaves these alone and
# moves the others `torch.device` would move.
_FROM_DATA = frozenset((torch.tensor, torch.as_tensor, torch.asarray))
_FROM_SHAPES = frozenset(_device_constructors()) - _FROM_DATA if _device_constructors else frozenset()


class _SizedOnMeta(TorchFunctionMode):
    """Build a network without memory: its weights and batch-norm statistics (tensors made from
    a shape) on the meta device, the constants it makes from data as usual."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _FROM_SHAPES and kwargs.get("device") is None:
            kwargs["device"] = torch.device("meta")
        return func(*args, **kwargs)


def _materialised(skeleton: CascadeNet) -> CascadeNet:
    """`skeleton` (built in `_SizedOnMeta`) with memory on the CPU for its meta tensors, left
    unset for the weights to be loaded into; the constants it made from data kept."""
    made_from_data = {name: tensor for name, tensor in skeleton.named_buffers() if not tensor.is_meta}
    model = skeleton.to_empty(device="cpu")
    for name, tensor in made_from_data.items():
        owner, _, leaf = name.rpartition(".")
        setattr(model.get_submodule(owner), leaf, tensor)
    return model


def model_from_payload(payload: dict[str, Any], name: str = "checkpoint") -> CascadeNet:
    """Build the network a checkpoint describes and load its weights (fp16 stored -> fp32).

    The network is built once, with its weights on the meta device (no memory), and its shapes
    compared with the stored weights, so an edited configuration cannot make it allocate
    gigabytes: the real network is never larger than the weights the file holds. Only then does
    it get memory, which the stored weights fill (a second, randomly initialised build, whose
    weights were all overwritten, made a paper checkpoint's load some 2 s slower on a shared
    2-core machine)."""
    stored = payload.get("state_dict", {})
    if not isinstance(stored, dict):
        raise CheckpointError(f"{name} is damaged or was modified: state_dict has type {_kind(stored)}, not a mapping of tensors")
    try:
        config = CascadeConfig.from_dict(payload["config"])
        with _SizedOnMeta() if _FROM_SHAPES else torch.device("meta"):
            skeleton = CascadeNet(config)
    except (KeyError, TypeError, ValueError, AttributeError, InputError) as exc:
        raise _invalid_config(name, payload, exc) from exc
    except (RuntimeError, MemoryError) as exc:
        raise CheckpointError(f"{name}: its configuration cannot be built ({str(exc).splitlines()[0][:200]})") from exc
    _check_shapes(name, config, skeleton.state_dict(), stored)
    try:
        model = _materialised(skeleton) if _FROM_SHAPES else CascadeNet(config)
    except (RuntimeError, MemoryError) as exc:
        raise CheckpointError(f"{name}: its configuration cannot be built ({str(exc).splitlines()[0][:200]})") from exc
    reference = model.state_dict()
    state = {}
    broken = []
    for key, tensor in stored.items():
        if key in reference and reference[key].is_floating_point() and isinstance(tensor, torch.Tensor):
            tensor = tensor.to(reference[key].dtype)
            if not bool(torch.isfinite(tensor).all()):
                broken.append(key)
        state[key] = tensor
    if broken:  # a diverged training run leaves such weights; they grade every face "I" with NaN probabilities
        raise CheckpointError(f"{name}: {len(broken)} weight tensor(s) hold NaN or infinite values (first: {broken[0]}); "
                              "the training run that wrote it diverged or the file was damaged: use other weights")
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise _not_this_network(name, config, " ".join(str(exc).splitlines()[0:2])) from exc
    model.eval()
    return model


def _check_shapes(name: str, config: CascadeConfig, reference: dict[str, torch.Tensor], stored: dict[str, Any]) -> None:
    """Refuse weights whose names or shapes differ from the network `config` describes."""
    missing = sorted(set(reference) - set(stored))
    unexpected = sorted(set(stored) - set(reference))
    wrong = []
    for key in sorted(set(reference) & set(stored)):
        tensor = stored[key]
        if not isinstance(tensor, torch.Tensor):
            wrong.append(f"{key} has type {_kind(tensor)}, not a tensor")
        elif tensor.shape != reference[key].shape:
            wrong.append(f"{key} {tuple(tensor.shape)} vs {tuple(reference[key].shape)}")
    if missing or unexpected or wrong:
        detail = (
            f"missing {missing[0]}" if missing else f"unexpected {unexpected[0]}" if unexpected else f"size of {wrong[0]}"
        )
        raise _not_this_network(name, config, detail)


def _not_this_network(name: str, config: CascadeConfig, detail: str) -> CheckpointError:
    """The refusal of weights that do not fit their own configuration's network. The tensor
    name and shapes mean nothing to the person choosing weights, so they go to the log."""
    log.info("%s: the weights do not fit the '%s' configuration (%s)", name, config.name, detail)
    return CheckpointError(f"{name} does not match the network its configuration describes (edited, or written by "
                           "another version of Palsy Grader); use a checkpoint written by `palsy train` or the shipped weights")


def load_checkpoint(path: str | os.PathLike, sha256: str | None = None) -> tuple[CascadeNet, dict[str, Any]]:
    """(model in eval mode, the checkpoint dict without its state_dict)."""
    payload = read_checkpoint(path, sha256)
    model = model_from_payload(payload, Path(path).name)
    meta = {k: v for k, v in payload.items() if k != "state_dict"}
    meta["sha256"] = sha256_of(path)
    meta["path"] = str(path)
    return model, meta


def load_pretrained_backbone(
    module: nn.Module, path: str | os.PathLike, prefixes: tuple[str, ...] | None = None
) -> dict[str, list[str]]:
    """Load a torchvision state dict (e.g. resnet101 or vgg16_bn) from a local file.

    Nothing is downloaded. Only keys starting with one of `prefixes` are considered (all
    when None; use ("features.",) for VGG so its ImageNet classifier is left out); keys
    that do not exist in `module` (such as ResNet's `fc`) are skipped; a file whose tensors
    do not fit the module's shapes is refused. Returns {"loaded": [...], "skipped": [...]}.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"pretrained weights not found: {path}")
    state = _safe_load(path, "state dict")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise CheckpointError(f"{path.name} does not hold a state dict")
    own = module.state_dict()
    loaded, skipped, wrong = [], [], []
    for key, tensor in state.items():
        if key not in own or (prefixes and not key.startswith(prefixes)):
            skipped.append(key)
        elif own[key].shape != tensor.shape:
            wrong.append(f"{key} {tuple(tensor.shape)} vs {tuple(own[key].shape)}")
        else:
            loaded.append(key)
    # every tensor of the part being initialised must come from the file: a resnet50 file
    # filled 318 of the ResNet-101's 624 tensors and left layer3.6-22 at random, silently
    # (batch-norm step counters aside: files saved before torch 0.4, such as torchvision's own
    # vgg16_bn download, have none, and loading leaves the module's own)
    missing = [k for k in own if (not prefixes or k.startswith(prefixes)) and k not in state
               and not k.endswith("num_batches_tracked")]
    if wrong or not loaded or missing:
        detail = (wrong[0] if wrong else "no matching parameter names" if not loaded
                  else f"it lacks {missing[0]} and {len(missing) - 1} more of this backbone's tensors")
        raise CheckpointError(f"{path.name} does not fit this backbone ({detail}); use the torchvision weights of the same architecture")
    module.load_state_dict({k: state[k] for k in loaded}, strict=False)
    return {"loaded": loaded, "skipped": skipped}


def load_pretrained(model: CascadeNet, resnet: str | os.PathLike | None = None, vgg: str | os.PathLike | None = None) -> dict[str, int]:
    """Initialise E1's backbone and/or E2's VGG layers from local torchvision weight files."""
    counts = {}
    if resnet:
        counts["e1_backbone"] = len(load_pretrained_backbone(model.e1.backbone, resnet)["loaded"])
    if vgg:
        counts["e2_features"] = len(load_pretrained_backbone(model.e2, vgg, prefixes=("features.",))["loaded"])
    return counts
