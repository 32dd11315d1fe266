"""`palsy train demo`: the one-command recipe behind the shipped demo weights.

1. render synthetic training and held-out patients (disjoint seeds) through `render`;
2. stage 1, parsing, from scratch at `base_size`: synthetic patients + lfw_parts_fine +
   fasseg_fine (11 classes) + coarse lfw_parts + fasseg (partial-label loss), training
   parts only; then the same mixture at `input_size` (progressive resizing, `resize.py`);
3. stage 2, grading: E1 frozen, E2 on the synthetic training patients at `base_size`; the
   shipped cascade grades there (E1's masks at `input_size`), or, with `grading_at="input"`,
   stage 2 goes on with the resized E1 at `input_size`;
4. evaluation on held-out synthetic patients (network grade, measured grade) and the
   held-out real parts;
5. cascaded vs end-to-end with few training patients, both scored on the same held-out set;
6. fp16 checkpoint, manifest (sha256) and model card in `weights_dir`.

Stages that finished are recorded in `work/state.json`, so a rerun after a crash goes on
from the last finished stage. CelebAMask samples are never used (their licence forbids it).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from models.checkpoint import load_checkpoint, save_checkpoint, sha256_of
from models.data.glasses import check_glasses_fraction
from models.errors import InputError
from models.metrics import figure_text
from models.resources import DEMO_CARD, DEMO_WEIGHTS, shared_data_dir
from models.resources import weights_dir as default_weights_dir
from models.train.card import demo_command, polish_record, write_card
from models.train.comparison import compare_run
from models.train.evaluation import evaluate_parsing, grading_reports
from models.train.loop import LoopSettings, PrintProgress, Progress
from models.train.machine import describe_machine
from models.train.precision import resolve_precision
from models.train.resize import write_resized, write_reused_e1
from models.train.run_state import RunState, keep_or_write_final, run_stage, say
from models.train.stages import DataSpec, train_grading, train_parsing

Render = Callable[[Path, int, int], None]
# How the recorded metrics were scored; metrics recorded otherwise (older runs scored the
# fp32 stage checkpoint) are scored again on a rerun.
SCORED = "fp16 as shipped"
GRADING_AT = ("base", "input")  # where E2 grades: DemoRecipe.grading_at


@dataclass(frozen=True)
class DemoRecipe:
    """Everything that decides the demo weights; stored in the checkpoint and the card."""

    config: str = "compact"
    # The shipped input. Most steps run at `base_size` (a 256-px step costs ~5 x a 128-px
    # one on the CPU); each stage then fine-tunes at `input_size`, where brows and lips are
    # wide enough to parse: in a probe, 8 min at 256 px after the 128-px stage 1 took the
    # synthetic brows' F1 from 0.54 to 0.78 and the measured grade from 0.30 to 0.43 (kappa
    # 0.70 -> 0.83). base_size >= input_size means one size throughout.
    input_size: int = 256
    base_size: int = 128
    seed: int = 0
    data_root: str = field(default_factory=lambda: str(shared_data_dir()))
    work: str = "runs/demo"
    train_patients: int = 600
    train_seed: int = 1
    eval_patients: int = 120
    eval_seed: int = 900001
    compare_patients: int = 60
    batch_size: int = 8
    # Both cores, for a machine left to the recipe: a 128-px stage-1 batch of 8 took 0.33 s
    # with two threads and 0.59 s with one (quiet 2-core machine). While other jobs share
    # the cores, one thread is faster (4.3 s vs 1.0 s measured then): use --threads 1.
    threads: int = 2
    # Stage 1's forward passes in bf16 autocast where the hardware runs it natively ("auto";
    # models/train/precision.py): 1.6-1.8x the steps in the same minutes on this VM.
    precision: str = "auto"
    # Stage 2 and the comparison runs stay fp32. In bf16, stage 2 of the 2026-12-01 run sat
    # at loss ln 6 for all of its 6200 steps (runs/demo_2026-12-01c_bf16_stage2_stuck), where
    # fp32 runs left that plateau after 1000-2000: the grade signal is a 1-2 px left/right
    # difference, and bf16's 8-bit mantissa blurs it.
    grading_precision: str = "fp32"
    # 30 + 14 (was 34 + 10 in fp32): with bf16 a 256-px step gains more (2.4x) than a
    # 128-px one (1.8x), and the 256-px fine-tune is what lifted brows and the measured grade.
    stage1_minutes: float = 30.0
    stage1_fine_minutes: float = 14.0
    # Where E2 grades in the shipped cascade (`CascadeConfig.grading_size`): "base" = stage 2
    # trains all its minutes at `base_size` and ships without a fine-tune, E2 grading the
    # photo resized to that size; "input" = stage 2 fine-tunes at `input_size` and grades
    # there. On the CPU the fine-tune undid E2: 36 min at 128 px scored 0.517 per patient,
    # and 8 more at 256 px 0.433, with grades I-IV all called II (docs/train.md, "Grading at
    # the base size").
    grading_at: str = "base"
    stage2_minutes: float = 24.0
    stage2_fine_minutes: float = 0.0
    compare_minutes: float = 4.0
    # Base rates of the poly schedule. The paper's 2e-4 (the CLI default) suits a pretrained
    # ResNet-101 trained for 50 epochs; from scratch in half an hour of CPU it learned too
    # little (after 7 min: FASSEG mean F1 0.39 at 2e-4 vs 0.48 at 2e-3; runs/pilot, runs/exp_s1).
    stage1_lr: float = 2e-3
    # Stage 2 keeps the paper's 2e-4. At 1e-3 (the 2026-11-24 run) and at 5e-4, E2 sat at
    # loss ln 6 and chance accuracy; at 2e-4 the cached-feature probe left the plateau within
    # 400 steps (held-out patient accuracy 0.41 after 5 min), at 1e-4 more slowly (docs/train.md).
    stage2_lr: float = 2e-4
    # Stage 2 and both comparison runs add this weight x the ordinal term (`ordinal_grade_loss`,
    # docs/train.md "Ordinal term") to the paper's cross-entropy; 0 is the paper's loss. In a
    # 12-minute probe (128 px, 1 thread) weight 5 took E2 to 0.500 / 0.660 held-out (accuracy /
    # kappa) where cross-entropy alone reached 0.275 / 0.571; but the whole stage 2 with weight 5
    # on the shipped E1 (`--e1-from`, 2026-12-01, Intel Xeon) scored 0.358 / 0.734 / 0.683 per
    # patient against the then-shipped cross-entropy E2's 0.392 / 0.747 / 0.808, so the recipe keeps
    # the paper's loss (and reproduces the shipped weights).
    stage2_ordinal_weight: float = 0.0
    # Stage 2 (and the cascaded comparison run) on cached E1 features: this many augmented
    # copies of each training photo, half mirrored, z computed once (`feature_cache`); the
    # caching time counts in the stage's minutes. 0 = a fresh augmentation and E1 pass per draw,
    # as the shipped weights were trained. With 4, stage 2 on the shipped E1 ran 30-60 % more
    # steps in its 24 minutes yet scored lower per patient with both seeds tried (seed 0:
    # 0.567 against the shipped 0.692; seed 1: 0.383 against 0.433; docs/train.md, "Stage 2
    # on cached E1 features"), so the recipe stays live.
    stage2_cache_variants: int = 0
    # Stage 1's fine-tune at input_size starts from a trained E1: a quarter of stage 1's rate.
    stage1_fine_lr: float = 5e-4
    # A checkpoint whose trained E1 stands in for stage 1 (`palsy train demo --e1-from FILE`):
    # stage 1 is not run, its figures in the card are the source run's, and stage 2 and the
    # comparison train a fresh E2 on it. Empty: stage 1 trains from scratch.
    e1_from: str = ""
    # With `e1_from`: keep that checkpoint's trained E2 (and the size it grades at) instead of
    # training stage 2 (`palsy train demo --e1-from FILE --keep-e2`): a run that only trains E1 on
    # (`e1_polish_minutes`), rescored and shipped with the card saying where E2 came from.
    keep_e2: bool = False
    # The whole E1 trains on at `input_size` for this many minutes after stage 1 (and its
    # fine-tune): the same mixture, poly LR from `e1_polish_lr`. E2 reads only the backbone's z
    # and is not retrained. Probe of 2026-12-03 (docs/train.md, "E1 after stage 2"): 20 minutes
    # on the shipped E1, shipped E2 kept, raised every parsing figure (synthetic 0.891 -> 0.899,
    # FASSEG 0.849 -> 0.852, LFW 0.901 -> 0.906) and the measured grade's kappa (0.887 -> 0.906)
    # at the same network grade; the run that made the afternoon's weights with it: 0.898 / 0.849 /
    # 0.907, kappa 0.901; a second such run on those (the shipped weights): 0.906 / 0.857 / 0.908.
    # 0 in the whole recipe, which spends its 90 minutes elsewhere.
    e1_polish_minutes: float = 0.0
    e1_polish_lr: float = 2.5e-4
    # This fraction of the stage-1 training faces (stage 1, its fine-tune and the polish) wear
    # wire-rim glasses drawn around their labelled eyes (`models.data.glasses`): no synthetic
    # face wears glasses, and the FASSEG hold-out's glasses wearer is where E1 loses the most eye
    # pixels (docs/train.md, "Where the FASSEG points go"). 0: none, as the shipped stage 1 trained.
    glasses_p: float = 0.0
    # Sampling weights of the stage-1 mixture.
    w_synthetic: float = 3.0
    w_lfw_fine: float = 2.0
    w_fasseg_fine: float = 1.0
    w_lfw: float = 1.0
    w_fasseg: float = 1.0

    @property
    def resizes(self) -> bool:
        """True when stages train at `base_size` first and fine-tune at `input_size`."""
        return self.base_size < self.input_size

    @property
    def first_size(self) -> int:
        """The input size of stage 1, stage 2 and the comparison runs."""
        return min(self.base_size, self.input_size)

    @property
    def e2_size(self) -> int:
        """The side E2 grades at in the shipped cascade."""
        return self.first_size if self.grading_at == "base" else self.input_size

    @property
    def fine_tunes_e2(self) -> bool:
        """True when stage 2 goes on at `input_size` after `first_size`."""
        return self.resizes and self.e2_size == self.input_size

    def grading_at_input(self) -> DemoRecipe:
        """The same recipe with E2 fine-tuned at and grading at `input_size`: stage 2's
        minutes split as the recipe did before 2026-12-02 (2/3 at the base size)."""
        total = self.stage2_minutes + self.stage2_fine_minutes
        return replace(self, grading_at="input", stage2_minutes=total * 2 / 3, stage2_fine_minutes=total / 3)

    def at_one_size(self) -> DemoRecipe:
        """The same recipe with every stage at `input_size` (`palsy train demo --base-size` = the
        input size): no progressive resizing, each stage's fine-tuning minutes added to its own.
        For a GPU, where a 256-px step is cheap; E2 then trains and grades at the input size."""
        return replace(self, base_size=self.input_size, stage1_minutes=self.stage1_minutes + self.stage1_fine_minutes,
                       stage1_fine_minutes=0.0, stage2_minutes=self.stage2_minutes + self.stage2_fine_minutes,
                       stage2_fine_minutes=0.0)

    def check(self) -> None:
        """InputError for a recipe that cannot run."""
        if self.stage2_ordinal_weight < 0:
            raise InputError("the ordinal weight must be 0 or more")
        if self.stage2_cache_variants < 0:
            raise InputError("the number of cached copies per photo must be 0 (no cache) or more")
        if self.keep_e2 and not self.e1_from:
            raise InputError("keeping E2 needs the checkpoint it comes from: give --e1-from FILE with --keep-e2")
        if self.keep_e2 and self.fine_tunes_e2:
            raise InputError("--keep-e2 keeps the source's E2 as it is; it cannot also fine-tune E2 at the input size")
        check_glasses_fraction(self.glasses_p)
        if self.e1_polish_minutes < 0:
            raise InputError("the E1 polish minutes must be 0 or more")
        if self.grading_at not in GRADING_AT:
            raise InputError(f"grading at {self.grading_at!r}: choose {' or '.join(GRADING_AT)}")
        if self.fine_tunes_e2 and self.stage2_fine_minutes <= 0:
            raise InputError(f"E2 grades at {self.input_size} px after training at {self.first_size} px: "
                             "stage 2 needs fine-tuning minutes at the input size")

    def scaled_to(self, minutes: float) -> DemoRecipe:
        """The same recipe with the training minutes of the stages it runs scaled to a total of
        `minutes` (stage 1 does not run with `e1_from`, stage 2 not with `keep_e2`)."""
        names = ("e1_polish_minutes", "compare_minutes")
        if not self.e1_from:
            names += ("stage1_minutes", "stage1_fine_minutes")
        if not self.keep_e2:
            names += ("stage2_minutes", "stage2_fine_minutes")
        total = sum(getattr(self, n) for n in names) + self.compare_minutes
        k = minutes / total
        return replace(self, **{n: getattr(self, n) * k for n in names})


def run_demo(
    recipe: DemoRecipe,
    device: torch.device,
    weights_dir: Path | None = None,
    render: Render | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run the whole recipe; returns the results written into the model card."""
    recipe.check()
    if recipe.e1_from and not Path(recipe.e1_from).is_file():
        raise InputError(f"--e1-from {recipe.e1_from}: no such checkpoint file")
    check_places(recipe, Path(weights_dir or default_weights_dir()))
    progress = progress or PrintProgress(every_s=60)
    torch.set_num_threads(recipe.threads)
    work = Path(recipe.work)
    work.mkdir(parents=True, exist_ok=True)
    state = RunState(work / "state.json")
    if state.data.get("recipe", asdict(recipe)) != asdict(recipe):
        say(f"{work} holds a run with another recipe: finished stages are kept, the rest follows the new recipe")
    state.record("recipe", asdict(recipe))
    state.start_attempt()
    data = Path(recipe.data_root)
    train_dir, eval_dir = work / "patients_train", work / "patients_eval"

    # 1. synthetic patients
    if not state.done("render"):
        if render is None:
            raise InputError("the demo recipe needs the synthetic patient generator (palsy synth)")
        t0 = time.monotonic()
        for folder, count, seed in ((train_dir, recipe.train_patients, recipe.train_seed), (eval_dir, recipe.eval_patients, recipe.eval_seed)):
            if not (folder / "labels.csv").is_file():  # labels.csv is written last: its presence means complete
                render(folder, count, seed)
        state.record("render", {"seconds": round(time.monotonic() - t0, 1)})
        say(f"rendered patients in {state.data['render']['seconds']} s")

    # 2. stage 1, at base_size and then (progressive resizing) at input_size
    precision = resolve_precision(recipe.precision, device)
    grading_precision = resolve_precision(recipe.grading_precision, device, grading=True)
    precisions = {"parsing": precision, "grading": grading_precision}

    def loop(stage: str, minutes: float, lr: float, grading: bool = False) -> LoopSettings:
        chosen = grading_precision if grading else precision
        return LoopSettings(stage=stage, minutes=minutes, lr=lr, seed=recipe.seed, precision=chosen)

    if recipe.e1_from:
        stage1, e1_final = _reuse_e1(recipe, state, work)
        precisions["parsing"] = state.data["stage1"].get("source_precision") or precision
    else:
        stage1, e1_final = _train_e1(recipe, state, work, train_dir, loop, device, progress)

    if recipe.e1_polish_minutes > 0:
        e1_final = _polish_e1(recipe, state, work, train_dir, e1_final, loop, device, progress)

    # 3. stage 2, the same way (or the source's E2, kept)
    ids = _all_ids(train_dir)
    stage2 = _kept_e2(recipe, state) if recipe.keep_e2 else run_stage(state, work, "stage2", "stage 2", lambda out, resume, log: train_grading(
        train_dir, out, loop("grading", recipe.stage2_minutes, recipe.stage2_lr, grading=True), device, cascaded=True,
        batch_size=recipe.batch_size, init=None if resume else stage1, resume=resume, patient_ids=ids, progress=progress, log_path=log,
        ordinal_weight=recipe.stage2_ordinal_weight, cache_variants=recipe.stage2_cache_variants,
    )[1])
    final = stage2
    if not recipe.fine_tunes_e2 and e1_final != stage1:
        # The shipped cascade: the E1 that stage 2 did not train on (fine-tuned at the input
        # size, polished, or both) with E2 as stage 2 left it, grading at its size.
        final = write_resized(work / "cascade.pt", e1_final, recipe.input_size, e2_source=stage2, grading_size=recipe.e2_size)
    elif recipe.fine_tunes_e2:
        final = run_stage(state, work, "stage2_fine", f"stage 2 at {recipe.input_size} px", lambda out, resume, log: train_grading(
            train_dir, out, loop("grading_fine", recipe.stage2_fine_minutes, recipe.stage2_lr, grading=True), device, cascaded=True,
            batch_size=recipe.batch_size,
            init=None if resume else write_resized(work / "stage2_fine_init.pt", e1_final, recipe.input_size, e2_source=stage2,
                                                  grading_size=recipe.input_size),
            resume=resume, patient_ids=ids, progress=progress, log_path=log, ordinal_weight=recipe.stage2_ordinal_weight,
            cache_variants=recipe.stage2_cache_variants,
        )[1])

    # 4. evaluation of the shipped model, as it is stored: fp16 rounding can flip a pixel of
    # a mask, and with it a measured grade (the 2026-12-01 run: 0.417 in fp32, 0.408 as shipped).
    shipped = work / "shipped_fp16.pt"
    if not state.done("metrics") or state.data["metrics"].get("scored") != SCORED:
        save_checkpoint(load_checkpoint(final)[0], shipped, half=True)
        model, _ = load_checkpoint(shipped)
        grading = grading_reports(model, eval_dir, "all", device)
        metrics = {
            "scored": SCORED,
            "synthetic_grading_patient": grading["patient"],
            "synthetic_grading_photo": grading["photo"],
            "synthetic_measured": grading["measured"],
            "synthetic_measured_exact": grading["measured_exact"],
            "synthetic_parsing": evaluate_parsing(model, eval_dir, "all", device),
            "fasseg_val": evaluate_parsing(model, data / "fasseg", "val", device),
            "lfw_parts_val": evaluate_parsing(model, data / "lfw_parts", "val", device),
            "fasseg_fine_val": evaluate_parsing(model, data / "fasseg_fine", "val", device),
            "lfw_parts_fine_val": evaluate_parsing(model, data / "lfw_parts_fine", "val", device),
        }
        state.record("metrics", metrics)
        say("evaluation: " + _headline(metrics))

    # 5. cascaded vs end-to-end with few patients
    few = ids[: recipe.compare_patients]
    for key, cascaded in (("compare_cascaded", True), ("compare_end_to_end", False)):
        if state.done(key):
            continue
        summary = compare_run(
            train_dir, eval_dir, work / f"{key}.pt", loop(key, recipe.compare_minutes, recipe.stage2_lr, grading=True), device,
            cascaded, few, stage1, config=recipe.config, input_size=recipe.first_size, batch_size=recipe.batch_size,
            progress=progress, log_path=work / f"{key}.jsonl", ordinal_weight=recipe.stage2_ordinal_weight,
            cache_variants=recipe.stage2_cache_variants,
        )
        state.record(key, summary)
        say(f"{key}: accuracy {summary['patient_level']['accuracy']:.3f} (patients), {summary['photo_level']['accuracy']:.3f} (photos)")

    # 6. shipped files
    target = Path(weights_dir or default_weights_dir())
    target.mkdir(parents=True, exist_ok=True)
    model, meta = load_checkpoint(final)  # stored as fp16 below: the weights step 4 scored
    stages = ("render", "stage1", "stage1_fine", "stage1_polish", "stage2", "stage2_fine")
    # This run's own training time: a reused stage 1 was paid for by the run that trained it.
    wall_s = sum(float(state.data[k].get("elapsed_s", state.data[k].get("seconds", 0.0)))
                 for k in stages if k in state.data and "reused_from" not in state.data[k])
    machine = describe_machine(device)
    training = {
        "recipe": asdict(recipe),
        "command": demo_command(asdict(recipe)),
        **{k: state.data[k] for k in (*stages[1:], "e1_earlier_polishes") if k in state.data},
        "data_licences": "research / non-commercial (FASSEG, LFW Part Labels); synthetic patients generated by this project",
        "excluded": "celebamask_samples (licence forbids redistribution)",
        "machine": machine,
        "precision": {**precisions, "weights": "fp32 in training, fp16 shipped"},
    }
    sha = keep_or_write_final(state, Path(final), target / DEMO_WEIGHTS, [training, state.data["metrics"]], lambda: save_checkpoint(
        model, target / DEMO_WEIGHTS, training=training, metrics=state.data["metrics"], half=True))
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {"files": {}}
    manifest.setdefault("files", {})[DEMO_WEIGHTS] = {"sha256": sha, "config": recipe.config, "card": DEMO_CARD}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    total_s = state.run_wall_s()
    results = {
        "recipe": asdict(recipe),
        "state": state.data,
        "sha256": sha,
        "size_mb": round((target / DEMO_WEIGHTS).stat().st_size / 1e6, 2),
        "training_wall_s": round(wall_s, 1),
        "run_wall_s": round(total_s, 1),
        "meta_config": meta["config"],
        "machine": machine,
        "precision": precisions,
    }
    write_card(target / DEMO_CARD, results)
    assert sha256_of(target / DEMO_WEIGHTS) == sha
    say(f"wrote {target / DEMO_WEIGHTS} ({results['size_mb']} MB), manifest and {DEMO_CARD}")
    return results


