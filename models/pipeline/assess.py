"""From expression photos to an Assessment (DESIGN §7): a plain function the GUI worker wraps.

    result = assess({"rest": rgb, "close_eyes": rgb, ...}, load_model(), progress)

Steps (each timed, with a cancel check between them and before each layer of a network pass): face crop + quality, E1 (parsing,
attention), E2 (grade probabilities; masks and grades mirror-averaged over the photo and its
mirror, `models.mirror_parsing.parse_and_grade`, so a grade does not depend on which way the
photo faces), measured function. The patient grade is the argmax of
the mean of the expressions' probabilities. Flags mark what a clinician must look at.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from models.cascade import CascadeNet
from models.config import photos_per_pass
from models.errors import CheckpointError, InputError
from models.labels import EXPRESSIONS, GRADES
from models.mirror_parsing import parse_and_grade
from models.pipeline.cancel_in_pass import cancellable_pass
from models.pipeline.face import (
    FaceCrop,
    FaceCropSettings,
    NoFaceError,
    confirm_parsed_face,
    crop_face,
)
from models.pipeline.flag_wording import (
    LOW_CONFIDENCE,
    SIDE_DISAGREEMENT,
    expression_label,
    failed_checks_text,
    measured_side,
    side_disagreement,
    top_probability_text,
)
from models.pipeline.fusion import expression_means, patient_probabilities
from models.pipeline.loader import LoadedModel, wrap_model
from models.pipeline.measures import (
    NO_MOVEMENT,
    MeasuredFunction,
    house_basis,
    measure_function,
    opposite_sides,
    side_doubt,
)
from models.pipeline.progress import NullProgress, Progress, checkpoint
from models.pipeline.quality import QualityReport, QualityThresholds, check_quality, roll_from_mask

SCHEMA = "palsy-grader/assessment/1"
DISAGREEMENT = 2  # network vs measured grades this many grades apart are flagged
IGNORED_LISTED = 5  # the `ignored_files` flag names this many files, then counts the rest
# Below this input size the masks are too coarse for reliable region measurements (measured:
# a 128 px demo network matched synthetic grades within one grade in 56 % of patients).
MEASURE_MIN_INPUT = 192

Image = np.ndarray
Photos = Mapping[str, "Image | Sequence[Image]"]


@dataclass
class Flag:
    """Something the clinician should review. `code` is stable; `message` is for people."""

    code: str
    message: str
    expression: str | None = None

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "expression": self.expression}


@dataclass
class ExpressionResult:
    """The network's view of one expression (its first frame for mask and attention)."""

    name: str
    photo: np.ndarray  # the face crop the network saw, RGB uint8
    probabilities: np.ndarray  # (6,), mean over the expression's frames
    mask: np.ndarray  # (H, W) uint8 class indices
    attention: dict[str, np.ndarray]  # name -> (H, W) float32 in [0, 1]
    quality: QualityReport
    crop: FaceCrop
    frames: int = 1

    @property
    def grade(self) -> str:
        return GRADES[int(np.argmax(self.probabilities))]


@dataclass
class Assessment:
    """Everything `assess` found; `to_dict` gives the assessment.json body (DESIGN §8)."""

    grade: str
    probabilities: np.ndarray
    expressions: dict[str, ExpressionResult]
    measured: MeasuredFunction
    flags: list[Flag]
    timings_ms: dict[str, float]
    model: dict
    warnings: list[str] = field(default_factory=list)
    # The patient record's affected side, when the caller knows it (`add_registered_side`).
    registered_side: str | None = None

    @property
    def affected_side(self) -> str:
        return self.measured.affected_side

    @property
    def top_probability(self) -> float:
        """As stored (4 decimals, `_by_grade`) and as the low-confidence flag judges it."""
        return round(float(self.probabilities.max()), 4)

    def to_dict(self, overlay_paths: Mapping[str, Mapping[str, str]] | None = None) -> dict:
        """JSON-ready dict; `overlay_paths` = {expression: {kind: relative path}}."""
        overlay_paths = overlay_paths or {}
        return {
            "schema": SCHEMA,
            "grade": self.grade,
            "probabilities": _by_grade(self.probabilities),
            # null when nothing was measured: "none" would read as "no affected side" (grade I)
            "affected_side": measured_side(self.affected_side, self.measured.grade),
            **({} if self.registered_side is None else {"registered_side": self.registered_side}),
            "measured": self.measured.to_dict(),
            "expressions": {
                name: {
                    "grade": r.grade,
                    "probabilities": _by_grade(r.probabilities),
                    "frames": r.frames,
                    "face_detected": r.crop.detected,
                    "quality": r.quality.to_dict(),
                    "overlays": dict(overlay_paths.get(name, {})),
                }
                for name, r in self.expressions.items()
            },
            "flags": [f.to_dict() for f in self.flags],
            "model": dict(self.model),
            "timing_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }


def add_registered_side(assessment: Assessment, registered_side: str | None) -> None:
    """Record the patient record's affected side and, when the photos measured the other side
    weaker, add the `side_disagreement` flag (once): assessment.json, the report and the
    summary then all carry it, not only what is printed. Called again, the flag follows the
    side given last."""
    assessment.registered_side = registered_side
    assessment.flags[:] = [f for f in assessment.flags if f.code != SIDE_DISAGREEMENT]
    sides = side_disagreement(registered_side, measured_side(assessment.affected_side, assessment.measured.grade))
    if sides:
        assessment.flags.append(Flag(SIDE_DISAGREEMENT, sides))


def _by_grade(p: np.ndarray) -> dict[str, float]:
    return {g: round(float(v), 4) for g, v in zip(GRADES, p, strict=True)}


def _frames(value: Image | Sequence[Image]) -> list[Image]:
    if isinstance(value, np.ndarray):
        return [value]
    frames = list(value)
    if not frames:
        raise InputError("an expression was given with no photo")
    return frames


def _to_batch(crops: list[np.ndarray], device: torch.device) -> torch.Tensor:
    batch = torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2).float().div_(255.0)
    return batch.to(device)


