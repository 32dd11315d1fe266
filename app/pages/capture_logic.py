"""Headless logic of the capture wizard: six steps, capture/retake, auto-capture of the peak.

No Qt. The widget (`capture.py`) feeds frames and live quality in and renders the state;
every photo is sent to the records store the moment it is taken (written on the widget's
saver thread, `CaptureSession.submit`).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any, NamedTuple, Protocol

import numpy as np

from app.camera.demo_source import DemoPatientSource
from app.camera.file_sources import PhotoFolderSource, VideoFileSource
from app.camera.opencv_source import OpenCVSource
from app.local_time import local_minute, parse_stamp, separate_sittings
from app.pages.instructions import TITLES
from app.pages.patient_label import PatientLabel, label_parts
from models.errors import InputError, PalsyError
from models.labels import EXPRESSIONS

log = logging.getLogger("palsy.capture")

# Where the photos come from, in words, one wording per kind of source (a CameraSettings'
# `source`): the Settings' choice and the source being opened are named from this one table,
# so the page's line cannot name them differently. "{}" is the folder, video or camera index.
SOURCE_WORDS = {
    "folder": "photos from the folder {}",
    "video": "frames from the video {}",
    "camera": "camera {}",
    "demo": "the synthetic demo patient (no camera)",
}


def unexpected_save_error(error: BaseException) -> bool:
    """A save or withdrawal failed for a reason nobody at the computer caused or can mend (a
    bug), not a full disk or a folder gone: those are the store's `StorageError` or an OSError."""
    return not isinstance(error, (PalsyError, OSError))


def _log_if_unexpected(action: str, expression: str, error: BaseException) -> None:
    """Log a failure on the saver thread that is a bug with its traceback, which only its
    future kept: the user reads that something unexpected happened. An expected one (a full
    disk) is said, and logged, as the window's notice."""
    if unexpected_save_error(error):
        log.error("%s the %s photo failed", action, expression,
                  exc_info=(type(error), error, error.__traceback__))


@dataclass(frozen=True)
class CaptureLine:
    """The capture page's patient (`head`, `name`, `detail`: before the name, the name, after
    it) and where the photos come from (`source`), each its own part: the page shows the source
    on a line of its own."""

    head: str
    name: str
    detail: str
    source: str


def settings_source_words(camera: Any) -> str:
    """Where the photos come from, in words, for the CameraSettings `camera`."""
    where = {"folder": "folder_path", "video": "video_path", "camera": "index"}.get(camera.source)
    if camera.source not in SOURCE_WORDS:
        return camera.source
    return SOURCE_WORDS[camera.source].format(getattr(camera, where) if where else "")


def source_words(source: Any) -> str:
    """The same words for a source being opened: the page's source line follows the source
    Settings reopen (set once at the start, it went on naming the old one)."""
    if isinstance(source, DemoPatientSource):
        return SOURCE_WORDS["demo"]
    if isinstance(source, PhotoFolderSource):
        return SOURCE_WORDS["folder"].format(source.folder)
    if isinstance(source, VideoFileSource):
        return SOURCE_WORDS["video"].format(source.path)
    if isinstance(source, OpenCVSource):
        return SOURCE_WORDS["camera"].format(source.index)
    return str(getattr(source, "name", ""))  # an injected source (tests): its own name


def file_source(source: Any) -> bool:
    """The photos come from files (a photo folder or a video), not a camera: a blank picture is
    the file's, not a lens cap's."""
    return isinstance(source, (PhotoFolderSource, VideoFileSource))


def name_order_note(source: Any, expression: str) -> str:
    """The file a folder of camera names (`PhotoFolderSource.name_order_photo`) gives this
    step, as "This step takes IMG_0001.jpg, the next photo in name order: check it shows Rest"; "" for any
    other source. Nothing in such a name says which expression the photo shows, so the step
    names the file it takes and the therapist sees a photo taken out of the wizard's order."""
    if not isinstance(source, PhotoFolderSource):
        return ""
    name = source.name_order_photo(expression)
    if name is None:
        return ""
    return f"This step takes {name}, the next photo in name order: check it shows {TITLES[expression]}"


def capture_line(patient: str | PatientLabel, camera: Any) -> CaptureLine:
    """The capture page's first line: whose photos are being taken and where they come from
    (`camera`: the CameraSettings). A photo folder or video is one setting for every patient,
    so its name is shown where the therapist can see that it is this patient's. The page
    shortens the name first."""
    head, name, detail = label_parts("Patient: ", patient)
    return CaptureLine(head, name, detail, settings_source_words(camera))