DATA_FOLDERS = ("lfw_parts_fine", "fasseg_fine", "lfw_parts", "fasseg")  # stage 1 trains on them, step 4 scores on them


def check_places(recipe: DemoRecipe, target: Path) -> None:
    """InputError, before any rendering or training, for a data folder the recipe names that is
    missing and for a work or weights folder that cannot be written: a read-only
    resources/weights failed only after 720 patients and the training, a missing
    lfw_parts_fine after minutes of rendering."""
    data = Path(recipe.data_root)
    missing = [name for name in DATA_FOLDERS if not (data / name).is_dir()]
    if missing:
        raise InputError(f"the demo recipe's training data is missing: {', '.join(str(data / m) for m in missing)}; "
                         f"give --data DIR, the folder holding {', '.join(f'{m}/' for m in DATA_FOLDERS)}")
    for folder, what, fix in ((target, "the weights", "choose a writable folder with --out DIR"),
                              (Path(recipe.work), "the run's work files", "make it writable or run from a writable copy")):
        try:
            _probe_write(folder)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputError(f"cannot write {what} into {folder} ({reason}): {fix}") from exc


def _probe_write(folder: Path) -> None:
    """Create `folder` and a file in it, then remove the file (as `palsy assess --out` checks its
    folder); OSError when either cannot be written."""
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".palsy-probe-{os.getpid()}"
    probe.write_bytes(b"")
    probe.unlink()


