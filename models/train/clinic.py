"""`palsy train clinic`: one command that trains the cascade on a clinic's own graded patients.

0. checks: the recipe and the data are compared with what `OUT/state.json` recorded (a
   changed recipe or changed training patients are refused at once), and so is an `OUT` without
   room for the checkpoints still to write (`check_free_space`); then every photo and
   mask the remaining steps will read is opened and decoded as `palsy assess` reads it,
   before any training (a damaged test photo must not surface after hours of it): the train
   split's while a stage remains, the val and test splits' while scoring remains, a few
   photos at once; the check keeps what the steps read of each photo (`decoded_photos`), so
   a run decodes each photo once; what the folder holds but the run leaves out is said once,
   and listed on the card;
1. stage 1 (face parsing), when there is something to parse: the patients' own masks (if
   their folders have `masks/`) and any parsing sets given; E1 starts from `init` (by
   default the shipped demo weights) or from scratch;
2. stage 2 (grading): E1 frozen, E2 on the patients of the `train` split, fp32;
3. evaluation on the `test` split (held out by patient: `labels.csv`'s split column or the
   automatic subject-wise 2/3 : 1/6 : 1/6 split), the headline, and on the `val` split
   (used for nothing else: a second held-out set), logged in `OUT/scoring.jsonl`;
4. `OUT/metrics.json`, `OUT/clinic.md` (a model card that says what the weights were trained
   on and how they scored) and then `OUT/clinic.pt` (fp16): the weights file appears only
   once its figures and card exist. It carries its cautions (`clinic_cautions`: trained on so
   few patients, not validated, whose face parser, the run's warnings), which the app, `palsy
   assess` and the report show wherever the weights grade.

The minutes are split between the stages (`stage1_share`); stages that finished are
recorded in `OUT/state.json`, so a rerun goes on from the last finished one. The training
patients and the held-out ones are fingerprinted apart: a corrected test or val photo is
scored again (the clinic.pt, metrics.json and clinic.md of the old figures are moved aside as
`*.stale` first, and removed once the new ones are written), a changed training patient
refuses the folder.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from models.atomic_files import replace_file
from models.cascade import build_model
from models.checkpoint import load_checkpoint, read_checkpoint, save_checkpoint, sha256_of
from models.config import get_config
from models.counted import counted
from models.data.parsing import find_mask, masks_by_stem
from models.data.patients import (
    PHOTO_STEM,
    PatientDataset,
    SharedPhoto,
    held_out_count,
    not_a_patient_set,
    split_digests,
    trained_held_out,
    write_splits_csv,
)
from models.errors import CheckpointError, InputError
from models.labels import EXPRESSIONS, GRADES
from models.metrics import KAPPA_UNDEFINED, figure_text
from models.pipeline.loader import CLINIC_RUN, CLINIC_STAGE
from models.resources import CAUTIONS, default_weights_path, weights_cautions
from models.train.card import top_probability_sentence, wilson_interval
from models.train.checkpoint_file import CheckpointFile, CheckpointSource, model_of
from models.train.clinic_space import check_free_space
from models.train.decoded_photos import DecodedPhotos, Wanted, check_and_keep
from models.train.evaluation import evaluate_parsing, grading_reports
from models.train.face_prep import RECORD_KEY, clinic_preparation, no_face_note, photo_name
from models.train.feature_cache import cache_note
from models.train.loop import LoopSettings, PrintProgress, Progress
from models.train.machine import describe_machine
from models.train.precision import resolve_precision
from models.train.run_state import RunState, keep_or_write_final, run_stage, say, starts_note
from models.train.stages import (
    DataSpec,
    is_patient_set,
    parsing_long_side,
    train_grading,
    train_parsing,
)
from models.user_warnings import print_warning

WEIGHTS_NAME = "clinic.pt"
CARD_NAME = "clinic.md"
SHIPPED = "shipped"  # `init` value: the shipped demo weights
SCORING_LOG = "scoring.jsonl"
TINY_STEPS = 200  # a stage with fewer steps than this has barely moved its weights: the card says so
SHOWN = 3  # names shown in a one-line summary
SPLITS_NAME = "splits.csv"  # the run's split, patient by patient
OUTPUTS = (WEIGHTS_NAME, "metrics.json", CARD_NAME)  # what claims a run's figures
STALE = ".stale"  # suffix of an output moved aside when the figures it claims are void
# The start weights' own training record, kept in the run's: what they trained on (the demo's
# synthetic seeds, an earlier clinic run's patients) is in these weights too (`palsy evaluate`).
INIT_TRAINING = "init_training"
INIT_CAUTIONS = "init_cautions"  # the start weights' own cautions (another clinic's clinic.pt), kept after this run's


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
    """The patients, the stage-1 data and the start checkpoint, or InputError saying what is
    missing. Nothing is decoded here: `_check_photos` does that once the run's state says
    which photos the remaining steps read."""
    if not is_patient_set(Path(recipe.patients)):
        raise not_a_patient_set(recipe.patients, "the first --data of `palsy train clinic` is the graded patients' folder")
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


def _stages(specs: list[DataSpec]) -> list[str]:
    return (["stage1"] if specs else []) + ["stage2"]


def _check_photos(state: RunState, patients: PatientDataset, specs: list[DataSpec], photos: DecodedPhotos,
                  size: int | None) -> tuple[str, ...]:
    """Decode every photo and mask the remaining steps read, before they run (`check_and_keep`,
    as `check_files`): the train split's while a stage remains, the val and test splits' while
    scoring remains; nothing for a rerun of a finished run. What those steps read of each photo
    at the input size `size` is kept in `photos` (nothing when the size is not known).
    Returns the splits checked."""
    remaining = [key for key in _stages(specs) if not state.done(key)]
    scoring = bool(_to_score(state))
    splits = (("train",) if remaining else ()) + (("val", "test") if scoring else ())
    if not splits:
        return splits
    wanted = Wanted(
        parsing_side=parsing_long_side(size) if size and "stage1" in remaining else None,
        grading_side=size if size and "stage2" in remaining else None,
        scoring_size=size if size and scoring else None,
    )
    check_and_keep(patients, splits, photos, wanted, _checking_progress())
    return splits


def _next_start(state: RunState, work: Path, specs: list[DataSpec], init: Path | None) -> Path | None:
    """The checkpoint the run's next step starts from (`run_stage`'s rule): an interrupted
    stage's own, else the one a fresh stage starts from (`init`, or the stage before), the last
    stage's when only the scoring remains; None from scratch."""
    previous = init
    for key in _stages(specs):
        out = work / f"{key}.pt"
        if not state.done(key):
            return out if out.is_file() else previous
        previous = out
    return previous