def stale_draft_age(created: str, now: datetime | None = None, tz: tzinfo | None = None) -> str | None:
    """How long ago a draft's photos were begun ("16 days ago", "13 hours ago") when that was
    another sitting (`local_time.separate_sittings`: more than 12 hours, or an earlier local day
    and not within 2 hours), else None (`now`, `tz`: tests): its rest photo would be the
    baseline of expressions taken on another day, so it is not resumed by default.

    A draft begun while the clock was ahead lies in the future: when it was begun ("at 22:00 on
    2026-12-07", and that the clock was changed), as an age read "-13 hours ago"."""
    began = parse_stamp(created)
    if began is None:
        return None
    now = now or datetime.now(timezone.utc)
    if not separate_sittings(began, now, tz):
        return None
    if began > now:
        day, minute = local_minute(created, tz).split(" ")
        return f"at {minute} on {day} (this computer's clock has been changed since)"
    hours = (now - began).total_seconds() / 3600.0
    days = (now.astimezone(tz).date() - began.astimezone(tz).date()).days
    if days <= 0:
        return f"{int(hours)} hours ago"
    return "yesterday" if days == 1 else f"{days} days ago"


def stale_draft_warning(age: str) -> str:
    """Why a draft begun `age` (from `stale_draft_age`) is better started anew."""
    return (f"Its photos were taken {age}: movements measured against a rest photo of another day are not "
            "comparable, so a new assessment is the default.")


class Settled(NamedTuple):
    """What the capture page found of an assessment about to be read back (`settle_saves`): its
    patient, as its failures name it, and its failures standing (expression -> (error, a
    withdrawal?), `standing_failures_of`)."""

    whose: str
    standing: dict[str, tuple[BaseException, bool]]


def standing_failures_of(sessions: list[Any]) -> dict[str, tuple[BaseException, bool]]:
    """The failures still standing (`CaptureSession.standing_failures`) of `sessions`, all of
    one assessment and oldest first, as the session that resumes it takes them on: the latest
    of each expression, in the order they failed."""
    standing: dict[str, tuple[BaseException, bool]] = {}
    for session in sessions:
        for expression, failure in session.standing_failures.items():
            put_last(standing, expression, failure)
    return standing


def put_last(standing: dict[str, tuple[BaseException, bool]], expression: str,
             failure: tuple[BaseException, bool]) -> None:
    """`expression`'s `failure` stands in `standing` as the newest, its earlier one dropped: the
    notice names them in the order they failed."""
    standing.pop(expression, None)
    standing[expression] = failure


class CaptureSink(Protocol):
    """Where a captured photo is persisted (the records gateway)."""

    def save_capture(self, assessment_id: int, expression: str, rgb: np.ndarray, quality: dict) -> Any:
        """Persist atomically; a retake replaces the earlier photo."""

    def withdraw_capture(self, assessment_id: int, expression: str) -> Any:
        """Take a rejected photo off the record, so a resumed draft does not bring it back."""


@dataclass
class CapturedPhoto:
    """A photo taken for one step."""

    expression: str
    rgb: np.ndarray
    quality: dict
    intensity: float = 0.0
    # when it was taken, in the order of the session's captures (`CaptureSession.capture`; a
    # resumed photo: its stored capture time, `restore`): "same as another expression" names the
    # photo taken later in time, which is not the later step when steps were taken out of order
    taken: int = 0
    # The photo's 64 x 64 grey thumbnail and its 16 x 16 block grid, computed once (at capture,
    # or at the first comparison for a resumed photo): the "no movement against rest" check
    # runs at every refresh of the page, and rebuilding them from a 4K photo took 170 ms.
    _thumb_cache: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    _grid_cache: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    # Its small copies for the step list's thumbnail, one per size in pixels (`small`): the page
    # converted and scaled the whole 4K photo on the GUI thread for each photo taken (45 ms).
    _small_cache: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)

    def thumb(self) -> np.ndarray:
        """The 64 x 64 grey thumbnail of the central face area (computed once)."""
        if self._thumb_cache is None:
            self._thumb_cache = _thumb(self.rgb)
        return self._thumb_cache

    def grid(self) -> np.ndarray:
        """The 16 x 16 block grid over the face that `still_photos` compares (computed once)."""
        if self._grid_cache is None:
            self._grid_cache = face_grid(self.thumb())
        return self._grid_cache

    def small(self, side: int) -> np.ndarray:
        """The photo scaled down to fit `side` x `side` pixels (`shrink`; made once per size)."""
        if side not in self._small_cache:
            self._small_cache[side] = shrink(self.rgb, side)
        return self._small_cache[side]