def _train_e1(recipe: DemoRecipe, state: RunState, work: Path, train_dir: Path, loop: Callable[..., LoopSettings],
              device: torch.device, progress: Progress) -> tuple[Path, Path]:
    """Stage 1 from scratch at `first_size`, then (progressive resizing) at `input_size`:
    (the stage-1 checkpoint, the checkpoint whose E1 ships)."""
    specs = _stage1_specs(recipe, train_dir)
    stage1 = run_stage(state, work, "stage1", "stage 1", lambda out, resume, log: train_parsing(
        specs, out, loop("parsing", recipe.stage1_minutes, recipe.stage1_lr), device, recipe.config, recipe.first_size,
        batch_size=recipe.batch_size, resume=resume, progress=progress, log_path=log, glasses_p=recipe.glasses_p,
    )[1])
    e1_final = stage1
    if recipe.resizes:
        e1_final = run_stage(state, work, "stage1_fine", f"stage 1 at {recipe.input_size} px", lambda out, resume, log: train_parsing(
            specs, out, loop("parsing_fine", recipe.stage1_fine_minutes, recipe.stage1_fine_lr), device,
            batch_size=recipe.batch_size, init=None if resume else write_resized(work / "stage1_fine_init.pt", stage1, recipe.input_size),
            resume=resume, progress=progress, log_path=log, glasses_p=recipe.glasses_p,
        )[1])
    return stage1, e1_final