def _frame_name(names: Mapping[str, str | Sequence[str]], expression: str, index: int) -> str:
    given = names.get(expression, expression)
    if isinstance(given, str):
        return given if index == 0 else f"{given} (frame {index + 1})"
    return given[index] if index < len(given) else f"{expression} (frame {index + 1})"


class _Timer:
    def __init__(self, timings: dict[str, float], name: str) -> None:
        self.timings, self.name = timings, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.name] = self.timings.get(self.name, 0.0) + 1000.0 * (time.perf_counter() - self.start)


def assess(
    photos: Photos,
    model: LoadedModel | CascadeNet,
    progress: Progress | None = None,
    thresholds: QualityThresholds | None = None,
    face_settings: FaceCropSettings | None = None,
    names: Mapping[str, str | Sequence[str]] | None = None,
    mirror: bool = True,
    ignored: Sequence[str] = (),
) -> Assessment:
    """Grade one patient from expression photos (full RGB uint8 frames).

    `photos` maps expression names (models.labels.EXPRESSIONS) to a frame or a list of
    frames. `names` optionally maps an expression to its file name(s) for messages.
    `mirror=False` takes the masks and the grade from E1's and E2's single pass (half the
    network's time; the measured grade then carries E1's left/right bias and the network
    grade E2's, so a mirrored photo can grade differently, `models.mirror_parsing`). `ignored`
    names the patient folder's photos that are not named after an expression
    (`patient_dir.ignored_photos`), for the `ignored_files` flag. Raises
    InputError for unknown expressions or photos without a face (a photo cut at the frame
    centre is confirmed with E1's mask of it, `_confirm_fallbacks`); Cancelled when
    `progress.cancelled()` turns true between steps or inside a network pass (before a layer).
    """
    progress = progress or NullProgress()
    loaded = model if isinstance(model, LoadedModel) else wrap_model(model, device=next(model.parameters()).device)
    net, device = loaded.model, loaded.device
    unknown = sorted(set(photos) - set(EXPRESSIONS))
    if unknown:
        raise InputError(f"unknown expression(s) {', '.join(unknown)}; expected {', '.join(EXPRESSIONS)}")
    if not photos:
        raise InputError(f"no expression photos given; expected some of {', '.join(EXPRESSIONS)}")
    order = [e for e in EXPRESSIONS if e in photos]
    names = names or {}
    timings: dict[str, float] = {}
    started = time.perf_counter()
    size = net.config.input_size

    # 1. Face crop and frame quality.
    # Progress is read by therapists: plain words and the expressions' titles, not code names.
    checkpoint(progress, 0.0, "Finding the faces")
    crops: dict[str, list[FaceCrop]] = {}
    frames_of: dict[str, list[Image]] = {e: _frames(photos[e]) for e in order}
    for i, expression in enumerate(order):
        with _Timer(timings, "crop"):
            try:
                crops[expression] = [
                    crop_face(frame, size, face_settings, name=_frame_name(names, expression, k))
                    for k, frame in enumerate(frames_of[expression])
                ]
            except NoFaceError as exc:
                exc.expression = expression  # a GUI names the step to retake
                raise
        checkpoint(progress, 0.3 * (i + 1) / len(order), f"Finding the face: {expression_label(expression)}")

    # 2. E1 then E2 on every frame in one batch.
    flat = [(e, c) for e in order for c in crops[e]]
    net.eval()
    masks_parts, attention_parts, prob_parts = [], [], []
    per_pass = photos_per_pass(size)
    chunks = range(0, len(flat), per_pass)
    with torch.inference_mode(), cancellable_pass(net, progress):
        for n, start in enumerate(chunks):
            # Six photos are one batch; many frames, or a large input size, go in chunks to bound memory.
            batch = _to_batch([c.image for _, c in flat[start : start + per_pass]], device)
            checkpoint(progress, 0.35 + 0.5 * n / len(chunks), "Outlining the face regions")
            with _Timer(timings, "e1"):
                e1_out = net.e1(batch, with_attention=True)
                attention_parts.append(e1_out["attention"].float().cpu())
            checkpoint(progress, 0.35 + 0.5 * (n + 0.6) / len(chunks), "Grading")
            # The mirror's E1 pass gives both its masks and its z, so "e2" also holds that pass.
            with _Timer(timings, "e2"):
                masks, probs = parse_and_grade(net, batch, e1_out, mirror)
                masks_parts.append(masks.cpu())
                prob_parts.append(probs.cpu())
    masks_t, attention_t = torch.cat(masks_parts), torch.cat(attention_parts)
    probabilities = torch.cat(prob_parts).numpy()
    if not (np.isfinite(probabilities).all() and bool(torch.isfinite(attention_t).all())):
        raise CheckpointError("the model's output holds NaN or infinite values (its weights are damaged or overflow "
                              f"on {device}); no grade is given: choose other weights")
    _confirm_fallbacks(crops, masks_t, names)

    results: dict[str, ExpressionResult] = {}
    per_expression = expression_means([e for e, _ in flat], probabilities)
    first_index = {}
    for index, (expression, _) in enumerate(flat):
        first_index.setdefault(expression, index)
    for expression in order:
        rows = [i for i, (e, _) in enumerate(flat) if e == expression]
        first = first_index[expression]
        mask = masks_t[first].numpy()
        with _Timer(timings, "quality"):
            # Roll from the mask's eye centroids: the crop is a similarity of the frame.
            quality = check_quality(
                frames_of[expression][0], crops[expression][0].faces, thresholds, roll_degrees=roll_from_mask(mask), estimate_roll=False,
                input_size=size,  # a face of fewer pixels than the network reads is upscaled: "face_resolution"
            )
        results[expression] = ExpressionResult(
            name=expression,
            photo=crops[expression][0].image,
            probabilities=per_expression[expression],
            mask=mask,
            attention={n: attention_t[first, k].numpy() for k, n in enumerate(net.attention_names)},
            quality=quality,
            crop=crops[expression][0],
            frames=len(rows),
        )

    # 3. Measured function from the masks.
    checkpoint(progress, 0.9, "Measuring each region's movement")
    with _Timer(timings, "measures"):
        measured = measure_function({e: r.mask for e, r in results.items()})
    if size < MEASURE_MIN_INPUT and measured.grade is not None:
        measured.notes.append(
            f"approximate: the network parses faces at {size} px, where brows and mouth corners span a few "
            f"pixels (reliable from {MEASURE_MIN_INPUT} px)"
        )
    fused = patient_probabilities({e: r.probabilities for e, r in results.items()})
    grade = GRADES[int(np.argmax(fused))]
    flags = build_flags(grade, fused, results, measured, names)
    if loaded.info.e2_on_other_e1:
        flags.append(Flag("e2_on_other_e1", E2_ON_OTHER_E1))
    flags += [f for f in (_same_as_rest(frames_of), _ignored_files(ignored)) if f is not None]
    warnings = [c.warning for e in order for c in crops[e] if c.warning]
    timings["total"] = 1000.0 * (time.perf_counter() - started)
    progress.report(1.0, "Assessment ready")
    return Assessment(grade, fused, results, measured, flags, timings, loaded.info.to_dict(), warnings)


