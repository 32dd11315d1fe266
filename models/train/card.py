"""The model card (Markdown) written beside the shipped demo weights."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from models.config import CascadeConfig
from models.counted import counted
from models.metrics import figure_text
from models.pipeline.flag_wording import FLAG_TITLES, LOW_CONFIDENCE
from models.train.feature_cache import cache_note
from models.train.run_state import starts_note

CARD_HEADER = """# Palsy Grader demo weights: `demo_compact.pt`

**For demonstration only. NOT for diagnosis or any clinical decision.** These weights were
trained from scratch on synthetic patients and small public research face-parsing sets.
No real palsy patient was seen in training; grading real patients with them is meaningless.
"""

NO_GRADE_SIGNAL = (
    "**In this run the network grade carries no information**: kappa is about 0, i.e. E2 gives "
    "(nearly) the same grade to every photo; stage 2 did not leave its starting loss (see the "
    "stage-2 log, `runs/demo/stage2.jsonl`, and `docs/train.md`)."
)


CHANCE_KAPPA = 0.2  # below this, per patient, an arm has not learnt to grade


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % for z = 1.96): unlike the normal
    approximation it stays inside 0..1 and is honest for the small n of a clinic's test split."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _comparison_note(cascaded: dict, end_to_end: dict) -> list[str]:
    """Say so when the recipe's short comparison cannot tell the arms apart, and where the
    longer runs are."""
    kappas = (cascaded["quadratic_kappa"], end_to_end["quadratic_kappa"])
    if None in kappas or max(kappas) >= CHANCE_KAPPA:  # None: one true grade, chance is not measurable
        return []
    return [
        f"At this budget both arms stay near chance (quadratic kappa below {CHANCE_KAPPA} per patient), so this "
        "table does not reproduce the paper's gap. Longer runs with more patients, where the cascaded arm leaves "
        "chance and end-to-end does not, are in docs/train.md (\"Cascaded against end-to-end with longer "
        "budgets\"), reproducible with `benchmarks/cascade_vs_end_to_end.py`.",
        "",
    ]


# "confidence" is the paper's (eq. 7) name for the macro precision, kept as the JSON key; the
# header says which, since the app's "Low network confidence" is about the network's top probability.
GRADING_COLUMNS = "accuracy | recall | confidence (precision) | Dice | quadratic kappa | within one"


def _grading_row(name: str, r: dict[str, Any]) -> str:
    return (
        f"| {name} | {figure_text(r['accuracy'])} | {figure_text(r['recall'])} | {figure_text(r['confidence'])} | "
        f"{figure_text(r['dice'])} | {figure_text(r['quadratic_kappa'])} | {figure_text(r['within_one'])} |"
    )


def _parsing_rows(name: str, r: dict[str, Any]) -> str:
    per_class = ", ".join(f"{k} {v['f1']:.3f}" for k, v in r["classes"].items() if k != "background")
    return f"| {name} | {figure_text(r['mean_f1'])} | {figure_text(r['miou'])} | {per_class} |"


def _rotation(stage2: dict[str, Any]) -> str:
    """Stage 2's rotation range as the run recorded it (runs before the evening of 2026-11-30 did not)."""
    augment = stage2.get("augment")
    if not augment:
        return "rotation range not recorded by this run"
    return f"rotation ±{augment['rotation']:g}°"


def _measured_rows(m: dict[str, Any], size: int) -> list[str]:
    rows = []
    if "synthetic_measured" in m:
        rows.append(_grading_row("synthetic, measured grade from E1's masks (mirror-averaged)", m["synthetic_measured"]))
    if "synthetic_measured_exact" in m:
        rows.append(_grading_row(f"synthetic, measured grade from the exact masks at {size} px (no network)", m["synthetic_measured_exact"]))
    if rows:
        rows += [
            "",
            "The measured grade is the app's interpretable grade (House's brow + commissure measure "
            "from the masks, DESIGN §7 step 4); on the exact masks it shows what the measure itself "
            "can do at this input size, so the gap between the two rows is the parsing's.",
        ]
    return rows