def _reuse_e1(recipe: DemoRecipe, state: RunState, work: Path) -> tuple[Path, Path]:
    """Stage 1 taken from `recipe.e1_from`: its E1 at `first_size` and at `input_size`, each with
    a fresh E2. The state records the source file, its sha256 and the source run's own stage-1
    summaries (a demo checkpoint holds them), so the card can say how that E1 was trained."""
    source = Path(recipe.e1_from)
    _, meta = load_checkpoint(source)
    if meta["config"].get("name") != recipe.config:
        raise InputError(f"{source} holds a {meta['config'].get('name')!r} network; the recipe trains {recipe.config!r}")
    outs = {}
    for key, size in (("stage1", recipe.first_size), ("stage1_fine", recipe.input_size)):
        if key == "stage1_fine" and not recipe.resizes:
            break
        outs[key] = work / f"{key}.pt"
        if not state.done(key):
            write_reused_e1(outs[key], source, size, recipe.seed)
            state.record(key, _earlier_stage(meta, key, "parsing", source))
            say(f"{key}: E1 reused from {source} (sha256 {meta['sha256'][:12]}), E2 fresh at {size} px")
    if not state.done("e1_earlier_polishes"):
        state.record("e1_earlier_polishes", _earlier_polishes(meta, source))
    return outs["stage1"], outs.get("stage1_fine", outs["stage1"])


