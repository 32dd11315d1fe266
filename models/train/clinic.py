"""`palsy train clinic`: one command that trains the cascade on a clinic's own graded patients.

1. stage 1 (face parsing), when there is something to parse: the patients' own masks (if
   their folders have `masks/`) and any parsing sets given; E1 starts from `init` (by
   default the shipped demo weights) or from scratch;
2. stage 2 (grading): E1 frozen, E2 on the patients of the `train` split, fp32;
3. evaluation on the `test` split (held out by patient: `labels.csv`'s split column or the
   automatic subject-wise 2/3 : 1/6 : 1/6 split);
4. `OUT/clinic.pt` (fp16), `OUT/metrics.json` and `OUT/clinic.md`, a model card that says
   what the weights were trained on and how they scored.

The minutes are split between the stages (`stage1_share`); stages that finished are
recorded in `OUT/state.json`, so a rerun goes on from the last finished one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from models.checkpoint import load_checkpoint, save_checkpoint
from models.counted import counted
from models.data.patients import PatientDataset
from models.errors import InputError
from models.labels import GRADES
from models.resources import default_weights_path
from models.train.evaluation import evaluate_parsing, grading_reports
from models.train.feature_cache import cache_note
from models.train.loop import LoopSettings, PrintProgress, Progress
from models.train.machine import describe_machine
from models.train.precision import resolve_precision
from models.train.run_state import RunState, keep_or_write_final, run_stage, say, starts_note
from models.train.stages import DataSpec, is_patient_set, train_grading, train_parsing

WEIGHTS_NAME = "clinic.pt"
CARD_NAME = "clinic.md"
SHIPPED = "shipped"  # `init` value: the shipped demo weights


@dataclass(frozen=True)
class ClinicRecipe:
    """Everything that decides a clinic run; stored in its state, checkpoint and card."""

    patients: str
    parsing: tuple[str, ...] = ()  # further parsing sets, "DIR" or "DIR:WEIGHT"
    init: str | None = SHIPPED  # a checkpoint to start from, SHIPPED, or None (from scratch)
    work: str = "runs/clinic"
    minutes: float = 120.0
    stage1_share: float = 0.5  # of the minutes, when stage 1 runs
    config: str = "compact"  # from scratch only; an init brings its own
    input_size: int | None = None  # from scratch only
    batch_size: int = 8
    seed: int = 0
    precision: str = "auto"  # stage 1; stage 2 is fp32 on "auto" (models/train/precision.py)
    # Poly base rates: the paper's 2e-4 from a trained start; from scratch stage 1 takes 2e-3
    # (too little learned at 2e-4 in CPU budgets, docs/train.md).
    stage1_lr: float | None = None
    stage2_lr: float = 2e-4
    steps: int | None = None  # a fixed step budget per stage instead of the minutes (tests, scripts)
    # Stage 2 on cached E1 features, this many augmented copies per photo (0: live, as the demo
    # recipe; `DemoRecipe.stage2_cache_variants`, models/train/feature_cache.py).
    cache_variants: int = 0

    def init_path(self) -> Path | None:
        if self.init is None:
            return None
        return default_weights_path() if self.init == SHIPPED else Path(self.init)


def _check(recipe: ClinicRecipe) -> tuple[PatientDataset, list[DataSpec], Path | None]:
    """The patients, the stage-1 data and the start checkpoint, or InputError saying what is missing."""
    if not is_patient_set(Path(recipe.patients)):
        raise InputError(f"{recipe.patients} is not a patient data set (labels.csv missing); "
                         "the first --data of `palsy train clinic` is the graded patients' folder")
    patients = PatientDataset(recipe.patients)
    patients.check_photos()
    for split in ("train", "test"):
        if not patients.patient_ids(split):
            raise InputError(f"{recipe.patients} has no {split} patients; grade more patients or set the split column "
                             "of labels.csv (train / val / test)")
    if recipe.minutes <= 0 or not 0.0 < recipe.stage1_share < 1.0:
        raise InputError("give a positive --minutes budget (stage1_share must lie between 0 and 1)")
    specs = [DataSpec.parse(text) for text in recipe.parsing]
    if _has_masks(patients, "train"):
        specs.insert(0, DataSpec(Path(recipe.patients), 1.0, "train"))
    init = recipe.init_path()
    if init is not None and not init.is_file():
        hint = " (the shipped weights are missing: give --init W.pt or --from-scratch)" if recipe.init == SHIPPED else ""
        raise InputError(f"start checkpoint {init} not found{hint}")
    if init is None and not specs:
        raise InputError("training from scratch needs face-parsing data: masks/ in the patient folders or a parsing set "
                         "as a further --data; or start from trained weights with --init")
    return patients, specs, init


def run_clinic(recipe: ClinicRecipe, device: torch.device, progress: Progress | None = None) -> dict[str, Any]:
    """Run the recipe; returns what the card shows (recipe, stage summaries, test metrics, paths)."""
    patients, specs, init = _check(recipe)
    progress = progress or PrintProgress(every_s=60)
    work = Path(recipe.work)
    work.mkdir(parents=True, exist_ok=True)
    state = RunState(work / "state.json")
    _same_run(state, work, recipe, _data_fingerprint(patients))
    if not state.done("machine"):
        state.record("machine", describe_machine(device))
    state.start_attempt()
    stage1_lr = recipe.stage1_lr or (2e-4 if init else 2e-3)
    grading_minutes = recipe.minutes * (1.0 - recipe.stage1_share) if specs else recipe.minutes

    def loop(stage: str, minutes: float, lr: float, grading: bool) -> LoopSettings:
        chosen = resolve_precision(recipe.precision, device, grading=grading)
        budget = {"steps": recipe.steps} if recipe.steps else {"minutes": minutes}
        return LoopSettings(stage=stage, lr=lr, seed=recipe.seed, precision=chosen, **budget)

    e1_source = init
    if specs:
        e1_source = run_stage(state, work, "stage1", "stage 1 (parsing)", lambda out, resume, log: train_parsing(
            specs, out, loop("parsing", recipe.minutes * recipe.stage1_share, stage1_lr, False), device,
            recipe.config, None if init else recipe.input_size, batch_size=recipe.batch_size,
            init=None if resume else init, resume=resume, progress=progress, log_path=log,
        )[1], tag="clinic")
    final = run_stage(state, work, "stage2", "stage 2 (grading)", lambda out, resume, log: train_grading(
        recipe.patients, out, loop("grading", grading_minutes, recipe.stage2_lr, True), device, cascaded=True,
        batch_size=recipe.batch_size, init=None if resume else e1_source, resume=resume, progress=progress, log_path=log,
        cache_variants=recipe.cache_variants,
    )[1], tag="clinic")

    target = work / WEIGHTS_NAME
    if not state.done("metrics"):
        save_checkpoint(load_checkpoint(final)[0], target, half=True)
        model, _ = load_checkpoint(target)
        metrics: dict[str, Any] = {"split": "test", "grading": grading_reports(model, recipe.patients, "test", device)}
        if _has_masks(patients, "test"):
            metrics["parsing"] = evaluate_parsing(model, recipe.patients, "test", device)
        state.record("metrics", metrics)
    metrics = state.data["metrics"]
    wall_s = state.run_wall_s()
    training = {"recipe": _plain(recipe), "command": "palsy train clinic",
                **{k: state.data[k] for k in ("stage1", "stage2") if k in state.data}}
    sha = keep_or_write_final(state, final, target, [training, metrics], lambda: save_checkpoint(
        load_checkpoint(final)[0], target, training=training, metrics=metrics, half=True))
    (work / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    results = {"recipe": _plain(recipe), "state": state.data, "sha256": sha, "init": str(init) if init else None,
               "patients": {s: len(patients.patient_ids(s)) for s in ("train", "val", "test")},
               "grades": _grade_counts(patients), "wall_s": wall_s,
               "split_source": patients.split_source, "photos": _photo_counts(patients)}
    (work / CARD_NAME).write_text(clinic_card(results), encoding="utf-8")
    g = metrics["grading"]["patient"]
    say(f"wrote {target} and {CARD_NAME}: test accuracy {g['accuracy']:.3f}, kappa {g['quadratic_kappa']:.3f}", "clinic")
    return results


def _same_run(state: RunState, work: Path, recipe: ClinicRecipe, fingerprint: str) -> None:
    """Record the recipe and the data at the first start; a rerun resumes only the same run.

    Before any stage has trained a step a changed command simply replaces the recipe (a
    start that failed on a wrong option must not block its folder). After that (a stage
    finished, or an interrupted one left its checkpoint), another recipe or changed patients
    (labels.csv, photos) are refused: the stages would not match the card, and a relabelled
    patient can move others between train and test.
    """
    started = any(state.done(key) or (work / f"{key}.pt").is_file() for key in ("stage1", "stage2"))
    old = state.data.get("recipe")
    new = _plain(recipe)
    if started and old is not None and old != new:
        keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        raise InputError(f"{work} holds a run with another recipe (differs in {', '.join(keys)}); rerun it with the "
                         f"same options, or choose another --out")
    if started and state.data.get("data", fingerprint) != fingerprint:
        raise InputError(f"the patients in {recipe.patients} changed since this run started in {work} (labels.csv or "
                         "the photos): its stages would not match them; choose another --out for a new run")
    state.record("recipe", new)
    state.record("data", fingerprint)


def _data_fingerprint(patients: PatientDataset) -> str:
    """sha256 over labels.csv and every listed patient's photo and mask names and sizes."""
    digest = hashlib.sha256((patients.root / "labels.csv").read_bytes())
    for pid in patients.patient_ids():
        for _, image, mask in patients.photos(pid):
            for path in (image, mask):
                if path is not None:
                    digest.update(f"{pid}/{path.name}:{path.stat().st_size}\n".encode())
    return digest.hexdigest()