def _read_next_start(state: RunState, work: Path, specs: list[DataSpec], init: Path | None) -> CheckpointFile | None:
    """`_next_start`, read (and validated) when a step remains; None from scratch or when none does."""
    if all(state.done(key) for key in _stages(specs)) and not _to_score(state):
        return None
    path = _next_start(state, work, specs, init)
    return CheckpointFile(path) if path is not None else None


def _input_size(start: CheckpointFile | None, recipe: ClinicRecipe) -> int | None:
    """The input size every step of the run reads photos at: the start checkpoint's, or the
    configuration's from scratch; None when it cannot be told (the step that builds the
    network says why)."""
    if start is not None:
        size = start.peek()["config"].get("input_size")
    else:
        try:
            size = recipe.input_size or get_config(recipe.config).input_size
        except ValueError:
            return None
    return size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else None


def _start_state(start: CheckpointFile | None, recipe: ClinicRecipe) -> dict[str, torch.Tensor] | None:
    """The tensors the run's stages will save: the start checkpoint's, or a fresh network's
    from scratch; None when the configuration is unknown (the step that builds it says why)."""
    if start is not None:
        return start.peek()["state_dict"]
    try:
        config = get_config(recipe.config)
    except ValueError:
        return None
    return build_model(config.with_input_size(recipe.input_size) if recipe.input_size else config).state_dict()


def _now_and_then(every_s: float, line: Callable[[int, int, float], str], last: bool = False) -> Callable[[int, int], None]:
    """A progress callback (done, total) that prints `line(done, total, seconds)` on stderr at
    most every `every_s` seconds (none when the work is quick); with `last`, also when the work
    ends, if it took that long."""
    start = shown = time.monotonic()

    def report(done: int, total: int) -> None:
        nonlocal shown
        now = time.monotonic()
        if now - shown >= every_s or (last and done == total and now - start >= every_s):
            shown = now
            print(line(done, total, now - start), file=sys.stderr, flush=True)

    return report


def _checking_progress(every_s: float = 10.0) -> Callable[[int, int], None]:
    """While the photos are checked."""
    return _now_and_then(every_s, lambda done, total, s: f"[clinic] checking the photos and masks: {done} of {total} "
                         f"({s:.0f} s)", last=True)


def _named(items: list[str], what: str) -> str:
    """'3 files not named as an expression (a, b, c, ...)': a count and the first few."""
    more = ", ..." if len(items) > SHOWN else ""
    return f"{counted(len(items), what)} ({', '.join(items[:SHOWN])}{more})"


def left_out_summary(ignored: dict[str, list[str]]) -> str:
    """One line on what the patient folder holds that the run leaves out ('' when nothing);
    missing expressions are `missing_summary`'s."""
    parts = []
    if ignored["folders"]:
        parts.append(_named(ignored["folders"], "folder") + " without a row in labels.csv")
    if ignored["files"]:
        parts.append(_named(ignored["files"], "file") + " not named as an expression photo (rest, close_eyes, "
                     "raise_eyebrows, open_mouth, wrinkle_nose, puff_cheeks; .jpg, .png, ...)")
    return "; ".join(parts)


def missing_summary(ignored: dict[str, list[str]]) -> str:
    """One line on the expression photos patients lack ('' when none): the patients stay in the
    run, which a "left out" line made them sound dropped."""
    missing = ignored["missing"]
    if not missing:
        return ""
    photos = sum(len(entry.rsplit(": ", 1)[1].split(", ")) for entry in missing)
    return (f"{counted(photos, 'expression photo')} missing ({', '.join(missing[:SHOWN])}{', ...' if len(missing) > SHOWN else ''}; "
            "patients kept, trained and scored on the photos they have)")


CHOOSE_SPLIT = ("to choose which patients train and which are held out, add a split column to labels.csv "
                "(train / val / test for every row; docs/train.md, \"Patient splits\")")
MIN_TRAIN_PER_GRADE = 2  # fewer training patients than this a grade present: the figures mean little


def from_split_column(split_source: str | None) -> bool:
    """Whether labels.csv's split column chose the splits (`PatientDataset.split_source`, kept
    in the run's results), not the automatic rule."""
    return bool(split_source) and not split_source.startswith("automatic")