def _earlier_polishes(meta: dict[str, Any], source: Path) -> list[dict[str, Any]]:
    """The E1 polishes the E1 of the checkpoint `source` (its `meta`) went through, oldest
    first: those it came with from its own `--e1-from`, then its run's own polish, each with
    its minutes, LR, size, machine and the file that run wrote (name and sha256)."""
    earlier = meta.get("training") or {}
    polishes = list(earlier.get("e1_earlier_polishes") or [])
    own = earlier.get("stage1_polish")
    if own:
        polishes.append({**polish_record(own, earlier.get("recipe") or {}), "machine": earlier.get("machine"),
                         "written_to": source.name, "sha256": meta["sha256"]})
    return polishes


def _earlier_stage(meta: dict[str, Any], key: str, precision: str, source: Path) -> dict[str, Any]:
    """The state record of a stage taken from the checkpoint `source` (its `meta`): the source
    run's own summary of `key`, the file and its sha256, and the recipe, machine and `precision`
    ("parsing" or "grading") of the run that trained the stage."""
    earlier = meta.get("training") or {}
    summary = dict(earlier.get(key) or {"steps": 0, "elapsed_s": 0.0})
    # A source that itself reused the stage passes on the run that trained it, not its own.
    origin = {"source_recipe": earlier.get("recipe"), "source_machine": earlier.get("machine"),
              "source_precision": (earlier.get("precision") or {}).get(precision)}
    if "reused_from" in summary:
        origin = {k: summary.get(k) for k in origin}
    return {**summary, "reused_from": str(source), "reused_sha256": meta["sha256"], **origin}


