"""What the Settings dialog and Help > Model card show about a weights file, without
importing torch or Qt."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.pages.results_logic import FLAGGED_NOTE, percent_text
from app.settings import shown_text
from models.pipeline.flag_wording import FLAG_TITLES, LOW_CONFIDENCE
from models.pipeline.training_summary import describe_training
from models.resources import (
    MAX_CHECKED_BYTES,
    default_weights_path,
    file_sha256,
    in_weights_dir,
    is_demo_name,
    is_demo_weights,
    listed_sha256,
    records_only_unvalidated,
    shipped_sha256,
    weights_cautions,
)

# What Settings' weights line and the model card's plain summary call the demonstration weights
DEMO_WORDS = "demonstration weights, not for diagnosis"
# The amber banner's words for weights that record cautions (app.window_model.CAUTION_BANNER)
CLINIC_WORDS = "Clinic-trained weights, not validated"
# Weights not validated (any but the demonstration ones: a clinic's own too): the amber banner
# (app.window_model.UNVALIDATED_BANNER, these words then " \u2014 NOT FOR DIAGNOSIS") and the
# report's amber box and running line (app.report.model_cautions.CAUTIONS_TITLE, UNVALIDATED_TITLE)
# say it in the same words and capitals, so a printout reads like the screen beside it.
UNVALIDATED_WORDS = "WEIGHTS NOT VALIDATED"
UNVALIDATED_TITLE = f"{UNVALIDATED_WORDS} \u2014 NOT FOR DIAGNOSIS"
DISCLAIMER = ("Palsy Grader supports, and does not replace, the clinician's judgement: its grades are "
              "decision support, not a diagnosis.")
ASK_THE_TRAINER = ("Ask whoever trained these weights what they were trained on and how they were measured "
                   "before relying on a grade.")
TECHNICAL_HEADING = "Technical details (for the person who trained these weights)"
# what the summary says of the checkpoint's own record while no weights are loaded: "not
# recorded" then contradicted the figures the card below lists
ONCE_LOADED = "Shown once the weights have loaded (the status bar says whether they are loading or why they failed)."


@dataclass(frozen=True)
class WeightsInfo:
    path: Path
    exists: bool
    sha256: str | None
    manifest_sha256: str | None  # what the install's own manifest.json lists for it
    is_demo: bool
    size: int | None = None  # bytes, set when the file was too large to hash here
    # what a manifest.json beside a file outside the install lists: anyone can write one, so it
    # shows damage, never origin
    beside_sha256: str | None = None
    problem: str | None = None  # why the system could not look the path up ("File name too long")

    @property
    def verified(self) -> bool | None:
        """True/False when the install's manifest lists the file, None when it does not (a
        manifest beside a file elsewhere never verifies it)."""
        if self.manifest_sha256 is None or self.sha256 is None:
            return None
        return self.sha256 == self.manifest_sha256

    def summary(self) -> str:
        if self.problem is not None:  # such a path is too long to show whole
            return f"unreadable ({self.problem}): {shown_text(str(self.path), 80)}"
        if not self.exists:
            return f"not found: {self.path}"
        if self.sha256 is None and self.size is not None:
            demo = f"; {DEMO_WORDS}" if self.is_demo else ""
            return (f"not checked: the file is {self.size / 2**30:.1f} GiB, larger than any Palsy Grader checkpoint "
                    f"({MAX_CHECKED_BYTES / 2**30:.0f} GiB at most here); loading it checks it{demo}")
        if self.sha256 is None:
            return f"unreadable: {self.path}"
        check = self._check()
        demo = f"; {DEMO_WORDS}" if self.is_demo else ""
        return f"sha256 {self.sha256} ({check}{demo})"


    def _check(self) -> str:
        """How the file compares with the shipped manifest (and with one beside it)."""
        if self.verified is True:
            return "matches the shipped manifest"
        if self.verified is False:
            return "DOES NOT match the shipped manifest: the installed file is damaged or was replaced; reinstall the application"
        unlisted = "not in the shipped manifest: its origin is not checked"
        if self.beside_sha256 is None or self.sha256 is None:
            return unlisted
        if self.sha256 != self.beside_sha256.lower():
            return (f"{unlisted}; it DOES NOT match the manifest.json beside it: the file is damaged or was modified, "
                    "restore a copy or retrain it")
        return f"{unlisted}; the manifest.json beside it shows it undamaged, not where it came from"


def resolve_weights(path: str) -> Path:
    """The configured weights, or the shipped demo weights when empty."""
    return Path(path) if path else default_weights_path()


def model_card(path: str) -> tuple[Path, str | None]:
    """The model card written beside the configured weights (`demo_compact.pt` ->
    `demo_compact.md`, `clinic.pt` -> `clinic.md`) and its text, or None when there is none
    or it cannot be read."""
    card = resolve_weights(path).with_suffix(".md")
    try:
        return card, card.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return card, None


def card_markdown(weights_path: str, record: Mapping[str, Any] | None, metrics: Mapping[str, Any] | None,
                  is_demo: bool) -> str:
    """Help > Model card: the weights in plain words first (a therapist opening the card met a
    training recipe after its first paragraph), then the cautions they record, then the card
    beside them under a heading that says whom it is for. `record` is the loaded weights' model
    record (`ModelInfo.to_dict`: training data, cautions), None while none is loaded; `metrics`
    the checkpoint's own figures; `is_demo` the window's verdict (its red banner)."""
    card, text = model_card(weights_path)
    parts = [plain_summary(text, record, metrics, is_demo)]
    cautions = weights_cautions(record)
    if cautions:
        # the program's own caution for weights that record none is not "recorded in these weights"
        heading = "Caution" if records_only_unvalidated(cautions) else "Cautions recorded in these weights"
        parts.append(f"## {heading}\n\n" + "\n".join(f"- {as_markdown_text(c)}" for c in cautions))
    parts.append(f"---\n\n# {TECHNICAL_HEADING}\n\n" + (_demoted(text) if text is not None else _no_card(card)))
    return "\n\n".join(parts)


def plain_summary(card: str | None, record: Mapping[str, Any] | None, metrics: Mapping[str, Any] | None,
                  is_demo: bool) -> str:
    """What the weights are, what they were trained on, how they did on patients kept out of
    training, what that means when grading, and that they do not diagnose: every fact from the
    card, the model record or the checkpoint's figures, in the words the banner and the report use."""
    figures = held_out_figures(metrics)
    items = [
        ("What they are", _kind(record, is_demo)),
        ("What they were trained on", _trained_on(card, record, is_demo)),
        ("How well they did on patients kept out of training", _held_out_text(figures, loaded=record is not None)),
        ("What this means when you grade", _in_practice(figures)),
        ("Not for diagnosis", DISCLAIMER),
    ]
    return "# These weights in plain words\n\n" + "\n\n".join(f"**{what}:** {text}" for what, text in items)