def grade_gaps(grades: dict[str, dict[str, int]], split_column: bool = False) -> list[str]:
    """Warnings for the card and the command line: too few training patients for the grades
    present, grades no training patient has, grades the test split lacks; each says what to do
    (`split_column`: labels.csv has one, which put the grade's patients where they are)."""
    notes = []
    present = [g for g in grades["train"] if any(grades[s][g] for s in grades)]
    trained = sum(grades["train"].values())
    if present and trained < MIN_TRAIN_PER_GRADE * len(present):
        notes.append(f"Only {trained} training patient{'' if trained == 1 else 's'} for the {len(present)} grade"
                     f"{'' if len(present) == 1 else 's'} in the set (fewer than {MIN_TRAIN_PER_GRADE} a grade): the "
                     "network has almost nothing to learn from and its test figures mean little; grade more patients "
                     "before relying on these weights.")
    else:  # enough on average, yet a grade may have one: a lone grade V among ten grade I
        thin = [g for g in present if 0 < grades["train"][g] < MIN_TRAIN_PER_GRADE]
        if thin:
            notes.append(f"Grade{'' if len(thin) == 1 else 's'} {', '.join(thin)}: fewer than {MIN_TRAIN_PER_GRADE} "
                         "training patients: the network learns little of "
                         f"{'it' if len(thin) == 1 else 'them'} and the figures for "
                         f"{'it' if len(thin) == 1 else 'them'} mean little; grade more such patients.")
    untrained = [g for g, n in grades["train"].items() if not n]
    if untrained:
        held = [g for g in untrained if g in present]
        one = len(held) == 1
        if held and split_column:
            hint = (f" labels.csv's split column puts every grade {', '.join(held)} patient in val/test: move at "
                    f"least one{'' if one else ' of each'} to train (docs/train.md, \"Patient splits\").")
        elif held:
            hint = f" Grade {', '.join(held)} {'is' if one else 'are'} in the set but held out: {CHOOSE_SPLIT}."
        else:
            hint = ""
        notes.append(f"No training patient has grade {', '.join(untrained)}: the network cannot have learnt "
                     f"{'it' if len(untrained) == 1 else 'them'}, and will not give {'it' if len(untrained) == 1 else 'them'} "
                     f"reliably.{hint}")
    untested = [g for g, n in grades["test"].items() if not n]
    if untested:
        notes.append(f"The test split has no patient of grade {', '.join(untested)}: the figures say nothing about "
                     f"{'that grade' if len(untested) == 1 else 'those grades'}.")
    return notes


PATIENT_DIGEST_RULE = "sha256('palsy-patient:' + patient_id), hex"  # how `splits` names patients


def init_overlap(training: dict[str, Any], patients: PatientDataset) -> str | None:
    """A warning when the start checkpoint's training record (`trained_on`: a clinic run's
    `splits`, the demo's synthetic set, and what the weights it started from trained on) names
    patients of this run's val or test split as trained: their figures are of patients the
    weights have seen; or when it names its own but not its start weights' (unknown, not held
    out). None when it names none of them, or names nothing at all."""
    counts, found = trained_held_out(training, patients)
    if any(counts.values()):
        trained = held_out_count(counts, found, "this run's")
        return (f"The start weights (--init) were trained on {trained}: their figures overstate the network. Pin "
                "the split: add a split column to labels.csv that keeps the patients they trained on in train (an "
                f"earlier clinic run's {SPLITS_NAME} lists its own), or start from weights that have not seen these "
                "patients.")
    if found.named and not found.complete:
        return ("The start weights (--init) were fine-tuned from other weights, and their record does not say what "
                "those trained on (a clinic run before 2026-12-07, or weights without a record of their own): whether "
                "this run's held-out patients were among them is unknown.")
    return None


def shared_photo_note(shared: SharedPhoto) -> str:
    """The warning for two patients of one split with an identical photo."""
    return (f"{shared.describe()}: probably one person under two IDs, counted twice in the {shared.first_split} "
            "split; keep one ID per person (one row of labels.csv and one folder).")


def _warn(message: str) -> None:
    """One line on stderr, each time: each note of a run is given once, where it is found."""
    print_warning(message)