def _polish_e1(recipe: DemoRecipe, state: RunState, work: Path, train_dir: Path, e1_final: Path,
               loop: Callable[..., LoopSettings], device: torch.device, progress: Progress) -> Path:
    """The whole E1 trained on at `input_size` from `e1_final` (stage 1's mixture); its E2 is
    untouched (no gradient reaches it), and the shipped cascade takes E2 from stage 2."""
    return run_stage(state, work, "stage1_polish", f"E1 polish at {recipe.input_size} px", lambda out, resume, log: train_parsing(
        _stage1_specs(recipe, train_dir), out, loop("parsing_polish", recipe.e1_polish_minutes, recipe.e1_polish_lr), device,
        batch_size=recipe.batch_size, init=None if resume else e1_final, resume=resume, progress=progress, log_path=log, glasses_p=recipe.glasses_p,
    )[1])


def _kept_e2(recipe: DemoRecipe, state: RunState) -> Path:
    """`--keep-e2`: the E2 of `recipe.e1_from` stands in for stage 2. The state records the
    source run's stage-2 summary and recipe, so the card can say how that E2 was trained."""
    source = Path(recipe.e1_from)
    model, meta = load_checkpoint(source)
    if model.config.e2_size != recipe.e2_size:
        raise InputError(f"--keep-e2: the E2 of {source} grades at {model.config.e2_size} px, the recipe's at {recipe.e2_size} px")
    if not state.done("stage2"):
        state.record("stage2", _earlier_stage(meta, "stage2", "grading", source))
        say(f"stage 2: E2 kept from {source} (sha256 {meta['sha256'][:12]})")
    return source


def _stage1_specs(recipe: DemoRecipe, train_dir: Path) -> list[DataSpec]:
    data = Path(recipe.data_root)
    return [
        DataSpec(train_dir, recipe.w_synthetic, "all"),
        DataSpec(data / "lfw_parts_fine", recipe.w_lfw_fine),
        DataSpec(data / "fasseg_fine", recipe.w_fasseg_fine),
        DataSpec(data / "lfw_parts", recipe.w_lfw),
        DataSpec(data / "fasseg", recipe.w_fasseg),
    ]


def _all_ids(folder: Path) -> list[str]:
    from models.data.patients import PatientDataset

    return PatientDataset(folder).patient_ids("all")


def _headline(metrics: dict[str, Any]) -> str:
    g = metrics["synthetic_grading_patient"]
    return (
        f"grading acc {g['accuracy']:.3f} kappa {figure_text(g['quadratic_kappa'])}; parsing F1 synthetic "
        f"{metrics['synthetic_parsing']['mean_f1']:.3f}, FASSEG {metrics['fasseg_val']['mean_f1']:.3f}, "
        f"LFW {metrics['lfw_parts_val']['mean_f1']:.3f}"
    )