def shrink(rgb: np.ndarray, side: int, spare: int = 2) -> np.ndarray:
    """`rgb` scaled down to fit `side` x `side` pixels, its aspect kept (the size Qt's
    KeepAspectRatio gives), each pixel the mean of those it covers; as it is when it fits already.
    A large frame is first halved while it stays `spare` times that size (OpenCV's fast case,
    a few ms for 4K; straight to the thumbnail took 50 ms, longer than the Qt scaling it
    replaces): a pixel of the result straddling a halved block shares it with its neighbour, by
    at most a few grey levels at a sharp edge, fewer the larger `spare`. An odd last row or
    column at each halving, under one pixel of the result, is left out."""
    import cv2

    h, w = rgb.shape[:2]
    if max(h, w) <= side:
        return rgb
    size = (side, max(1, side * h // w)) if w >= h else (max(1, side * w // h), side)
    while w // 2 >= spare * size[0] and h // 2 >= spare * size[1]:
        rgb = cv2.resize(rgb[: h // 2 * 2, : w // 2 * 2], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        h, w = rgb.shape[:2]
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def expression_intensity(frame: np.ndarray | CapturedPhoto, reference: np.ndarray | CapturedPhoto | None) -> float:
    """How far `frame` moved from the `rest` reference: mean absolute grey difference (0..1)
    over the central face area, computed on 64 x 64 thumbnails so it is cheap. A CapturedPhoto
    brings its thumbnail made once: the rest photo is compared with every live frame."""
    if reference is None:
        return 0.0
    return float(np.abs(_thumb_of(frame) - _thumb_of(reference)).mean())


def _thumb_of(image: np.ndarray | CapturedPhoto) -> np.ndarray:
    return image.thumb() if isinstance(image, CapturedPhoto) else _thumb(image)


# Below this, an expression photo shows no movement against the rest photo: the same photo
# taken twice, a copied file, a patient who did not move. The largest change of one block of a
# 16 x 16 grid over the face: camera noise (sigma 4 grey levels) gives about 0.004, the weakest
# full expression of the demo patients (wrinkle nose, grade VI) about 0.015.
NO_MOVEMENT = 0.008
NO_MOVEMENT_NOTE = "no movement against rest \u2013 retake?"
NO_FACE_NOTE = "no face \u2013 retake?"
# the analysis found a face, but too small to grade (FaceTooSmallError): closer, not another pose
FACE_TOO_SMALL_NOTE = "face too small \u2013 retake closer?"
FACE_TOO_SMALL_DETAIL = "face too small"
MANY_FACES_NOTE = "more than one face \u2013 retake?"
SAME_AS_PREFIX = "same as "
SOURCE_KEY = "source"  # the key of a photo's quality record naming where it came from ("camera 1")
FROM_PREFIX = "from "


def other_source_note(source: str, latest: str) -> str:
    """The note of a photo from another source than the latest photo's (Settings changed the
    camera, or chose the demo patient, in the middle of the visit)."""
    return f"{FROM_PREFIX}{source}, not {latest} \u2013 retake?"


def photo_source(photo: CapturedPhoto) -> str:
    """Where `photo` came from, as stored with it ("" for a photo taken before sources were kept)."""
    source = (photo.quality or {}).get(SOURCE_KEY)
    return source if isinstance(source, str) else ""


def demo_switch_question(photos: list[CapturedPhoto], before: str) -> str:
    """The question asked before the synthetic demo patient replaces the source while the draft
    has photos of a person (from `before`, or as stored with them); "" when it has none."""
    demo = SOURCE_WORDS["demo"]
    real = [photo for photo in photos if (photo_source(photo) or before) != demo]
    if not real:
        return ""
    n = len(real)
    taken = "1 photo" if n == 1 else f"{n} photos"
    return (f"This visit has {taken} of the patient, from {before}. Photos of the synthetic demo patient "
            "taken from now on would be mixed into this patient's visit.\n\n"
            f"Yes: switch to the demo patient (retake every photo before analysing).\n"
            f"No: keep {before}; the other settings are saved.")


def source_change_text(photos: list[CapturedPhoto], before: str, after: str) -> str:
    """What to say when the source changes from `before` to `after` while the draft has
    `photos` ("" when none came from another source than `after`); a photo that names no
    source counts as `before`'s."""
    counts: dict[str, int] = {}
    for photo in photos:
        source = photo_source(photo) or before
        counts[source] = counts.get(source, 0) + 1
    if not photos or set(counts) == {after}:
        return ""
    where = " and ".join(f"{s} ({n})" if len(counts) > 1 else s for s, n in counts.items())
    n = len(photos)
    taken = "The photo taken so far comes" if n == 1 else f"The {n} photos taken so far come"
    return (f"{taken} from {where}; the next ones from {after}: "
            f"retake {'it' if n == 1 else 'them'} if the patient or the camera's position changed")


def same_as_note(expression: str) -> str:
    """The note of an expression photo no different from the photo of `expression` (another
    expression's): a frozen picture, or a double press of Space, took one expression twice."""
    return f"{SAME_AS_PREFIX}{TITLES[expression]} \u2013 retake?"


def face_problem(quality: dict | None) -> str | None:
    """What the face check stored with a photo at capture found wrong (NO_FACE_NOTE or
    MANY_FACES_NOTE; FACE_TOO_SMALL_NOTE when the analysis found the face too small), or None:
    the analysis refuses a photo without a face, so the step says so when it is taken, not
    minutes later."""
    check = ((quality or {}).get("checks") or {}).get("one_face") or {}
    if check.get("passed", True):
        return None
    detail = str(check.get("detail", ""))
    if detail == FACE_TOO_SMALL_DETAIL:
        return FACE_TOO_SMALL_NOTE
    return MANY_FACES_NOTE if "faces found" in detail else NO_FACE_NOTE


def face_grid(thumb: np.ndarray) -> np.ndarray:
    """The 16 x 16 block grid of a 64 x 64 grey thumbnail (`_thumb`)."""
    import cv2

    return cv2.resize(thumb, (16, 16), interpolation=cv2.INTER_AREA)


def grid_movement(grid: np.ndarray, rest_grid: np.ndarray) -> float:
    """The largest change between a photo and the rest photo in one block of their 16 x 16
    grids over the face (`face_grid`; 0..1). Unlike the mean (`expression_intensity`), a
    movement confined to the eyes or the nose is not averaged away by the face that stays still."""
    return float(np.abs(grid - rest_grid).max())


CAMERA_STOPPED = "The camera stopped: "


def camera_stop_reason(message: str) -> str:
    """Why the camera stopped, without a leading "The camera stopped: " (a frame check's message
    has one): the page puts it in front once."""
    return message.removeprefix(CAMERA_STOPPED)


def opening_text(source_name: str, waited: float) -> str:
    """The preview's words while a source takes long to open (a slow driver, a 4K camera setting
    its resolution, a USB hub waking up): a wait, not yet an error (`frozen_text` once the open allowance is over)."""
    name = source_name or "the camera"
    return f"{name[:1].upper()}{name[1:]} is still opening ({waited:.0f} s)\u2026"


def frozen_text(source_name: str, waited: float, opened: bool = True, first: bool = False) -> str:
    """The error box's words for a source that has sent nothing for `waited` seconds: not opened
    yet (`opened` False: a camera held by another program or stuck in its driver can hang in its
    open), opened but no picture ever came (`first`: most often another program holds the camera,
    seldom the cable), or frames stopped coming (the cable)."""
    name = source_name or "the camera"
    camera = name.startswith("camera ")
    if not opened:
        what = ("it may be in use by another program (close video calls or the Camera app), or unplug it "
                "and plug it back in" if camera else "check that it can still be read")
        return f"{name[:1].upper()}{name[1:]} has not opened after {waited:.0f} s: {what}; press Retry"
    if first:
        what = ("close any other program that may use it (video calls, the Camera app), then press Retry; "
                "or check the cable" if camera else "check that it can still be read, then press Retry")
        return f"{name[:1].upper()}{name[1:]} opened but gives no picture after {waited:.0f} s: {what}"
    hint = "check its cable" if camera else "check that it can still be read"
    return f"No new picture from {name} for {waited:.0f} s: {hint}, then press Retry"


def no_frame_text(running: bool, opened: bool, box_shown: bool, step_error: bool) -> str:
    """Why Space took nothing when there is no live frame to take: the camera is down (`running`
    False, or frozen: `box_shown` says why above), still opening, or has no picture for this step
    (a folder without its photo); else the step's first frame has not come yet."""
    if step_error:
        return "Nothing taken: there is no picture for this step (see above)"
    if running and not opened and not box_shown:
        return "Nothing taken: the camera is still opening; press Space again once its picture shows"
    if not running or box_shown:
        above = " (see above)" if box_shown else ""
        return f"Nothing taken: the camera is not delivering pictures{above}; press F5 to reconnect"
    return "Nothing taken: no picture of this step yet; press Space again"


# Space, or a click on Capture, within this long of the previous capture or of a step change
# takes nothing: a second press, a bouncing key or a double click took the next step's photo
# from the frame still showing the last expression (the same expression stored as two steps).
# Auto-capture is not paused (it waits for its own window of frames).
SPACE_PAUSE_S = 0.5
SPACE_TOO_SOON = "Nothing taken: the step just changed; press Space again"
BUTTON_TOO_SOON = "Nothing taken: the step just changed; press Capture again"


@dataclass
class SpacePause:
    """When the last photo was taken or the step shown changed (`mark`), and whether Space or a
    click on Capture comes too soon after it (`too_soon`). `clock`: tests."""

    clock: Callable[[], float] = time.monotonic
    _at: float | None = None

    def mark(self) -> None:
        self._at = self.clock()

    def too_soon(self) -> bool:
        return self._at is not None and self.clock() - self._at < SPACE_PAUSE_S


def still_saving_text(expressions: list[str], starts: bool = False) -> str:
    """Analyse waits for the photos of `expressions`, still being written: it is possible in a
    moment, or (`starts`: the request is kept) it starts by itself once they are saved."""
    titles = [TITLES[e] for e in expressions]
    named = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]
    photos = "photo is" if len(titles) == 1 else "photos are"
    then = "the analysis starts once it is saved" if starts else "Analyse is possible in a moment"
    if starts and len(titles) > 1:
        then = "the analysis starts once they are saved"
    return f"The {named} {photos} still being saved: {then}"


THUMB_SPARE = 8  # `_thumb` halves a large square while it stays 8 x 64 pixels or more (ends 512 to 1023)


def _thumb(rgb: np.ndarray) -> np.ndarray:
    """The 64 x 64 grey mean of the central square of `rgb` (0..1). A large one is scaled down
    first and made grey after (`shrink`; the same means to a grey level): the whole 4K square
    copied and made grey took 40 ms of the GUI thread at each photo taken."""
    import cv2

    h, w = rgb.shape[:2]
    side = min(h, w)
    y0, x0 = (h - side) // 2, (w - side) // 2
    crop = rgb[y0 : y0 + side, x0 : x0 + side]
    if side > THUMB_SPARE * 2 * 64:
        small = np.ascontiguousarray(shrink(crop, 64, THUMB_SPARE))
        return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    grey = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (64, 64), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


@dataclass
class AutoCapture:
    """Keep the frame of peak expression intensity while the quality checks pass.

    A window opens at the first frame that passes; it closes after `window_s`, and the
    best frame seen in it is returned. For `rest` (no movement expected) the first frame
    that stayed passing for the whole window is taken.
    """

    window_s: float = 1.5
    _start: float | None = None
    _best: tuple[float, np.ndarray, dict] | None = None

    def reset(self) -> None:
        self._start = None
        self._best = None

    def feed(self, frame: np.ndarray, passed: bool, intensity: float, quality: dict, now: float) -> tuple[np.ndarray, dict, float] | None:
        """Offer a frame; returns (frame, quality, intensity) when the window closes."""
        if not passed:
            return None
        if self._start is None:
            self._start = now
        if self._best is None or intensity > self._best[0]:
            self._best = (intensity, frame, quality)
        if now - self._start >= self.window_s:
            intensity_best, best, best_quality = self._best
            self.reset()
            return best, best_quality, intensity_best
        return None


@dataclass
class CaptureSession:
    """State of one assessment's capture wizard."""

    assessment_id: int
    sink: CaptureSink
    steps: tuple[str, ...] = EXPRESSIONS
    current: int = 0
    photos: dict[str, CapturedPhoto] = field(default_factory=dict)
    auto: AutoCapture = field(default_factory=AutoCapture)
    on_change: Callable[[], None] | None = None
    # Where saves run: None = synchronously in `capture`; else an Executor.submit-like
    # callable (one worker, so saves and retakes reach the store in order).
    submit: Callable[..., Future] | None = None
    pending: dict[str, tuple[CapturedPhoto, Future]] = field(default_factory=dict)
    # Retakes whose stored photo is being taken off the record, in the order asked (on the
    # same worker as the saves, so a retake never overtakes the save of the photo it rejects).
    withdrawing: list[tuple[str, Future]] = field(default_factory=list)
    withdraw_failures: list[tuple[str, BaseException]] = field(default_factory=list)
    # The photos that did not reach the record, and the rejected ones that did not leave it
    # (expression -> (error, a withdrawal?)), in the order they failed: each stands until a photo
    # of its expression is saved (taken again, or put back), which the window's notice follows.
    standing_failures: dict[str, tuple[BaseException, bool]] = field(default_factory=dict)
    # The quality checks of the photo itself (frame -> quality record), run where the save runs:
    # the live badges may still be those of an earlier frame when the photo is taken.
    checker: Callable[[np.ndarray], dict] | None = None
    # The photo the last retake took off, kept so an unintended retake (a stray "r") can be
    # undone: the patient need not make the expression again.
    retaken: CapturedPhoto | None = None
    put_back: str | None = None  # the expression whose photo the last undo put back
    # where the live frames come from now ("camera 1", `source_words`): stored with each photo
    # taken (`SOURCE_KEY`), so a visit mixing sources can be told later
    source: str = ""
    # the order of the captures: each photo taken gets the next number (`CapturedPhoto.taken`)
    _taken: Any = field(default_factory=lambda: itertools.count(1), repr=False)
    # the steps still showing the photo read back from the record (`restore`), none taken, put
    # back or taken off here since: a rejected photo whose withdrawal failed is such a one
    _from_record: set[str] = field(default_factory=set, repr=False)

    @property
    def expression(self) -> str:
        """The expression of the current step."""
        return self.steps[self.current]

    @property
    def complete(self) -> bool:
        """True when every step has a photo and every photo is stored (Analyse needs both)."""
        return all(step in self.photos for step in self.steps) and not self.pending

    @property
    def busy(self) -> bool:
        """True while a save or a retake's withdrawal still runs on the worker."""
        return bool(self.pending or self.withdrawing)

    def running_saves(self) -> list[Future]:
        """The saves and withdrawals still running on the worker (`busy` holds until `poll_saves`
        settles them, finished or not): what a wait for them waits on."""
        futures = [future for _photo, future in self.pending.values()] + [f for _e, f in self.withdrawing]
        return [future for future in futures if not future.done()]

    def saving(self, expression: str) -> bool:
        """True while the photo of `expression` is being written to the store."""
        return expression in self.pending

    @property
    def missing(self) -> list[str]:
        return [step for step in self.steps if step not in self.photos]

    @property
    def unsaved(self) -> list[str]:
        """The steps whose photo is taken but still being written (in step order): Analyse
        waits for them, though none is missing."""
        return [step for step in self.steps if step in self.pending]

    def reference(self) -> np.ndarray | None:
        """The rest photo, the baseline for expression intensity."""
        rest = self.photos.get("rest")
        return rest.rgb if rest is not None else None

    def still_photos(self) -> list[str]:
        """The expression photos that show no movement against the rest photo (each compared
        with the rest photo now on record, so a retaken rest photo counts)."""
        rest = self.photos.get("rest")
        if rest is None:
            return []
        # the grids are cached on the photos: this runs at every refresh and arrow key
        return [name for name, photo in self.photos.items()
                if name != "rest" and grid_movement(photo.grid(), rest.grid()) < NO_MOVEMENT]

    def repeated_photos(self) -> dict[str, str]:
        """The expression photos no different from an expression photo taken before them
        (expression -> that earlier expression): a camera repeating its last frame, or a double
        press, stored one expression as two steps. The photo taken later in time is named, as the
        photo to retake: steps taken out of order (Next, then back) make it an earlier step; rest
        is `still_photos`' comparison."""
        taken = sorted((step for step in self.steps if step != "rest" and step in self.photos),
                       key=lambda step: self.photos[step].taken)  # stable: step order for equal times
        repeated = {}
        for i, name in enumerate(taken):
            grid = self.photos[name].grid()
            same = [earlier for earlier in taken[:i] if grid_movement(grid, self.photos[earlier].grid()) < NO_MOVEMENT]
            if same:
                repeated[name] = same[0]
        return repeated

    def movement_notes(self) -> dict[str, str]:
        """The expression photos that show no movement (expression -> note): against the rest
        photo (NO_MOVEMENT_NOTE, said first), or against another expression's (`same_as_note`)."""
        notes = {name: same_as_note(earlier) for name, earlier in self.repeated_photos().items()}
        notes.update({name: NO_MOVEMENT_NOTE for name in self.still_photos()})
        return notes

    def other_source_photos(self) -> dict[str, str]:
        """The photos from another source than the latest photo's (expression -> note): the
        source changed in the middle of the visit. The latest is the one taken last (a resumed
        draft's, the last stored); photos that name no source are not compared."""
        named = [(name, photo_source(photo)) for name, photo in self.photos.items() if photo_source(photo)]
        if not named:
            return {}
        # by `taken`, as `repeated_photos` orders them: a resumed draft's photos come in step order
        latest = max(named, key=lambda item: self.photos[item[0]].taken)[1]
        return {name: other_source_note(source, latest) for name, source in named if source != latest}

    def flagged_photos(self) -> dict[str, str]:
        """Photos to retake, with why (expression -> note): no face (or several) at capture
        first, then a photo from another source than the latest's, else no movement against
        rest or against another expression photo."""
        flagged = self.movement_notes()
        flagged.update(self.other_source_photos())
        for name, photo in self.photos.items():
            problem = face_problem(photo.quality)
            if problem is not None:
                flagged[name] = problem
        return flagged

    def go_to(self, index: int) -> None:
        """Jump to a step (clamped)."""
        self.current = max(0, min(len(self.steps) - 1, index))
        self.auto.reset()
        self._changed()

    def next(self) -> None:
        self.go_to(self.current + 1)

    def previous(self) -> None:
        self.go_to(self.current - 1)

    def capture(self, frame: np.ndarray, quality: dict | None = None, intensity: float | None = None) -> CapturedPhoto:
        """Take `frame` as the current step's photo and store it through the sink, then move
        on to the next step without a photo.

        Synchronous (no `submit`): saved here, raising whatever the sink raises, and nothing is
        marked taken. With `submit` (the GUI) it is saved later on the worker, shown as taken
        meanwhile; `poll_saves` reports the outcome and takes a failed photo back.
        """
        quality = dict(quality or {})
        if self.source:
            quality[SOURCE_KEY] = self.source
        expression = self.expression
        photo = CapturedPhoto(expression, np.ascontiguousarray(frame).copy(), quality, taken=next(self._taken))
        photo.grid()  # its thumbnail and grid, once, for the intensity and the "no movement" check
        if intensity is None:
            intensity = expression_intensity(photo, self.photos.get("rest"))
        photo.intensity = intensity
        self._save(photo)
        self.auto.reset()
        remaining = [i for i, step in enumerate(self.steps) if step not in self.photos]
        if remaining:
            later = [i for i in remaining if i > self.current]
            self.current = later[0] if later else remaining[0]
        self._changed()
        return photo

    def _save(self, photo: CapturedPhoto) -> None:
        """Store `photo` as its step's photo: at once without `submit` (raising what the sink
        raises, nothing marked taken), else on the worker, shown as taken while it is written."""
        if self.submit is None:
            self._check_and_save(photo)
        else:
            self.pending[photo.expression] = (photo, self.submit(self._check_and_save, photo))
        self.photos[photo.expression] = photo
        self._from_record.discard(photo.expression)

    def _check_and_save(self, photo: CapturedPhoto) -> Any:
        """Run the quality checks on the photo (with a `checker`), then store it with them. A
        check that fails (an OpenCV error on an odd camera frame) keeps the live check's record:
        the photo is still saved, as the live check survives such errors too."""
        if self.checker is not None:
            try:
                kept = {SOURCE_KEY: photo.quality[SOURCE_KEY]} if SOURCE_KEY in photo.quality else {}
                photo.quality = {**dict(self.checker(photo.rgb)), **kept}
            except Exception:  # noqa: BLE001 - any failure of the check must not lose the photo
                log.warning("the quality check of the %s photo failed; the live check's record is kept",
                            photo.expression, exc_info=True)
        return self.sink.save_capture(self.assessment_id, photo.expression, photo.rgb, photo.quality)

    def poll_saves(self) -> list[tuple[str, BaseException]]:
        """Settle finished background saves; returns (expression, error) for each failure
        (one that is a bug is logged here, with its traceback).
        A failed photo is taken back (unless a retake already replaced it) and its step
        becomes the current one."""
        failures = []
        settled = 0
        for expression, future in list(self.withdrawing):
            if not future.done():
                break  # in order: a later one waits for this one
            settled += 1
            self.withdrawing.remove((expression, future))
            error = future.exception()
            if error is not None:
                _log_if_unexpected("taking back", expression, error)
                self.withdraw_failures.append((expression, error))
                self.stands(expression, error, withdrawal=True)
        for expression, (photo, future) in list(self.pending.items()):
            if not future.done():
                continue
            settled += 1
            del self.pending[expression]
            error = future.exception()
            if error is None:  # on record: its expression's earlier failure no longer stands
                self.standing_failures.pop(expression, None)
                continue
            _log_if_unexpected("saving", expression, error)
            failures.append((expression, error))
            self.stands(expression, error, withdrawal=False)
            if self.photos.get(expression) is photo:
                del self.photos[expression]
                self.current = self.steps.index(expression)
        if settled:
            self._changed()
        return failures

    def stands(self, expression: str, error: BaseException, withdrawal: bool) -> None:
        """`expression`'s failure stands, as the newest (its earlier one replaced): one of this
        session's saves, or (the capture page) a save of the same assessment begun before it was
        resumed that failed only once this session showed it. A withdrawal's: `drop_rejected`."""
        put_last(self.standing_failures, expression, (error, withdrawal))
        if withdrawal:
            self.drop_rejected(expression)

    def drop_rejected(self, expression: str) -> None:
        """A rejected photo of `expression` did not leave the record (its withdrawal failed). One
        asked before this session resumed the assessment: the session read that rejected photo
        back as taken, so it is taken off as the retake took it (`_take_off`): the step asks for
        a new photo, which replaces it on record, and Analyse waits for it. A photo taken or put
        back here since (this session's own retake, too) is kept."""
        if expression in self._from_record:
            self._take_off(expression)

    def drop_rejected_photos(self) -> None:
        """`drop_rejected` for each withdrawal failure standing: those the session resuming the
        assessment took on (`standing_failures_of`) once it read the record back."""
        for expression, (_error, withdrawal) in list(self.standing_failures.items()):
            if withdrawal:
                self.drop_rejected(expression)

    def wait_for_saves(self, timeout: float | None = None) -> list[tuple[str, BaseException]]:
        """Wait up to `timeout` seconds in all for the pending saves and withdrawals (another
        assessment opens, shutdown, tests), then settle those that ended (`poll_saves`). One
        still running stays pending (`busy`), logged: a later `poll_saves` reports it, as it
        may yet fail."""
        running = wait(self.running_saves(), timeout).not_done
        if running:
            log.warning("%d photo save(s) of assessment %d still running after %s s", len(running),
                        self.assessment_id, timeout)
        return self.poll_saves()

    def mark_no_face(self, expression: str, too_small: bool = False) -> None:
        """The analysis found no face in this photo (or, `too_small`, one too small to grade):
        flag its step (as the face check at capture would have) and go to it, so the therapist
        retakes it; a face too small is retaken closer, so its step says that, not "no face"."""
        photo = self.photos.get(expression)
        if photo is not None:
            checks = dict(photo.quality.get("checks") or {})
            checks["one_face"] = {"passed": False, "detail": FACE_TOO_SMALL_DETAIL if too_small else "no face found"}
            photo.quality = {**photo.quality, "passed": False, "checks": checks}
        self.go_to(self.steps.index(expression))

    def take_withdraw_failures(self) -> list[tuple[str, BaseException]]:
        """The retakes whose rejected photo could not be taken off the record (then cleared)."""
        failures, self.withdraw_failures = self.withdraw_failures, []
        return failures

    def retake(self, expression: str | None = None) -> CapturedPhoto | None:
        """Reject the current (or named) step's photo and go to it; returns the photo taken off
        (None when the step had none), kept as `retaken` for `undo_retake`. The stored photo is
        taken off the record too (a resumed draft brought it back as taken): after its save when
        that still runs, since both go through the same worker in order.

        Synchronous (no `submit`): raises whatever the sink raises, and the photo stays."""
        expression = expression or self.expression
        if expression in self.photos:
            if self.submit is None:
                self.sink.withdraw_capture(self.assessment_id, expression)
            else:
                self.withdrawing.append((expression, self.submit(self.sink.withdraw_capture, self.assessment_id, expression)))
        return self._take_off(expression)

    def _take_off(self, expression: str) -> CapturedPhoto | None:
        """Take `expression`'s photo off the session (kept as `retaken` for `undo_retake`) and go
        to its step, which asks for a new photo; returns it (None when the step had none)."""
        photo = self.photos.pop(expression, None)
        self._from_record.discard(expression)
        if photo is not None:
            self.retaken, self.put_back = photo, None
        self.current = self.steps.index(expression)
        self.auto.reset()
        self._changed()
        return photo

    def undo_refusal(self) -> str | None:
        """Why `undo_retake` cannot put the photo back now, or None when it can: there must be
        one taken off, and its step must still be empty (a new photo is never replaced unasked)."""
        if self.retaken is None and self.put_back is not None:
            return f"Nothing to undo: the photo of {TITLES[self.put_back]} is back already"
        if self.retaken is None:
            return "Nothing to undo: no photo was taken off since this assessment was opened here"
        title = TITLES[self.retaken.expression]
        if self.retaken.expression in self.photos:
            return (f"The photo of {title} taken off was not put back: {title} has a new photo "
                    "(Retake takes that one off)")
        return None

    def undo_retake(self) -> CapturedPhoto:
        """Put the photo the last retake took off back on its step and on the record, through
        the same save as a capture (after the withdrawal: the same worker, in order). Raises
        InputError with `undo_refusal`'s words when it cannot; synchronous (no `submit`), what
        the sink raises too."""
        photo, refusal = self.retaken, self.undo_refusal()
        if photo is None or refusal is not None:
            raise InputError(refusal or "Nothing to undo")
        self._save(photo)
        self.retaken, self.put_back = None, photo.expression
        self.auto.reset()
        self._changed()
        return photo

    def restore(self, photos: dict[str, CapturedPhoto]) -> None:
        """Resume a draft: take its saved photos and go to the first missing step. They are
        numbered in the order they were taken, by the capture time the record keeps for each
        (in step order when it cannot be read); the photos taken from now on come after them."""
        self.photos = dict(photos)
        self._from_record = set(self.photos)
        stored = self._stored_capture_times()
        for photo in sorted(self.photos.values(), key=lambda p: stored.get(p.expression, "")):
            photo.taken = next(self._taken)
        missing = [i for i, step in enumerate(self.steps) if step not in self.photos]
        self.current = missing[0] if missing else len(self.steps) - 1
        self._changed()

    def _stored_capture_times(self) -> dict[str, str]:
        """When each stored photo of the assessment was taken (expression -> UTC ISO 8601 text,
        which sorts as time), or nothing when the record cannot say."""
        read = getattr(self.sink, "assessment", None)
        if not callable(read):
            return {}
        try:
            times = getattr(read(self.assessment_id), "captured_at", None)
        except PalsyError as exc:
            log.warning("capture times of assessment %d not read: %s", self.assessment_id, exc)
            return {}
        return {str(e): str(t) for e, t in times.items()} if isinstance(times, dict) else {}

    def offer_frame(self, frame: np.ndarray, passed: bool, quality: dict, now: float,
                    small: np.ndarray | None = None) -> CapturedPhoto | None:
        """Auto-capture: feed a live frame; captures when the peak window closes. `small`: the
        frame scaled down (the camera thread's display copy), which its intensity is measured on:
        the thumbnail of a whole 4K frame took 35 ms of the GUI thread at every frame."""
        if self.expression in self.photos:
            return None
        # the rest photo's thumbnail is cached: only the live frame's is made
        intensity = expression_intensity(frame if small is None else small, self.photos.get("rest"))
        chosen = self.auto.feed(frame, passed, intensity, quality, now)
        if chosen is None:
            return None
        best, best_quality, best_intensity = chosen
        return self.capture(best, best_quality, best_intensity)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()