def run_clinic(recipe: ClinicRecipe, device: torch.device, progress: Progress | None = None) -> dict[str, Any]:
    """Run the recipe; returns what the card shows (recipe, stage summaries, test metrics, paths)."""
    patients, specs, init = _check(recipe)
    ignored = patients.ignored()
    left_out = left_out_summary(ignored)
    if left_out:
        _warn(f"left out of the run: {left_out}")
    missing = missing_summary(ignored)
    if missing:
        _warn(missing)
    work = Path(recipe.work)
    progress = progress or PrintProgress(every_s=60)
    work.mkdir(parents=True, exist_ok=True)
    state = RunState(work / "state.json")
    _same_run(state, work, recipe, patients)
    # The checkpoint the next step starts from is read once: for the size the photos are kept
    # at, and by that step (`once`); a damaged one is refused before the photos are decoded.
    start = _read_next_start(state, work, specs, init)
    remaining = [key for key in _stages(specs) if not state.done(key)]
    if remaining:
        check_free_space(work, _start_state(start, recipe), remaining)
    read_once = {start.path: start} if start is not None else {}

    def once(path: Path | None) -> CheckpointSource | None:
        """`path`, or the first time it is the start checkpoint's, that checkpoint as read."""
        return read_once.pop(Path(path), path) if path is not None else None

    # The app's face crop for a new run; a run an earlier version started keeps the whole photo
    # its stages trained on (face_prep.clinic_preparation).
    started = any(state.done(key) or (work / f"{key}.pt").is_file() for key in ("stage1", "stage2", "metrics"))
    preparation = clinic_preparation(state.data.get(RECORD_KEY), started)
    if not state.done(RECORD_KEY):
        state.record(RECORD_KEY, preparation)
    photos = DecodedPhotos(preparation=preparation)
    checked = _check_photos(state, patients, specs, photos, _input_size(start, recipe))
    if photos.no_face():
        _warn(no_face_note(photos.no_face(), "the run"))
        if "test" in checked and not photos.scorable(patients.samples("test")):  # found now, not after training
            raise InputError(f"no face found in any test photo of {recipe.patients} (the face crop `palsy assess` "
                             "makes): nothing to score the weights on; retake the test patients' photos with the "
                             "face filling about half the frame, or choose other test patients in a split column "
                             "of labels.csv")
    if len(checked) == 3:  # identical photos are compared over every split at once (the first start)
        # of one split: those of two splits were refused by the check
        state.record("shared_photos", [shared_photo_note(s) for s in patients.shared_photos])
        state.record("no_face", photos.no_face())  # for the card of a rerun that checks fewer splits
    no_face = state.data.get("no_face", photos.no_face())
    used = used_patients(patients, no_face)
    grades = _grade_counts(patients, used)
    # of the patients trained and scored on, known once the faces are
    for note in grade_gaps(grades, from_split_column(patients.split_source)):
        _warn(note)
    shared = state.data.get("shared_photos") or []
    for note in shared:
        _warn(note)
    write_splits_csv(patients, work / SPLITS_NAME)
    if start is not None and init is not None and start.path == init:  # read once, at the run's start
        init_training = start.peek().get("training") or {}
        state.record("init_overlap", init_overlap(init_training, patients))
        state.record(INIT_TRAINING, init_training)
        state.record(INIT_CAUTIONS, weights_cautions(start.peek()))
    elif init is not None and INIT_CAUTIONS not in state.data:  # a run an earlier version started: read them now
        state.record(INIT_CAUTIONS, weights_cautions(read_checkpoint(init)))
    overlap = state.data.get("init_overlap")
    if overlap:
        _warn(overlap)
    if not state.done("machine"):
        state.record("machine", describe_machine(device))
    state.start_attempt()
    # the start file's digest as read before the photo check, when the run starts from it
    init_sha = (start.sha256 if start is not None and start.path == init else sha256_of(init)) if init else None
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
            init=None if resume else once(init), resume=once(resume), progress=progress, log_path=log, photos=photos,
            mark=clinic_stage_mark("stage1", work),
        )[1], tag="clinic")
    final = run_stage(state, work, "stage2", "stage 2 (grading)", lambda out, resume, log: train_grading(
        recipe.patients, out, loop("grading", grading_minutes, recipe.stage2_lr, True), device, cascaded=True,
        batch_size=recipe.batch_size, init=None if resume else once(e1_source), resume=once(resume), progress=progress,
        log_path=log, cache_variants=recipe.cache_variants, photos=photos, mark=clinic_stage_mark("stage2", work),
    )[1], tag="clinic")

    target = work / WEIGHTS_NAME
    metrics = _score(state, work, once(final), patients, recipe, device, photos)
    photos.forget()
    wall_s = state.run_wall_s()
    training = {"recipe": _plain(recipe), "command": "palsy train clinic", "init_sha256": init_sha, RECORD_KEY: preparation,
                "split_source": patients.split_source, "patient_digest": PATIENT_DIGEST_RULE,
                "splits": split_digests(patients),
                **{k: state.data[k] for k in ("stage1", "stage2", INIT_TRAINING) if k in state.data}}
    # The weights are written under a temporary name and renamed only after metrics.json and
    # the card: a run that fails on the way leaves no clinic.pt for `palsy assess` to use.
    pending = work / (WEIGHTS_NAME + ".partial")
    results = {"recipe": _plain(recipe), "state": state.data, "init": str(init) if init else None,
               "init_sha256": init_sha, "patients": {s: len(ids) for s, ids in used.items()},
               "listed": {s: len(patients.patient_ids(s)) for s in used}, "grades": grades, "wall_s": wall_s,
               "ignored": ignored,
               "split_source": patients.split_source, "photos": _photo_counts(patients), "shared_photos": shared,
               "photo_preparation": preparation, "no_face": no_face,
               "unused": [pid for s in used for pid in patients.patient_ids(s) if pid not in used[s]],
               "parser": parser_note(final, patients, specs, init)}
    cautions = results["cautions"] = clinic_cautions(results)
    carried = weights_metrics(metrics)
    results["sha256"] = keep_or_write_final(state, final, target, [training, carried, cautions], lambda: save_checkpoint(
        load_checkpoint(final)[0], pending, training=training, metrics=carried, half=True, extra={CAUTIONS: cautions}))
    (work / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (work / CARD_NAME).write_text(clinic_card(results), encoding="utf-8")
    if pending.is_file():
        replace_file(pending, target)
    for name in OUTPUTS:  # the set of the void figures, moved aside by `_same_run`: replaced now
        (work / (name + STALE)).unlink(missing_ok=True)
    g = metrics["grading"]["patient"]
    say(f"wrote {target} and {CARD_NAME}: {final_figures_line(g)}", "clinic")
    return results


def weights_metrics(metrics: Any) -> Any:
    """The figures clinic.pt carries: metrics.json's, with each list of photos where no face was
    found (`no_face`, named patient id first) given as its count. The weights file may travel
    and carries no patient id in clear (docs/train.md); the names stay in metrics.json and the
    card, beside the run."""
    if isinstance(metrics, dict):
        return {key: len(value) if key == "no_face" and isinstance(value, list) else weights_metrics(value)
                for key, value in metrics.items()}
    return metrics


def clinic_stage_mark(key: str, work: Path) -> dict[str, Any]:
    """The entries that name a stage file as an intermediate stage of this run in its own
    training record: the file is refused for grading wherever it is copied
    (`models.pipeline.loader.clinic_stage_of`), not only beside the run's state.json. No
    `command`: a record naming `palsy train clinic` is read as the finished weights' (their
    `splits`, `models.data.patients.held_out_seen`)."""
    return {CLINIC_STAGE: key, CLINIC_RUN: str(work.resolve())}


def final_figures_line(g: dict[str, Any]) -> str:
    """The test split's accuracy and kappa as the run's last line says them; the kappa is "n/a"
    with the reason where it is undefined (a 1-patient test split printed "kappa 1.000")."""
    why = f" ({KAPPA_UNDEFINED})" if g["quadratic_kappa"] is None else ""
    return f"test accuracy {figure_text(g['accuracy'])}, kappa {figure_text(g['quadratic_kappa'])}{why}"


# The shipped demo's face parser, in the words of its card (resources/weights/demo_compact.md, "Data")
DEMO_PARSER = "the demonstration parser, trained on public face photos and synthetic faces, no palsy patient"


def parser_note(final: Path, patients: PatientDataset, specs: list[DataSpec], init: Path | None) -> str | None:
    """A caution when the weights' face parser (E1, behind the masks, the measurements and the
    measured grade) was not trained on this clinic's faces (no masks in the train split), saying
    whose it is; None when it was. Stage 2 keeps E1 frozen, so it is then the start weights'
    parser: the demonstration one by default, which nothing else on the weights says any more."""
    if _has_masks(patients, "train"):
        return None
    if same_parser(read_checkpoint(final)["state_dict"], _demo_state()):
        origin = DEMO_PARSER
    elif init is not None and not specs:
        origin = f"the parser of the start weights {init.name}"
    else:  # stage 1 ran on the further parsing sets alone
        origin = "a parser trained on the face-parsing sets " + ", ".join(spec.path.name for spec in specs) + (
            f", starting from {init.name}" if init is not None else "")
    return f"The face parser (segmentation and measured grade) was not trained on this clinic's faces: it is {origin}."


def _demo_state() -> dict[str, Any] | None:
    """The shipped demo weights' state dict, or None when they are missing or refused."""
    path = default_weights_path()
    try:
        return read_checkpoint(path)["state_dict"] if path.is_file() else None
    except CheckpointError:
        return None


def same_parser(state: dict[str, Any], other: dict[str, Any] | None) -> bool:
    """Whether two state dicts hold the same E1: every `e1.` entry equal in value, whatever
    precision each file stores (the demo's fp16 stays exact through a clinic run's fp32)."""
    keys = sorted(k for k in state if k.startswith("e1."))
    if other is None or not keys or keys != sorted(k for k in other if k.startswith("e1.")):
        return False
    return all(state[k].shape == other[k].shape and torch.equal(state[k].float(), other[k].float()) for k in keys)


def clinic_cautions(results: dict[str, Any]) -> list[str]:
    """The sentences clinic.pt carries (meta `cautions`, `models.resources.weights_cautions`),
    shown wherever the weights grade (the GUI's amber banner, `palsy assess`, the report): the
    card's warnings reached only those who opened it. First what the weights were trained and
    tested on, and that they are not validated; then whose face parser they hold; then the
    run's warnings."""
    counts, st = results["patients"], results["state"]
    g = st["metrics"]["grading"]["patient"]
    cautions = [f"Trained on {counted(counts['train'], 'patient')} of this clinic, tested on {counts['test']} (test "
                f"accuracy {figure_text(g['accuracy'])}, kappa {figure_text(g['quadratic_kappa'])}); not a validated "
                "medical device."]
    unused = unused_note(results)
    cautions += [unused] if unused else []
    cautions += [results["parser"]] if results.get("parser") else []
    short = _short_stages(st)
    if short:
        cautions.append(f"Very short training ({', '.join(short)}; fewer than {TINY_STEPS}): the weights mostly show "
                        "where they started from.")
    return cautions + run_warnings(results, named=False) + start_cautions(results)


def start_cautions(results: dict[str, Any]) -> list[str]:
    """The start weights' own cautions (--init another clinic's clinic.pt, or weights trained
    further from one), after a sentence that says whose they are; [] for start weights that
    carry none. They were dropped: the final clinic.pt kept only this run's, though its start
    was not validated either and trained on other patients (its stage files kept both)."""
    inherited = [c for c in results["state"].get(INIT_CAUTIONS) or [] if isinstance(c, str)]
    if not inherited or not results.get("init"):
        return []
    return [f"Started from {Path(results['init']).name}, which carries {counted(len(inherited), 'caution')} of its "
            "own, given below as that file gives them: they are that file's, and this run's test figures above are "
            "the new weights'.", *inherited]


def run_warnings(results: dict[str, Any], named: bool = True) -> list[str]:
    """The run's warnings on its data, as the card (`named`: which patients share a photo) and
    the weights' cautions give them. The cautions travel with clinic.pt onto every report it
    grades and into every stored result: naming the two patients there printed other patients'
    record numbers on an unrelated patient's report, so they only count them."""
    overlap = results["state"].get("init_overlap")
    shared = list(results.get("shared_photos") or [])
    if shared and not named:
        shared = [shared_photos_caution(len(shared))]
    return grade_gaps(results["grades"], from_split_column(results.get("split_source"))) + shared + ([overlap] if overlap else [])


def shared_photos_caution(pairs: int) -> str:
    """The weights' caution for training patients with identical photos, naming none of them."""
    return (f"{counted(pairs, 'pair')} of this clinic's patients share an identical photo: probably one person under "
            "two IDs, counted twice (the run's clinic.md names them).")


def _score(state: RunState, work: Path, final: CheckpointSource, patients: PatientDataset, recipe: ClinicRecipe,
           device: torch.device, decoded: DecodedPhotos | None = None) -> dict[str, Any]:
    """The test split's figures (the headline) and the val split's under "val" (None without val
    patients), scored from the fp16 weights as clinic.pt will hold them (a temporary file, removed
    after); each split's start, end or failure goes to `OUT/scoring.jsonl`. The photos are read
    through `decoded` (`sources.PhotoReader`)."""
    todo = _to_score(state)
    if not todo:
        return state.data["metrics"]
    scoring = work / "scoring.pt"
    log = work / SCORING_LOG
    save_checkpoint(model_of(final), scoring, half=True)
    metrics: dict[str, Any] = dict(state.data.get("metrics") or {"split": "test"})
    metrics["val"] = None
    split = todo[0]
    try:
        model, _ = load_checkpoint(scoring)
        for split in todo:
            ids = patients.patient_ids(split)
            if not ids:
                continue
            if decoded is not None and not decoded.scorable(patients.samples(split)):  # test: refused before training
                say(f"no face found in any {split} photo: the {split} patients are not scored", "clinic")
                continue
            photos = len(patients.samples(split))
            say(f"scoring the {counted(len(ids), f'{split} patient')} ({counted(photos, 'photo')})", "clinic")
            _log_event(log, {"event": "scoring", "split": split, "patients": len(ids), "photos": photos})
            start = time.monotonic()
            part: dict[str, Any] = {"grading": grading_reports(model, recipe.patients, split, device,
                                                               progress=_scoring_progress(split), photos=decoded)}
            if _has_masks(patients, split):
                part["parsing"] = evaluate_parsing(model, recipe.patients, split, device, photos=decoded)
            elapsed = round(time.monotonic() - start, 1)
            g = part["grading"]["patient"]
            _log_event(log, {"event": "scored", "split": split, "patients": len(ids), "elapsed_s": elapsed,
                             "accuracy": g["accuracy"], "quadratic_kappa": g["quadratic_kappa"]})
            say(f"scored the {split} patients in {elapsed:.0f} s: accuracy {figure_text(g['accuracy'])}", "clinic")
            if split == "test":
                metrics.update(part)
            else:
                metrics["val"] = {"patients": len(ids), **part}
    except BaseException as exc:  # logged, then raised as it was (Ctrl-C included)
        _log_event(log, {"event": "scoring_failed", "split": split, "error": f"{exc.__class__.__name__}: {exc}"})
        raise
    finally:
        scoring.unlink(missing_ok=True)
    state.record("metrics", metrics)
    return metrics


def _to_score(state: RunState) -> tuple[str, ...]:
    """The splits still to score: both without figures; the val split alone for figures of a
    run started by an earlier version, which scored the test split only."""
    metrics = state.data.get("metrics")
    if metrics is None:
        return ("test", "val")
    return () if "val" in metrics else ("val",)


def _scoring_progress(split: str, every_s: float = 15.0) -> Callable[[int, int], None]:
    """While a split is scored."""
    return _now_and_then(every_s, lambda done, total, s: f"[clinic] scoring the {split} patients: {done} of {total} photos")


def _log_event(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"time": round(time.time(), 1), **record}) + "\n")