def _has_masks(patients: PatientDataset, split: str) -> bool:
    return any(s.mask is not None for s in patients.samples(split))


def _plain(recipe: ClinicRecipe) -> dict[str, Any]:
    """The recipe as stored; folders as absolute paths, so `--data clinic/` from another
    directory is the same run."""
    data = asdict(recipe)
    data["patients"] = str(Path(recipe.patients).resolve())
    data["work"] = str(Path(recipe.work).resolve())
    if recipe.init not in (None, SHIPPED):
        data["init"] = str(Path(recipe.init).resolve())
    data["parsing"] = [_resolved_spec(text) for text in recipe.parsing]
    return data


def _resolved_spec(text: str) -> str:
    """A parsing set "DIR" or "DIR:WEIGHT" as "ABSOLUTE_DIR:WEIGHT"."""
    spec = DataSpec.parse(text)
    return f"{spec.path.resolve()}:{spec.weight:g}"


def _photo_counts(patients: PatientDataset) -> dict[str, tuple[int, int]]:
    """(photos, photos with a mask) of each split: what the stages actually read."""
    counts = {}
    for split in ("train", "val", "test"):
        samples = patients.samples(split)
        counts[split] = (len(samples), sum(s.mask is not None for s in samples))
    return counts


def _grade_counts(patients: PatientDataset) -> dict[str, dict[str, int]]:
    counts = {s: dict.fromkeys(GRADES, 0) for s in ("train", "val", "test")}
    for p in patients.patients.values():
        counts[p.split][GRADES[p.grade]] += 1
    return counts