def _measured_advice(m: dict[str, Any], size: int) -> list[str]:
    """Which of the app's two grades did better here, in numbers, not as a rule."""
    if "synthetic_measured" not in m:
        return []
    net, measured = m["synthetic_grading_patient"], m["synthetic_measured"]
    network = (f"accuracy {figure_text(net['accuracy'])} (kappa {figure_text(net['quadratic_kappa'])}, within one "
               f"{figure_text(net['within_one'])})")
    if measured["accuracy"] is None:  # nothing scored: no held-out patient got a measured grade
        text = (f"In the app, the measured grade from these weights' masks graded none of the held-out patients (no "
                f"movement measured), so only the network grade was scored here: {network}; read it as a "
                "demonstration only.")
    else:
        text = _measured_against_network(measured, net)
    exact = m.get("synthetic_measured_exact")
    if exact is not None and exact["accuracy"] is None:
        text += f" With exact masks the same measure graded none of them either at {size} px."
    elif exact is not None:
        text += (
            f" With exact masks the same measure reaches {figure_text(exact['accuracy'])} "
            f"(kappa {figure_text(exact['quadratic_kappa'])}) at {size} px: sharper parsing of "
            "brows and lips is what it lacks."
        )
    return [text, ""]


def _measured_against_network(measured: dict[str, Any], net: dict[str, Any]) -> str:
    """Both grades scored: their figures side by side, and which did clearly better."""
    text = (
        f"In the app, the measured grade from these weights' masks scored accuracy {figure_text(measured['accuracy'])} "
        f"(kappa {figure_text(measured['quadratic_kappa'])}, within one {figure_text(measured['within_one'])}) against the "
        f"network grade's {figure_text(net['accuracy'])} ({figure_text(net['quadratic_kappa'])}, "
        f"{figure_text(net['within_one'])}): "
    )
    if _leads(measured, net):
        text += "prefer the measured grade, and read neither as a diagnosis."
    elif _leads(net, measured):
        text += "the network grade did better here; read neither as a diagnosis."
    else:
        text += "neither is the better guide; read both as demonstrations only."
    return text


# The grades whose top probability the card states together: mild to moderately severe, then
# severe and total palsy (the shipped card's hand-written sentence spoke of grades I-IV).
GRADE_GROUPS = (("I-IV", ("I", "II", "III", "IV")), ("V-VI", ("V", "VI")))


def top_probability_sentence(top: dict[str, dict[str, Any]] | None, scored: str) -> str:
    """How high the network's top probability ran per grade group on the `scored` patients
    (`evaluation.top_probabilities`), and how many results fall below the app's low-confidence
    threshold: the app flags them, which the card's figures alone would not lead one to expect.
    '' for figures recorded before the summary was kept."""
    if not top:
        return ""
    parts, flag = [], f'"{FLAG_TITLES["low_confidence"]}"'  # the flag as the results page and the report title it
    for name, grades in GRADE_GROUPS:
        rows = [top[g] for g in grades if g in top]
        if not rows:
            continue
        n, flagged = sum(r["patients"] for r in rows), sum(r["flagged"] for r in rows)
        below = "all" if flagged == n > 1 else "none" if flagged == 0 else str(flagged)
        threshold = f"the app's threshold of {LOW_CONFIDENCE:.2f} for {flag}" if not parts else "it"
        parts.append(f"{min(r['min'] for r in rows):.2f}-{max(r['max'] for r in rows):.2f} for grades {name} "
                     f"({counted(n, 'patient')}, {below} below {threshold})")
    total = sum(r["patients"] for r in top.values())
    flagged = sum(r["flagged"] for r in top.values())
    # named as the results page and the report show it, beside the network grade: neither calls it a confidence
    return (f"With these weights the network's probability for its grade (its top probability, shown beside the "
            f"network grade on the results page and in the report) is {' and '.join(parts)} among the {total} "
            f"{scored}, so such results are {_how_often(flagged, total)} flagged {flag} ({flagged} of {total}).")


def _how_often(flagged: int, n: int) -> str:
    """'always', 'nearly always' (90 % or more), 'mostly' (over half), 'sometimes' or 'never'."""
    if flagged == n:
        return "always"
    if flagged >= 0.9 * n:
        return "nearly always"
    if flagged * 2 > n:
        return "mostly"
    return "sometimes" if flagged else "never"