@dataclass(frozen=True)
class HeldOut:
    """The per-patient figures a checkpoint records for patients kept out of its training."""

    who: str  # "test patients", "synthetic patients (...)"
    patients: int | None
    accuracy: float
    within_one: float


def held_out_figures(metrics: Mapping[str, Any] | None) -> HeldOut | None:
    """The per-patient network figures of `palsy train clinic` (its test split) or `palsy train
    demo` (held-out synthetic patients); None for weights that record none (`palsy train
    grading`) or record them in a form not read here (an edited or foreign file)."""
    if not isinstance(metrics, Mapping):
        return None
    grading = metrics.get("grading")
    if isinstance(grading, Mapping) and isinstance(grading.get("patient"), Mapping):
        split = metrics.get("split")
        # the split's name is the file's text, not markup
        who, report = f"{as_markdown_text(split) if isinstance(split, str) else 'held-out'} patients", grading["patient"]
    elif isinstance(metrics.get("synthetic_grading_patient"), Mapping):
        who, report = "synthetic patients (drawn faces, no real patient)", metrics["synthetic_grading_patient"]
    else:
        return None
    accuracy, within_one = report.get("accuracy"), report.get("within_one")
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x <= 1 for x in (accuracy, within_one)):
        return None
    return HeldOut(who, _scored(report.get("confusion")), float(accuracy), float(within_one))


def _scored(confusion: Any) -> int | None:
    """How many patients a confusion matrix counts; None when it is not one."""
    try:
        total = sum(int(v) for row in confusion for v in row)
    except (TypeError, ValueError):
        return None
    return total or None


def _kind(record: Mapping[str, Any] | None, is_demo: bool) -> str:
    if is_demo:
        return DEMO_WORDS[:1].upper() + DEMO_WORDS[1:] + "."
    if record is None:
        return "Not known yet: no weights are loaded (the status bar says whether they are loading or why they failed)."
    cautions = weights_cautions(record)
    if cautions and not records_only_unvalidated(cautions):
        return f"{CLINIC_WORDS}."
    return ("Neither the shipped demonstration weights nor clinic-trained weights that record their cautions. "
            + ASK_THE_TRAINER)


def _trained_on(card: str | None, record: Mapping[str, Any] | None, is_demo: bool) -> str:
    """The demonstration card's own opening paragraph (written for any reader), else what the
    report's "Training data" says of the loaded weights."""
    lead = _lead(card) if is_demo else None
    if lead:  # without its bold warning, which "What they are" and "Not for diagnosis" say
        return re.sub(r"\*\*[^*]+\*\*\s*", "", lead) or lead
    if record is None:
        return ONCE_LOADED
    training = record.get("training_data") if isinstance(record, Mapping) else None
    return as_markdown_text(describe_training(training)) if training else f"Not recorded. {ASK_THE_TRAINER}"