def _same_run(state: RunState, work: Path, recipe: ClinicRecipe, patients: PatientDataset) -> None:
    """Record the recipe and the data at the first start; a rerun resumes only the same run.
    Only names and sizes are read here (nothing decoded): a refusal comes at once.

    Before any stage has trained a step a changed command simply replaces the recipe (a
    start that failed on a wrong option must not block its folder). After that (a stage
    finished, or an interrupted one left its checkpoint), another recipe or changed training
    patients (their rows of labels.csv, photos, masks; a relabelled patient can move others
    between the splits) are refused: the stages would not match the card. Changed val or test
    patients only void the figures: they are scored again, nothing is retrained, and the
    outputs that claim the old figures (clinic.pt, metrics.json, clinic.md) are moved aside
    as `*.stale` first (`_set_aside`), so an interrupted rescoring leaves none in place.

    A run started before the two fingerprints holds one digest of everything, made by the
    reader of that version (`_legacy_fingerprint`); when it matches, the run takes the new
    fingerprints and keeps its figures.
    """
    started = any(state.done(key) or (work / f"{key}.pt").is_file() for key in ("stage1", "stage2"))
    old = state.data.get("recipe")
    new = _plain(recipe)
    if started and old is not None and old != new:
        keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        differences = "; ".join(f"{k}: {_recipe_value(old.get(k))} in the run, {_recipe_value(new.get(k))} asked"
                                for k in keys)
        raise InputError(f"{work} holds a run with another recipe (differs in {differences}); rerun it with the "
                         f"same options, or choose another --out")
    trained_on, scored_on = _fingerprint(patients, ("train",)), _fingerprint(patients, ("val", "test"))
    if "training_data" in state.data:
        if started and state.data["training_data"] != trained_on:
            raise InputError(f"the training patients in {recipe.patients} changed since this run started in {work} "
                             "(their rows of labels.csv, photos or masks; or, where a grade had no training patient, "
                             "the automatic split, which gives it one since 2026-12-06 and, filling a small set's "
                             "empty val or test split, keeps it since 2026-12-07; or, for photos of several "
                             "frames, this version of Palsy Grader now pairs masks/EXPRESSION.png with the "
                             "expression's first frame): its stages would not match them; start the run "
                             "again in a new --out folder")
        scoring_changed = state.data.get("scoring_data") != scored_on
    elif "data" in state.data:  # a run started before the two fingerprints: its one digest of everything
        scoring_changed = state.data["data"] != _legacy_fingerprint(patients)
        if started and scoring_changed:
            raise InputError(f"the patients in {recipe.patients} changed since this run started in {work} (labels.csv "
                             "or the photos' or masks' names or sizes; the run, started by an earlier version, cannot "
                             "tell training patients from held-out ones): its stages would not match them; choose "
                             "another --out for a new run")
    else:
        scoring_changed = True  # nothing recorded: nothing scored yet
    if state.done("metrics") and scoring_changed:
        say("the val or test patients changed since they were scored: scoring them again (the stages stand)", "clinic")
        del state.data["metrics"]
        state.data.pop("final", None)
        _set_aside(work)
    state.data.pop("data", None)
    state.record("recipe", new)
    state.record("training_data", trained_on)
    state.record("scoring_data", scored_on)