def _confirm_fallbacks(crops: Mapping[str, list[FaceCrop]], masks: torch.Tensor,
                       names: Mapping[str, str | Sequence[str]]) -> None:
    """Refuse a photo cut at the frame centre (no face detected) whose mask shows no face
    (`confirm_parsed_face`), as a photo of noise is refused: a beach, a brick wall and a door
    passed the centre's skin test and were graded. `masks` follow `crops`, frame by frame."""
    frames = [(e, k, crop) for e, crops_of in crops.items() for k, crop in enumerate(crops_of)]
    for (expression, k, crop), mask in zip(frames, masks, strict=True):
        if crop.detected:
            continue
        try:
            confirm_parsed_face(mask.numpy(), _frame_name(names, expression, k))
        except NoFaceError as exc:
            exc.expression = expression  # a GUI names the step to retake
            raise


E2_ON_OTHER_E1 = (
    "these weights' face parser (E1) was trained further after their grading network (E2) was "
    "trained on it, so E2 grades features it never saw; train stage 2 again on these weights "
    "(`palsy train grading --init WEIGHTS`) before relying on the network grade"
)


def build_flags(
    grade: str, fused: np.ndarray, results: Mapping[str, ExpressionResult], measured: MeasuredFunction,
    names: Mapping[str, str | Sequence[str]] | None = None,
) -> list[Flag]:
    """The review flags (DESIGN §7): low confidence, network vs measured disagreement,
    missing rest or expressions, failed quality, face not detected, no measured grade.
    Expressions are named in words ("puff cheeks"); `names` (as in `assess`) adds the file."""
    flags: list[Flag] = []
    # as stored (`_by_grade`, 4 decimals), so the grade line and this flag read one number
    top = round(float(fused.max()), 4)
    if top < LOW_CONFIDENCE:
        flags.append(Flag("low_confidence", f"the network's top probability is {top_probability_text(top)} "
                                            f"(< {LOW_CONFIDENCE:.0%}): review carefully"))
    if measured.grade is not None and abs(GRADES.index(measured.grade) - GRADES.index(grade)) >= DISAGREEMENT:
        flags.append(Flag(
            "grade_disagreement",
            f"the network's grade {grade} and the measured grade {measured.grade} differ by two grades or more",
        ))
    if "rest" not in results:
        flags.append(Flag("missing_rest", "no rest photo: the measured function is unavailable; the network grade is given alone"))
    missing = [e for e in EXPRESSIONS if e not in results and e != "rest"]
    if missing:
        # the title says "Expressions not photographed": the message names them, in words
        flags.append(Flag("missing_expressions", ", ".join(expression_label(e).lower() for e in missing)))
    if "rest" in results and measured.grade is None:
        why = measured.notes[-1] if measured.notes else ""
        flags.append(Flag("no_measured_grade", why if why == NO_MOVEMENT else f"the measured grade could not be computed: {why}"))
    partial = house_basis(measured)
    if measured.grade is not None and partial:
        flags.append(Flag("partial_measure", partial))
    doubt = side_doubt(measured)
    if doubt:
        flags.append(Flag("side_uncertain", doubt))
    offset = opposite_sides(measured)
    if offset:
        flags.append(Flag("opposite_sides", offset))
    for name, r in results.items():
        if not r.quality.passed:
            flags.append(Flag("failed_quality", f"{name}: {failed_checks_text(r.quality.to_dict()['checks'])}", name))
        if not r.crop.detected:
            flags.append(Flag("face_not_detected", _no_face_message(name, r.crop.warning, names or {}), name))
    return flags