def clinic_card(results: dict[str, Any]) -> str:
    """The model card of a clinic run (markdown)."""
    recipe, st = results["recipe"], results["state"]
    g = st["metrics"]["grading"]
    lines = [
        "# Model card: clinic-trained Palsy Grader weights",
        "",
        "> **Decision support only — not for diagnosis.** These weights were trained by `palsy train clinic` on the "
        "patients listed below. Check the test figures, and the confusion matrix, before relying on them; a small "
        "test split gives wide error bars.",
        "",
        "## Data",
        f"- Graded patients: `{recipe['patients']}`: {results['patients']['train']} train / {results['patients']['val']} val / "
        f"{results['patients']['test']} test patients (split by patient; {results.get('split_source', 'split')}).",
        "- Expression photos per split (with masks): " + "; ".join(
            f"{s} {n} ({m})" for s, (n, m) in results.get("photos", {}).items()) + ".",
        "- Grades per split: " + "; ".join(
            f"{s} " + ", ".join(f"{k} {v}" for k, v in results["grades"][s].items()) for s in ("train", "val", "test")),
        f"- Further face-parsing sets: {', '.join(f'`{p}`' for p in recipe['parsing']) or 'none'}.",
        f"- Started from: {results['init'] or 'scratch (random initialisation)'}.",
        "",
        "## Recipe",
    ]
    if "stage1" in st:
        lines.append(f"- Stage 1 (parsing): {counted(st['stage1']['steps'], 'step')} in {st['stage1']['elapsed_s']:.0f} s.")
    lines += [
        f"- Stage 2 (grading, E1 frozen): {counted(st['stage2']['steps'], 'step')} in {st['stage2']['elapsed_s']:.0f} s, "
        f"poly LR from {recipe['stage2_lr']:g}, batch {recipe['batch_size']}.{cache_note(st['stage2'])}",
        f"- Whole run: {results['wall_s'] / 60:.1f} min{starts_note(st)} on {st.get('machine') or 'an unrecorded machine'}. "
        f"File sha256 `{results['sha256']}`.",
        "",
        "## Test patients (`palsy evaluate grading --split test`)",
        "",
        "| level | accuracy | quadratic kappa | within one |",
        "|---|---|---|---|",
    ]
    for key, label in (("patient", "network, per patient"), ("photo", "network, per photo"), ("measured", "measured function")):
        r = g[key]
        lines.append(f"| {label} | {r['accuracy']:.3f} | {r['quadratic_kappa']:.3f} | {r['within_one']:.3f} |")
    if "parsing" in st["metrics"]:
        lines += ["", f"Parsing on the test patients' masks: mean F1 {st['metrics']['parsing']['mean_f1']:.3f}."]
    lines += ["", "Confusion matrix, network per patient (rows = true grade I-VI):", "", "```"]
    lines += [f"{grade:<4}" + " ".join(f"{v:3d}" for v in row) for grade, row in zip(GRADES, g["patient"]["confusion"], strict=True)]
    lines += ["```", ""]
    return "\n".join(lines)