def _recipe_value(value: Any) -> str:
    """A recipe entry as the refusal of another recipe names it: the user must be able to type
    the run's value again (a --minutes typed days ago), or see that a folder moved."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return "none" if value is None else str(value)


def _set_aside(work: Path) -> None:
    """Move clinic.pt, metrics.json and clinic.md to `NAME.stale`, saying so: their figures
    are of val or test patients that changed. The new set replaces them after scoring."""
    moved = []
    for name in OUTPUTS:
        if (work / name).is_file():
            replace_file(work / name, work / (name + STALE))
            moved.append(name)
    if moved:
        say(f"moved {', '.join(moved)} aside as {', '.join(n + STALE for n in moved)} in {work}: their figures are of "
            "the old val or test patients (removed once the new ones are written)", "clinic")


def _fingerprint(patients: PatientDataset, splits: tuple[str, ...]) -> str:
    """sha256 over the chosen splits' patients: their row (id, grade, side, split) and every
    photo's and mask's name and size."""
    digest = hashlib.sha256()
    for pid in patients.patient_ids():
        p = patients.patients[pid]
        if p.split not in splits:
            continue
        digest.update(f"{pid},{p.grade},{p.side},{p.split}\n".encode())
        for _, image, mask in patients.photos(pid):
            for path in (image, mask):
                if path is not None:
                    digest.update(f"{pid}/{path.name}:{path.stat().st_size}\n".encode())
    return digest.hexdigest()


_LEGACY_SUFFIXES = (".jpg", ".jpeg", ".png")  # the photos the reader of earlier versions found


def _legacy_fingerprint(patients: PatientDataset) -> str:
    """The one digest runs recorded before the split fingerprints: labels.csv and every listed
    patient's photo and mask names and sizes, as the reader of that version found them
    (`ROOT/PATIENT_ID` exactly, .jpg/.jpeg/.png only: a .tif it never read must not make the
    run look changed)."""
    digest = hashlib.sha256((patients.root / "labels.csv").read_bytes())
    for pid in patients.patient_ids():
        folder = patients.root / pid
        masks = masks_by_stem(folder / "masks")
        for path in sorted(folder.glob("*")):
            m = PHOTO_STEM.match(path.stem.lower())
            if path.suffix.lower() not in _LEGACY_SUFFIXES or not m or m.group("expr") not in EXPRESSIONS:
                continue
            for found in (path, find_mask(masks, path.stem)):
                if found is not None:
                    digest.update(f"{pid}/{found.name}:{found.stat().st_size}\n".encode())
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


def used_patients(patients: PatientDataset, no_face: list[str]) -> dict[str, list[str]]:
    """Each split's patients with a photo the run reads: one whose photos all had no face found
    (`no_face`, named as `photo_name` names them) is neither trained nor scored on, and must not
    count as a grade the network learnt or a patient it was tested on."""
    left_out = set(no_face)
    return {split: [pid for pid in patients.patient_ids(split)
                    if any(photo_name(s.image) not in left_out for s in patients.samples(patient_ids=[pid]))]
            for split in ("train", "val", "test")}


def _grade_counts(patients: PatientDataset, used: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Patients per grade of each split, of those the run reads (`used_patients`)."""
    counts = {s: dict.fromkeys(GRADES, 0) for s in used}
    for split, ids in used.items():
        for pid in ids:
            counts[split][GRADES[patients.patients[pid].grade]] += 1
    return counts