def _same_as_rest(frames_of: Mapping[str, list[Image]]) -> Flag | None:
    """The `same_as_rest` flag for expression photos pixel for pixel the rest photo (one photo
    copied under every name, a camera that froze), or None: they measure no movement, yet the
    network graded them with nothing to say so."""
    rest = frames_of.get("rest")
    if not rest:
        return None
    same = [e for e, frames in frames_of.items() if e != "rest" and any(np.array_equal(f, rest[0]) for f in frames)]
    if not same:
        return None
    if len(same) == 1:
        return Flag("same_as_rest", f"the {_words(same)} photo is the same picture as rest: the expression was not "
                                    "captured; take it again")
    return Flag("same_as_rest", f"the {_words(same)} photos are the same picture as rest: the expressions were not "
                                "captured; take them again")


def _ignored_files(ignored: Sequence[str]) -> Flag | None:
    """The `ignored_files` flag naming the folder's photos that were not graded, or None: an
    eyes_closed.png was skipped in silence and the patient graded without it."""
    if not ignored:
        return None
    wanted = ", ".join(f"{e}.jpg" for e in EXPRESSIONS)  # file names: the wording keeps them as they are
    verb = "is not an expression name and was" if len(ignored) == 1 else "are not expression names and were"
    listed = ", ".join(ignored[:IGNORED_LISTED]) + (f" and {len(ignored) - IGNORED_LISTED} more"
                                                     if len(ignored) > IGNORED_LISTED else "")
    return Flag("ignored_files", f"{listed} {verb} not graded; name a photo one of {wanted} (or .png) to grade it")


def _words(expressions: Sequence[str]) -> str:
    """"close eyes, open mouth and puff cheeks"."""
    words = [expression_label(e).lower() for e in expressions]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _no_face_message(expression: str, warning: str | None, names: Mapping[str, str | Sequence[str]]) -> str:
    """The crop's fallback warning led by the expression in words, and its file when one was
    named: "Close eyes (close_eyes.png): no face detected; ...", not "close_eyes.png: ..." from
    the CLI and "close eyes: ..." from the GUI."""
    frame = _frame_name(names, expression, 0)
    where = expression_label(expression) + ("" if frame == expression else f" ({frame})")
    reason = (warning or "no face detected").removeprefix(f"{frame}: ")
    return f"{where}: {reason}"