# The targets for the network grade on held-out synthetic patients.
GRADE_TARGETS = {"accuracy": 0.90, "quadratic_kappa": 0.95, "within_one": 0.99}


def _grading_verdict(net: dict[str, Any], e2_size: int) -> list[str]:
    """How the network grade stands: weak below accuracy 0.5, else against the targets."""
    budget = (f"In this run's budget E2, trained from scratch on frozen-E1 features at {e2_size} px where one grade "
              f"step moves a brow or a mouth corner by {_grade_step(e2_size)}, reached the figures above. Training "
              "alone will not carry it to the accuracy target: E2 grades one photo at a time and the patient grade is "
              "the mean over the photos (DESIGN §7), and on the demo's synthetic patients a classifier on one photo's "
              "exact masks, fused the same way, stays well below 0.90 even at 512 px, while one that compares each "
              "expression with the rest photo comes close (`benchmarks/grade_signal.py`; docs/train.md, \"What the "
              "synthetic patients hold\"). For a better network grade, train E2 on a GPU at a larger input: "
              "`palsy train demo --e1-from FILE --base-size 256 --device cuda` (stage 2 at 256 px on this E1), or "
              "`palsy train grading --device cuda` at 256-512 px for many epochs.")
    if net["accuracy"] < 0.5:
        return [f"**Grading is weak** (chance is 0.167). {budget}", ""]
    shown = " / ".join(figure_text(net[k]) for k in GRADE_TARGETS)  # three decimals, n/a where undefined
    targets = " / ".join(f"{v:.2f}" for v in GRADE_TARGETS.values())
    verdict = "meets" if all(net[k] is not None and net[k] >= v for k, v in GRADE_TARGETS.items()) else "is below"
    return [f"**The network grade {verdict} the project's targets** (accuracy / kappa / within one {shown} per "
            f"patient against {targets}), and on synthetic faces only. {budget}", ""]