def unused_note(results: dict[str, Any]) -> str | None:
    """'5 test patients listed, 4 scored: ...' where the patients trained or scored on are fewer
    than labels.csv lists (every photo of some had no face found); None where none is missing."""
    used, listed = results["patients"], results.get("listed") or results["patients"]
    parts = [f"{counted(listed[s], f'{s} patient')} listed, {used[s]} {verb}"
             for s, verb in (("train", "trained on"), ("val", "scored"), ("test", "scored")) if used[s] != listed[s]]
    if not parts:
        return None
    return "; ".join(parts) + ": the others had no photo in which a face was found."


def _counts(confusion: list[list[int]]) -> tuple[int, int, int]:
    """(n, correct, within one grade) of a confusion matrix."""
    n = correct = near = 0
    for i, row in enumerate(confusion):
        for j, v in enumerate(row):
            n += v
            correct += v if i == j else 0
            near += v if abs(i - j) <= 1 else 0
    return n, correct, near


def _with_interval(k: int, n: int) -> str:
    """'0.667 (0.21-0.94)': a proportion with its 95% Wilson interval; 'n/a' of nothing."""
    if not n:
        return "n/a"
    low, high = wilson_interval(k, n)
    return f"{k / n:.3f} ({low:.2f}-{high:.2f})"


def _figures(g: dict[str, Any], split: str) -> list[str]:
    """The table of a split's grading figures: n beside each, 95 % Wilson intervals."""
    lines = [
        "| level | n | accuracy (95% CI) | quadratic kappa | within one (95% CI) |",
        "|---|---|---|---|---|",
    ]
    undefined = False
    for key, label, unit in (("patient", "network, per patient", "patients"), ("photo", "network, per photo", "photos"),
                             ("measured", "measured function", "patients")):
        r = g[key]
        n, correct, near = _counts(r["confusion"])
        shown = f"{n} {unit}" + (f" ({r['unmeasured']} not measurable)" if r.get("unmeasured") else "")
        kappa = figure_text(r["quadratic_kappa"]) if n else "n/a"
        undefined = undefined or kappa == "n/a"
        lines.append(f"| {label} | {shown} | {_with_interval(correct, n)} | {kappa} | {_with_interval(near, n)} |")
    if undefined:
        lines += ["", f"Kappa n/a: {KAPPA_UNDEFINED} (it measures agreement beyond chance across grades)."]
    lines += ["", f"Intervals: 95% Wilson score intervals; with {_counts(g['patient']['confusion'])[0]} {split} patients "
              "they are wide. Photos of one patient are not independent: the per-photo interval is too narrow."]
    return lines