def _lead(card: str | None) -> str | None:
    """The card's first paragraph that is not a heading, on one line."""
    for block in re.split(r"\n\s*\n", card or ""):
        if block.strip() and not block.lstrip().startswith("#"):
            return " ".join(block.split())
    return None


def _held_out_text(figures: HeldOut | None, loaded: bool) -> str:
    """The checkpoint's held-out figures; while none are `loaded` nothing is said of them."""
    if figures is None:
        if not loaded:
            return ONCE_LOADED
        return f"Not recorded: these weights carry no figures from patients kept out of training. {ASK_THE_TRAINER}"
    n = figures.patients
    if n:  # counts first: "5 of 8" reads plainer than a percentage of a small test split
        right = f"{round(figures.accuracy * n)} of them ({_percent(figures.accuracy)})"
        near = f"{round(figures.within_one * n)} ({_percent(figures.within_one)})"
    else:
        right, near = f"{_percent(figures.accuracy)} of them", _percent(figures.within_one)
    on = f"{n} {figures.who}" if n else f"the {figures.who}"
    return (f"On {on} kept out of training, the network's grade was right for {right} and within one grade for "
            f"{near} (as recorded in the weights when they were trained; later rescorings, if any, are in the "
            "technical details below).")


def _in_practice(figures: HeldOut | None) -> str:
    """The figures turned round (how often it was wrong), and what the results page does about doubt."""
    wrong = (f"Its grade was wrong for {_percent(1 - figures.accuracy)} of those patients and more than one grade "
             f"off for {_percent(1 - figures.within_one)}: take it as a suggestion to check. ") if figures else ""
    # the words the results page uses: "probability" beside the network grade, the flag's own title
    return (f"{wrong}A result whose probability (shown beside the network grade) is below "
            f"{_percent(LOW_CONFIDENCE)} is flagged \u201c{FLAG_TITLES['low_confidence']}\u201d, and any other doubt "
            f"flags a result too; the results page then says: \u201c{FLAGGED_NOTE}\u201d Whatever it "
            "suggests, the grade on record is the one you confirm.")


def _percent(fraction: float) -> str:
    """A fraction as the window prints percents, spaced: "71 %"."""
    return percent_text(fraction * 100)


def _no_card(card: Path) -> str:
    return (f"## No model card\n\nNo readable model card was found beside the weights: `{card}`.\n\n"
            f"{ASK_THE_TRAINER} `palsy train` writes the card beside every checkpoint it ships.")


def _demoted(card: str) -> str:
    """The card with its headings one level down, under the technical heading (code blocks kept)."""
    lines, fenced = [], False
    for line in card.splitlines():
        fenced ^= line.lstrip().startswith("```")
        lines.append("#" + line if not fenced and re.match(r"#{1,5} ", line) else line)
    return "\n".join(lines)


def as_markdown_text(text: str) -> str:
    """`text` shown as written in Markdown: a checkpoint's cautions and training record are text,
    not markup (no link, image or heading of a file's making)."""
    return "".join(f"\\{ch}" if ch in "\\`*_[]<>#!|" else ch for ch in " ".join(text.split()))


def weights_info(path: str) -> WeightsInfo:
    """Checksum of the file, the sha256 the install's manifest.json lists for it (only for a
    file in the install's weights folder) and, for a file elsewhere, what a manifest.json beside
    it lists (damage, not origin). The file
    is hashed once (is_demo_weights reuses the digest) and not at all above MAX_CHECKED_BYTES."""
    resolved = resolve_weights(path)
    try:
        found = resolved.is_file()
    except OSError as exc:  # a name too long for the file system: raised, not False; Settings must still open
        return WeightsInfo(resolved, False, None, None, is_demo_name(resolved), problem=exc.strerror or str(exc))
    if not found:
        return WeightsInfo(resolved, False, None, None, is_demo_weights(resolved, None))
    try:
        size = resolved.stat().st_size
    except OSError:
        size = 0
    if size > MAX_CHECKED_BYTES:
        return WeightsInfo(resolved, True, None, shipped_sha256(resolved), is_demo_name(resolved), size, _beside(resolved))
    sha256 = file_sha256(resolved)
    # the same rule as the GUI's red banner (app.analysis.load_model): demo by name or by bytes
    # (the shipped manifest's digest); a manifest beside the file never takes part
    return WeightsInfo(resolved, True, sha256, shipped_sha256(resolved), is_demo_weights(resolved, sha256), None, _beside(resolved))


def _beside(file: Path) -> str | None:
    """The sha256 a manifest.json beside a file outside the install's weights folder lists."""
    return None if in_weights_dir(file) else listed_sha256(file)