def _leads(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Grade a did clearly better than b: kappa higher by 0.05, or accuracy higher by 0.05 at no lower kappa
    (accuracy alone where a kappa is undefined: one true grade); never when either scored no patient
    (its figures None)."""
    if a["accuracy"] is None or b["accuracy"] is None:
        return False
    accuracy = a["accuracy"] - b["accuracy"]
    if a["quadratic_kappa"] is None or b["quadratic_kappa"] is None:
        return accuracy > 0.05
    kappa = a["quadratic_kappa"] - b["quadratic_kappa"]
    return kappa > 0.05 or (kappa >= 0 and accuracy > 0.05)


def _grade_step(size: int) -> str:
    """How far one grade step moves a brow or a mouth corner at `size` px (about 1 px at 128)."""
    pixels = size / 128
    return "about a pixel" if pixels < 1.5 else f"about {pixels:.0f} pixels"


def _sizes(recipe: dict[str, Any], st: dict[str, Any]) -> str:
    if "stage1_fine" not in st:
        return ""
    return f" (trained at {recipe['base_size']} px, then fine-tuned at {recipe['input_size']} px: progressive resizing)"


def _e2_size(results: dict[str, Any]) -> int:
    """The side the shipped E2 grades at, from the checkpoint's config."""
    return CascadeConfig.from_dict(results["meta_config"]).e2_size


def _grading_size_note(results: dict[str, Any]) -> str:
    """', E2 grading at N px' for the Files line, when E2 does not grade at the input size."""
    size = _e2_size(results)
    return "" if size == results["recipe"]["input_size"] else f", E2 grading at {size} px"


def _grading_size(results: dict[str, Any]) -> str:
    """The sentence on where the shipped E2 grades, when that is not the input size."""
    size, full = _e2_size(results), results["recipe"]["input_size"]
    if size == full:
        return ""
    return (f" The shipped cascade grades at {size} px, where stage 2 trained: E2 sees the photo resized to "
            f"{size} px and the z of a second E1 pass at that size; E1's masks and attention maps are made at "
            f"{full} px. Stage 2 is not fine-tuned at {full} px: on the CPU that fine-tune undid what E2 had "
            "learnt (docs/train.md).")


def _head_activation(config: dict) -> str:
    """How E2's FC layers are activated, for the card (checkpoints without the field: ReLU)."""
    slope = config.get("e2_negative_slope", 0.0)
    return f"LeakyReLU {slope:g} between its FC layers" if slope else "ReLU between its FC layers"


def _at_first(recipe: dict[str, Any], st: dict[str, Any]) -> str:
    return f" at {recipe['base_size']} px" if "stage1_fine" in st else ""


def _fine(recipe: dict[str, Any], st: dict[str, Any], key: str, lr_key: str) -> str:
    """The fine-tuning sentence of a stage that went on at the shipped input size."""
    if key not in st:
        return ""
    return (
        f" Then {recipe[key + '_minutes']:.1f} minutes at {recipe['input_size']} px from those weights "
        f"(same data and augmentation, poly LR from {recipe[lr_key]:g}): {counted(st[key]['steps'], 'step')} in "
        f"{st[key]['elapsed_s']:.0f} s."
    )


def _precision(precision: dict[str, str]) -> str:
    def one(name: str) -> str:
        return "bf16 forward passes (torch autocast, channels-last)" if name == "bf16" else "fp32"

    return (f"stage 1 {one(precision['parsing'])}; stage 2 and the comparison runs {one(precision['grading'])}. "
            "Weights, optimizer and losses stay fp32 in training; the file stores fp16 and is scored in fp32 from it.")


def _from_earlier_run(summary: dict[str, Any], taken: str) -> str:
    """'' when this run trained the stage; else ', not retrained by this run: {taken} `FILE` ...'."""
    if "reused_from" not in summary:
        return ""
    return (f", not retrained by this run: {taken} `{Path(summary['reused_from']).name}` (sha256 "
            f"`{summary['reused_sha256'][:16]}...`), which an earlier run trained on "
            f"{summary.get('source_machine') or 'an unrecorded machine'} as follows")


def _reused(st: dict[str, Any]) -> str:
    """'' when this run trained stage 1; else where its E1 came from (`--e1-from`)."""
    return _from_earlier_run(st["stage1"], "E1 taken from")


def demo_command(recipe: dict[str, Any]) -> str:
    """The `palsy train demo` command line of a recipe's reuse and polish options."""
    parts = ["palsy train demo"]
    if recipe.get("e1_from"):
        parts.append(f"--e1-from {recipe['e1_from']}")
    if recipe.get("keep_e2"):
        parts.append("--keep-e2")
    if recipe.get("e1_polish_minutes"):
        parts.append(f"--e1-polish-minutes {recipe['e1_polish_minutes']:g}")
    if recipe.get("glasses_p"):
        parts.append(f"--glasses {recipe['glasses_p']:g}")
    from models.train.demo import DemoRecipe  # here: demo.py imports this module

    if recipe.get("base_size", DemoRecipe.base_size) != DemoRecipe.base_size:
        parts.append(f"--base-size {recipe['base_size']}")
    if recipe.get("grading_at") == "input" and recipe.get("base_size", DemoRecipe.base_size) < recipe.get("input_size", 0):
        parts.append("--grading-at input")
    return " ".join(parts)


def _reproduce(recipe: dict[str, Any], st: dict[str, Any]) -> str:
    if "reused_from" not in st["stage1"]:
        return f"- Reproduce: `{demo_command(recipe)}` (same seeds; CPU thread scheduling makes runs close, not bit-identical)."
    command = demo_command({**recipe, "e1_from": "FILE"})
    what = "the E1 polish on that E1 and E2" if recipe.get("keep_e2") else "stage 2 and the comparison on that E1"
    return (f"- Reproduce: `{command}` with the earlier weights the Recipe below names ({what}), or `palsy train demo` for the "
            "whole recipe, stage 1 included (same seeds; CPU thread scheduling makes runs close, not bit-identical).")


def _glasses(p: float | None) -> str:
    """The glasses augmentation in words ('' without it; recipes from before it had none)."""
    return f", wire-rim glasses drawn around the eyes of {p:.0%} of the training faces" if p else ""


def polish_record(summary: dict[str, Any], recipe: dict[str, Any]) -> dict[str, Any]:
    """A run's E1 polish (its `stage1_polish` summary) with the recipe figures that made it."""
    return {**summary, "minutes": recipe.get("e1_polish_minutes"), "lr": recipe.get("e1_polish_lr"),
            "input_size": recipe.get("input_size"), "glasses_p": recipe.get("glasses_p", 0.0)}


def _polish_text(p: dict[str, Any]) -> str:
    return (f"the whole E1 trained on for {p['minutes']:.1f} minutes at {p['input_size']} px (stage 1's data, augmentation "
            f"and loss{_glasses(p.get('glasses_p'))}, poly LR from {p['lr']:g}): {counted(p['steps'], 'step')} in {p['elapsed_s']:.0f} s")


def _polish(recipe: dict[str, Any], st: dict[str, Any]) -> list[str]:
    """The E1-polish lines: those of earlier runs that the reused E1 went through, then this run's."""
    lines = [f"- E1 polish in an earlier run (on {p.get('machine') or 'an unrecorded machine'}; its result: "
             f"`{p['written_to']}`, sha256 `{p['sha256'][:16]}...`): {_polish_text(p)}." for p in st.get("e1_earlier_polishes", [])]
    if "stage1_polish" in st:
        lines.append(f"- E1 polish{' in this run' if lines else ''}: {_polish_text(polish_record(st['stage1_polish'], recipe))}. "
                     "E2 reads only the backbone's z and was not retrained after it.")
    return lines


def _e1_moved_after_e2(st: dict[str, Any]) -> list[str]:
    """A Limits line when E1 was trained on after E2 learnt from its z (an E1 polish)."""
    if "stage1_polish" not in st:
        return []
    return ["- E2 was trained on the z of an earlier E1: E1 was polished afterwards (Recipe) and E2 not retrained, so "
            "this is not the paper's cascade with E1 fixed throughout. The network grade was measured on the "
            "shipped pair (above); docs/train.md compares it with the pair before the polish."]


def _kept_e2(st: dict[str, Any]) -> str:
    """'' when this run trained stage 2; else where its E2 came from (`--keep-e2`)."""
    return _from_earlier_run(st["stage2"], "E2 kept from")


def _trained_here(st: dict[str, Any]) -> str:
    """Which training stages this run's training minutes paid for, when some ran elsewhere."""
    earlier = [name for key, name in (("stage1", "stage 1"), ("stage2", "stage 2")) if "reused_from" in st.get(key, {})]
    polishes = len(st.get("e1_earlier_polishes", []))
    if polishes:
        earlier.insert(1, "an earlier E1 polish" if polishes == 1 else f"{polishes} earlier E1 polishes")
    if not earlier:
        return ""
    ran = [name for key, name in (("stage1", "stage 1"), ("stage1_polish", "E1 polish"), ("stage2", "stage 2"))
           if key in st and "reused_from" not in st[key]]
    named = earlier[0] if len(earlier) == 1 else f"{', '.join(earlier[:-1])} and {earlier[-1]}"
    return f" ({', '.join(ran) or 'no training'}; {named} ran in {'the earlier run' if len(earlier) == 1 else 'earlier runs'})"


def _grading_loss(recipe: dict[str, Any]) -> str:
    """Stage 2's loss in words; recipes from before the ordinal term used cross-entropy alone."""
    weight = float(recipe.get("stage2_ordinal_weight", 0.0))
    if weight <= 0:
        return "cross-entropy (the paper's)"
    return f"cross-entropy + {weight:g} x the ordinal term (mean BCE of P(grade > k); docs/train.md, \"Ordinal term\")"


def write_card(path: Path, results: dict[str, Any]) -> None:
    """Write the card from `run_demo`'s results (recipe, per-stage summaries, metrics)."""
    recipe, st = results["recipe"], results["state"]
    m = st["metrics"]
    r1 = st["stage1"].get("source_recipe") or recipe  # the recipe that trained E1
    r2 = st["stage2"].get("source_recipe") or recipe  # the recipe that trained E2
    lines = [CARD_HEADER]
    lines += [
        "## Files",
        f"- `demo_compact.pt`: sha256 `{results['sha256']}`, {results['size_mb']} MB (fp16 storage), "
        f"config `{recipe['config']}` at input {recipe['input_size']} px{_sizes(recipe, st)}{_grading_size_note(results)} "
        "(the checkpoint stores this config; the app resizes to it).",
        _reproduce(recipe, st),
        "",
        "## Data",
        f"- Synthetic patients from `palsy synth`: {recipe['train_patients']} training patients "
        f"(seed {recipe['train_seed']}), {recipe['eval_patients']} held-out patients (seed {recipe['eval_seed']}) "
        "for evaluation; six expressions each, exact masks.",
        "- `lfw_parts_fine` and `fasseg_fine` (11 classes; fine parts derived from MediaPipe Face Mesh "
        "landmarks) and the human-labelled coarse `lfw_parts` (background/skin/hair) and `fasseg` (6 classes) "
        "through the partial-label loss. Training parts only: LFW's `train` split; FASSEG without the held-out "
        "person 04 (V3, 26 photos) and V2 frontal images 03, 08, 13, in both `fasseg` and `fasseg_fine`.",
        "- Not used: `celebamask_samples` (the CelebAMask-HQ agreement forbids redistribution).",
        "- Licences: FASSEG (MIT-CBCL, FEI, Pointing'04 photos) and LFW / LFW Part Labels are for research and "
        "non-commercial use; so are these weights.",
        "",
        "## Recipe",
        f"- Stage 1 (parsing, E1 from scratch){_reused(st)}: Adam, poly LR from {r1['stage1_lr']:g} (power 0.9; the paper's 2e-4 "
        "learned too little from scratch in this CPU budget) over a "
        f"{r1['stage1_minutes']:.1f}-minute "
        f"wall-clock budget, batch {r1['batch_size']}, partial-label cross-entropy, scale/crop, rotation ±15°, "
        f"mirroring with left/right swap, colour jitter{_glasses(r1.get('glasses_p'))}. Mixture weights: synthetic "
        f"{r1['w_synthetic']}, lfw_parts_fine {r1['w_lfw_fine']}, fasseg_fine {r1['w_fasseg_fine']}, "
        f"lfw_parts {r1['w_lfw']}, fasseg {r1['w_fasseg']}. Ran {counted(st['stage1']['steps'], 'step')} in "
        f"{st['stage1']['elapsed_s']:.0f} s{_at_first(r1, st)}.{_fine(r1, st, 'stage1_fine', 'stage1_fine_lr')}",
        *_polish(recipe, st),
        f"- Stage 2 (grading){_kept_e2(st)}: E1 frozen; E2 (last feature map pooled to {results['meta_config'].get('e2_pool', 1)} x "
        f"{results['meta_config'].get('e2_pool', 1)} and flattened, so left and right stay apart) + classifier "
        f"({_head_activation(results['meta_config'])}) on every expression photo of the training patients "
        f"(grade-balanced sampling, {_rotation(st['stage2'])}, mirroring with side swap, mild jitter), "
        f"loss {_grading_loss(r2)}, poly LR from {r2['stage2_lr']:g}, "
        f"{r2['stage2_minutes']:.1f} "
        f"minutes: {counted(st['stage2']['steps'], 'step')} in {st['stage2']['elapsed_s']:.0f} s{_at_first(r2, st)}.{cache_note(st['stage2'])}"
        f"{_fine(recipe, st, 'stage2_fine', 'stage2_lr')}{_grading_size(results)}",
        f"- Wall time on {results.get('machine') or 'the CPU, ' + str(recipe['threads']) + ' torch threads'}: "
        f"rendering {st['render']['seconds']:.0f} s, training "
        f"{results['training_wall_s'] / 60:.1f} min{_trained_here(st)}, "
        "whole `palsy train demo` run (with evaluation and the "
        f"comparison below) {results['run_wall_s'] / 60:.1f} min{starts_note(st)}.",
        f"- Precision: {_precision(results['precision'])}",
        "",
        "## Measured (held-out data, `palsy evaluate`)",
        "Scored on the shipped file itself (fp16 weights, as `palsy evaluate` loads them).",
        "",
        "Grading on held-out synthetic patients (patient = mean of its expressions' probabilities; photo = each photo alone):",
        "",
        f"| set | {GRADING_COLUMNS} |",
        "|---|---|---|---|---|---|---|",
        _grading_row("synthetic, per patient", m["synthetic_grading_patient"]),
        _grading_row("synthetic, per photo", m["synthetic_grading_photo"]),
        *_measured_rows(m, recipe["input_size"]),
        "",
        "Parsing, mean F1 / mIoU over the set's classes without background (coarse sets: each predicted "
        "project class is mapped back to the set's class that holds it):",
        "",
        "| set | mean F1 | mIoU | per-class F1 |",
        "|---|---|---|---|",
        _parsing_rows("synthetic held-out patients (exact masks)", m["synthetic_parsing"]),
        _parsing_rows("FASSEG held-out part (human labels)", m["fasseg_val"]),
        _parsing_rows("LFW Part Labels val (human labels)", m["lfw_parts_val"]),
        _parsing_rows("fasseg_fine held-out (landmark-derived parts)", m["fasseg_fine_val"]),
        _parsing_rows("lfw_parts_fine val (landmark-derived parts)", m["lfw_parts_fine_val"]),
        "",
        "Accuracy is the standard one (correct / all); the paper's eq. 5 reads (TP - FN)/..., which we treat "
        "as a typo. Recall, confidence (precision) and Dice are macro averages over the grades that occur in the "
        "truth or the predictions (a grade never predicted counts confidence 0); Dice is the mean of the per-grade "
        "Dice (eq. 8), where the paper's Table 3 reports 2RC/(R+C) of its averaged recall R and confidence C.",
        "",
    ]
    top = top_probability_sentence(m["synthetic_grading_patient"].get("top_probability"),
                               f"held-out synthetic patients (seed {recipe['eval_seed']})")
    lines += [top, ""] if top else []
    lines += _grading_verdict(m["synthetic_grading_patient"], _e2_size(results))
    lines += _measured_advice(m, recipe["input_size"])
    kappa = m["synthetic_grading_patient"]["quadratic_kappa"]
    if kappa is not None and kappa <= 0.05:
        lines += [NO_GRADE_SIGNAL, ""]
    if "compare_cascaded" in st and "compare_end_to_end" in st:
        c, e = st["compare_cascaded"], st["compare_end_to_end"]
        lines += [
            f"## Cascaded vs end-to-end with {recipe['compare_patients']} training patients (paper Fig. 7 / Table 3)",
            f"Both trained {recipe['compare_minutes']:.1f} minutes at "
            f"{min(recipe.get('base_size', recipe['input_size']), recipe['input_size'])} px on the same {recipe['compare_patients']} synthetic "
            "patients and scored on the same held-out patients. Cascaded = the stage-1 E1 frozen, E2 trained; "
            f"end-to-end = E1 and E2 from scratch on the patient photos with the grade loss only ({_grading_loss(recipe)}). Short runs: "
            f"a comparison at equal wall time, not at convergence.{cache_note(c)}",
            "",
            f"| training | {GRADING_COLUMNS} |",
            "|---|---|---|---|---|---|---|",
            _grading_row(f"cascaded, per patient ({counted(c['steps'], 'step')})", c["patient_level"]),
            _grading_row(f"end-to-end, per patient ({counted(e['steps'], 'step')})", e["patient_level"]),
            _grading_row("cascaded, per photo", c["photo_level"]),
            _grading_row("end-to-end, per photo", e["photo_level"]),
            "",
            *_comparison_note(c["patient_level"], e["patient_level"]),
        ]
    lines += [
        "## Limits",
        "- Synthetic patients are drawings of faces, not photographs; real palsy looks different.",
        "- The fine parts on real faces (brows, eyes, lips) are scored against landmark polygons, not human labels.",
        *_e1_moved_after_e2(st),
        "- Research / non-commercial data licences apply. Demonstration only, not a medical device.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