def parsing_sentence(report: dict[str, Any], split: str) -> str:
    """The card's line on the parsing of a split's masks; "n/a" with the reason when no class but
    background was in the masks or the predicted masks (the report's null mean)."""
    if report.get("mean_f1") is None:
        return (f"Parsing on the {split} patients' masks: mean F1 n/a (no class but background in their masks or "
                "the predicted masks).")
    return f"Parsing on the {split} patients' masks: mean F1 {figure_text(report['mean_f1'])}."


def _short_stages(st: dict[str, Any]) -> list[str]:
    """The stages that ran fewer than TINY_STEPS steps ("stage 2 120 steps")."""
    return [f"stage {key[-1]} {counted(st[key]['steps'], 'step')}" for key in ("stage1", "stage2")
            if key in st and st[key]["steps"] < TINY_STEPS]


def _short_training(st: dict[str, Any], photos: int) -> list[str]:
    """A warning when a stage ran fewer than TINY_STEPS steps."""
    short = _short_stages(st)
    if not short:
        return []
    seen = st["stage2"]["steps"] * st["recipe"]["batch_size"] / photos if photos else 0.0
    return [f"> **Warning: very short training** ({', '.join(short)}; fewer than {TINY_STEPS}): each training photo "
            f"was drawn about {seen:.1f} times in stage 2. Weights this little trained mostly show where they started "
            "from; give more --minutes before relying on them.", ""]


def _preparation_line(results: dict[str, Any]) -> str:
    """How the photos were prepared for training and scoring, and how many the app's face crop
    left out (the counts above are of every photo listed)."""
    if results.get("photo_preparation", "letterbox") != "face_crop":
        return "- Photos: the whole photo fitted to the network's input (a run started before the face crop)."
    left = results.get("no_face") or []
    out = f"; {counted(len(left), 'photo')} with no face found left out, as the app would refuse them" if left else ""
    return f"- Photos: the face crop `palsy assess` makes (trained and scored on what the app grades){out}."


def _unused_line(results: dict[str, Any]) -> str:
    """For the card's patient counts: how many labels.csv lists where more, and who had no
    usable photo (the card stays with the run, so it names them)."""
    note = unused_note(results)
    return f" {note[:-1]} ({', '.join(results['unused'])})." if note else ""


def clinic_card(results: dict[str, Any]) -> str:
    """The model card of a clinic run (markdown)."""
    recipe, st = results["recipe"], results["state"]
    metrics = st["metrics"]
    g = metrics["grading"]
    photos = results.get("photos", {})
    lines = [
        "# Model card: clinic-trained Palsy Grader weights",
        "",
        "> **Decision support only — not for diagnosis.** These weights were trained by `palsy train clinic` on the "
        "patients listed below. Check the test figures, and the confusion matrix, before relying on them; a small "
        "test split gives wide error bars.",
        "",
    ]
    lines += _short_training(st, photos.get("train", (0, 0))[0])
    warnings = ([results["parser"]] if results.get("parser") else []) + run_warnings(results)
    for warning in warnings:
        lines += [f"> **Warning:** {warning}", ""]
    init = results["init"]
    started = (f"{init} (sha256 `{results['init_sha256']}`)" if init and results.get("init_sha256") else init) \
        or "scratch (random initialisation)"
    lines += [
        "## Data",
        f"- Graded patients: `{recipe['patients']}`: {results['patients']['train']} train / {results['patients']['val']} val / "
        f"{results['patients']['test']} test patients (split by patient; {results.get('split_source', 'split')})."
        + _unused_line(results),
        "- Expression photos per split (with masks): " + "; ".join(
            f"{s} {n} ({m})" for s, (n, m) in photos.items()) + ".",
        _preparation_line(results),
        "- Grades per split: " + "; ".join(
            f"{s} " + ", ".join(f"{k} {v}" for k, v in results["grades"][s].items()) for s in ("train", "val", "test")),
        f"- Further face-parsing sets: {', '.join(f'`{p}`' for p in recipe['parsing']) or 'none'}.",
        f"- Started from: {started}.",
        "- The val patients are used for nothing during training (no early stopping, no tuning): they are scored "
        "below as a second held-out set; the test figures are the headline.",
    ]
    ignored = results.get("ignored") or {}
    if any(ignored.values()):
        lines += ["", "## Left out of this run", ""]
        for key, what in (("folders", "Folders without a row in labels.csv"),
                          ("files", "Files not named as an expression photo"),
                          ("missing", "Patients missing expressions (trained and scored on the others)")):
            if ignored.get(key):
                lines.append(f"- {what} ({len(ignored[key])}): " + "; ".join(f"`{x}`" for x in ignored[key]) + ".")
    lines += ["", "## Recipe"]
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
    ]
    lines += _figures(g, "test")
    top = top_probability_sentence(g["patient"].get("top_probability"), "test patients")
    if top:
        lines += ["", top]
    if "parsing" in metrics:
        lines += ["", parsing_sentence(metrics["parsing"], "test")]
    lines += ["", "Confusion matrix, network per patient (rows = true grade I-VI):", "", "```"]
    lines += [f"{grade:<4}" + " ".join(f"{v:3d}" for v in row) for grade, row in zip(GRADES, g["patient"]["confusion"], strict=True)]
    lines += ["```", "", "## Validation patients (`palsy evaluate grading --split val`)", ""]
    val = metrics.get("val")
    if val:
        lines += _figures(val["grading"], "val")
        if "parsing" in val:
            lines += ["", parsing_sentence(val["parsing"], "val")]
    else:
        lines.append("No val patients: nothing to report.")
    lines.append("")
    return "\n".join(lines)
