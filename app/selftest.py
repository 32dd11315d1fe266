"""`PalsyGrader --self-test` / `palsy self-test`: prove an installation works, headless.

Steps, each timed: verify every shipped weights file against manifest.json (sha256),
render the synthetic demo patient, load the default weights, assess the six photos, write
the outputs (overlays, report.pdf, assessment.json) to a temporary folder and check them
(the PDF opens, has pages, names the verified checksum, carries the disclaimer and, made
with the demo weights, the "demonstration model, not for diagnosis" warning).
The headless path imports no Qt (checked: the bundle's headless path does not depend on
widgets); then a last step, "gui", imports PySide6.QtWidgets and builds the main window over a
throwaway data folder (offscreen where there is no display) and closes it, so an installation
whose Qt is broken fails here and not at the clinic's first start. The summary also reports
the real data folder and log folder (exists, writable, free space, the records database's
version) without creating them; a data folder that cannot be written (a file in its place, no
permission) or whose database is newer than this program reads fails the test last.
Prints one summary line; exit 0 when
every step passed, 1 with the failing step and its reason otherwise. A `--json FILE` or a
`--keep DIR` that cannot be written is refused before the test runs (one line, exit 2); the
JSON file is replaced atomically. The temporary folder it works in is named after its process and
computer (`palsy-selftest-PID-HOST-XXXX`): one left by a self-test that was killed (Task
Scheduler's "End", a logoff) is removed by the next (`remove_left_folders`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from models.errors import PalsyError

DISCLAIMER_PHRASE = "does not replace"
DEMO_PHRASE = "DEMONSTRATION MODEL"  # the red box's title (`pdf.DEMO_TITLE`); the amber one also says "NOT FOR DIAGNOSIS"
DEFAULT_GRADE = "III"
DEFAULT_SIDE = "left"
DEFAULT_SEED = 7
QT_WIDGET_MODULES = ("PySide6.QtWidgets", "PyQt5.QtWidgets", "PyQt6.QtWidgets")
TEMP_PREFIX = "palsy-selftest-"
# written into each work folder when it is made: a folder a user named with TEMP_PREFIX is never swept
WORK_MARKER = ".palsy-selftest-work"
# `palsy-selftest-PID-HOST-XXXX` (`work_folder`); an earlier release's `palsy-selftest-XXXX` names neither
_TEMP_NAME = re.compile(rf"{re.escape(TEMP_PREFIX)}(\d+)-([0-9a-f]{{8}})-.+")

T = TypeVar("T")


class SelfTestError(PalsyError):
    """A self-test step failed; the message says which check and why."""


class ReportFileError(PalsyError):
    """The `--json FILE` or the `--keep DIR` cannot be written (a usage mistake: one line, exit 2)."""


@dataclass
class WeightsCheck:
    """The verified default weights file."""

    path: Path
    sha256: str
    verified: list[str]


@dataclass
class SelfTestResult:
    """What the self-test found; `ok` is False with `failed_step` and `error` set on failure."""

    ok: bool = False
    failed_step: str | None = None
    error: str | None = None
    steps_ms: dict[str, float] = field(default_factory=dict)
    total_s: float = 0.0
    weights: str | None = None
    sha256: str | None = None
    demo: dict[str, Any] = field(default_factory=dict)
    grade: str | None = None
    top_probability: float | None = None
    measured_grade: str | None = None
    pdf_pages: int = 0
    pdf_bytes: int = 0
    output_folder: str | None = None
    installed_weights: str | None = None  # with --weights: the installed demo file, verified too
    cautions: list[str] = field(default_factory=list)  # what the loaded weights record (a clinic's own)
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)  # the real data and log folders

    def summary(self) -> str:
        """The one line the executable prints."""
        if not self.ok:
            return f"PalsyGrader self-test FAILED at step '{self.failed_step}': {self.error}"
        sha = (self.sha256 or "")[:12]
        prob = f"{self.top_probability:.2f}" if self.top_probability is not None else "?"
        which = (f"installed weights {self.installed_weights} verified; weights {self.weights} sha256 {sha}... loaded"
                 if self.installed_weights else f"weights {self.weights} sha256 {sha}... verified")
        return (
            f"PalsyGrader self-test passed in {self.total_s:.1f} s: {which}; "
            f"demo patient (grade {self.demo.get('grade')}, {self.demo.get('side')} side) graded {self.grade} "
            f"by the network (p={prob}), measured {self.measured_grade or '-'}; "
            f"report.pdf {self.pdf_pages} pages, {self.pdf_bytes // 1024} kB; main window built"
            + self._then(self.cautions_summary(), self.folders_summary())
        )

    @staticmethod
    def _then(text: str, following: str) -> str:
        """`text` and then `following` ("; data folder ..."): a caution's last full stop goes
        before the semicolon ("diagnosis.; data folder" read as a typing slip)."""
        return (text[:-1] if following and text.endswith(".") else text) + following

    def cautions_summary(self) -> str:
        """'; weights clinic.pt: clinic-trained, not validated (3 cautions): FIRST' ('' without
        cautions), or '; weights W.pt: not validated (...)' for weights that record none and so
        carry only the program's caution: a self-test that passes must not make such weights
        look validated, nor call research weights clinic-trained."""
        if not self.cautions:
            return ""
        from models.resources import records_only_unvalidated

        if records_only_unvalidated(self.cautions):  # the program's caution: no clinic's
            return f"; weights {self.weights}: not validated (neither the demonstration nor clinic-trained weights)"
        return (f"; weights {self.weights}: clinic-trained, not validated ({len(self.cautions)} "
                f"caution{'' if len(self.cautions) == 1 else 's'}): {self.cautions[0].rstrip()}")

    def folders_summary(self) -> str:
        """'; data folder PATH (exists, writable, N MB free); log folder ...' ('' when not looked at)."""
        parts = []
        for label, info in self.folders.items():
            state = "exists" if info["exists"] else "not created yet"
            writable = "writable" if info["writable"] else "NOT writable"
            free = f"{info['free_mb']} MB free" if info["free_mb"] is not None else "free space unknown"
            held = f", records database version {info['records_version']}" if info.get("records_version") else ""
            parts.append(f"{label} folder {info['path']} ({state}, {writable}, {free}{held})")
        return "".join(f"; {part}" for part in parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for --json and the bundle build record)."""
        out = asdict(self)
        out["summary"] = self.summary()
        return out


def verify_weights(folder: Path, default_name: str) -> WeightsCheck:
    """Check every file the manifest lists against its sha256; return the default one.

    Unlike loading (which checks a file only when the manifest lists it), the self-test
    insists that the manifest exists and lists the default weights.
    """
    from models.checkpoint import MANIFEST, read_manifest, sha256_of

    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise SelfTestError(f"no weights manifest at {manifest_path}; reinstall the application")
    files = read_manifest(folder).get("files", {})
    if default_name not in files:
        raise SelfTestError(f"{MANIFEST} does not list the default weights {default_name}; reinstall the application")
    verified: list[str] = []
    for name, entry in sorted(files.items()):
        expected = (entry or {}).get("sha256")
        path = folder / name
        if not expected:
            raise SelfTestError(f"{MANIFEST} gives no sha256 for {name}")
        if not path.is_file():
            raise SelfTestError(f"weights file {path} listed in {MANIFEST} is missing; reinstall the application")
        actual = sha256_of(path)
        if actual != expected:
            raise SelfTestError(
                f"weights file {name} failed its checksum (manifest {expected[:12]}..., file {actual[:12]}...); "
                "it is damaged or was replaced without updating manifest.json"
            )
        verified.append(name)
    return WeightsCheck(folder / default_name, files[default_name]["sha256"], verified)


def check_pdf(path: Path, sha256: str, demo: bool = False, cautioned: bool = False) -> int:
    """The report opens, has pages, names the weights' checksum and carries the disclaimer;
    with `demo`, also the demonstration-model warning; with `cautioned` (weights with cautions,
    the program's own included), the amber box's title (`model_cautions.CAUTIONS_TITLE`)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not path.is_file() or path.stat().st_size == 0:
        raise SelfTestError(f"no report was written at {path}")
    try:
        reader = PdfReader(str(path))
        pages = len(reader.pages)
        text = " ".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, OSError, ValueError) as exc:
        raise SelfTestError(f"report.pdf does not open as a PDF ({exc})") from exc
    if pages < 1:
        raise SelfTestError("report.pdf has no pages")
    flat = " ".join(text.split())
    if DISCLAIMER_PHRASE not in flat:
        raise SelfTestError("report.pdf lacks the statement that the software does not replace the clinician")
    if sha256 not in "".join(text.split()):
        raise SelfTestError("report.pdf does not name the checksum of the weights that were verified")
    if demo and DEMO_PHRASE not in flat:
        raise SelfTestError("report.pdf of the demo weights lacks the warning that they are not for diagnosis")
    if cautioned:
        from app.report.model_cautions import CAUTIONS_TITLE

        if " ".join(CAUTIONS_TITLE.split()) not in flat:
            raise SelfTestError("report.pdf of weights with cautions lacks the box saying they are not validated")
    return pages


def check_assessment(folder: Path, sha256: str) -> dict[str, Any]:
    """assessment.json is complete (DESIGN §8) and was made with the verified weights."""
    from models.labels import EXPRESSIONS, GRADES

    path = folder / "assessment.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SelfTestError(f"assessment.json is missing or unreadable ({exc})") from exc
    if data.get("grade") not in GRADES:
        raise SelfTestError(f"assessment.json has no valid grade (got {data.get('grade')!r})")
    probabilities = data.get("probabilities") or {}
    if set(probabilities) != set(GRADES) or not math.isclose(sum(probabilities.values()), 1.0, abs_tol=1e-3):
        raise SelfTestError("assessment.json's grade probabilities do not cover I-VI and sum to 1")
    missing = [e for e in EXPRESSIONS if e not in (data.get("expressions") or {})]
    if missing:
        raise SelfTestError(f"assessment.json lacks the expressions {', '.join(missing)}")
    model_sha = (data.get("model") or {}).get("sha256")
    if model_sha != sha256:
        raise SelfTestError(f"the assessment used weights with sha256 {str(model_sha)[:12]}..., not the verified file")
    overlays = sorted((folder / "overlays").glob("*.png")) if (folder / "overlays").is_dir() else []
    if len(overlays) < len(EXPRESSIONS):
        raise SelfTestError(f"only {len(overlays)} overlay images were written for {len(EXPRESSIONS)} expressions")
    return data


def folder_state(path: Path) -> dict[str, Any]:
    """Whether `path` exists, can be written (or, missing, could be made) and the free space
    where it is or would be, in MB. Creates nothing."""
    existing = path
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    try:
        free_mb: int | None = shutil.disk_usage(existing).free // (1024 * 1024)
    except OSError:
        free_mb = None
    return {
        "path": str(path),
        "exists": path.is_dir(),
        "writable": existing.is_dir() and os.access(existing, os.W_OK | os.X_OK),
        "free_mb": free_mb,
    }


def configured_data_folder() -> str:
    """The data folder chosen in the GUI's Settings ("" when none, or the settings cannot be read)."""
    try:
        from app.settings_store import load_settings, open_qsettings

        return load_settings(open_qsettings())[0].clinic.data_folder
    except Exception:  # noqa: BLE001 - no Qt, a damaged file: the default folder is checked then
        return ""


def real_folders() -> dict[str, dict[str, Any]]:
    """The data folder the window would open (Settings, else PALSY_HOME, else the platform's:
    `resolve_data_folder`) and its log folder, as `folder_state` sees them; the data folder also
    with its database's version ("records_version") when it holds one. The platform's folder
    alone failed a station whose Settings name another, writable one."""
    from app.records.db import stored_schema_version
    from app.records.paths import DB_NAME
    from app.settings import resolve_data_folder

    data = resolve_data_folder(configured_data_folder())
    state = folder_state(data)
    version = stored_schema_version(data / DB_NAME)
    if version is not None:
        state["records_version"] = version
    return {"data": state, "log": folder_state(data / "logs")}  # logs: app/frozen_main.py log_dir()


def data_folder_problem(info: dict[str, Any] | None) -> str | None:
    """Why the station could not save a record in the data folder `folder_state` described (a
    file in its place, no write permission) or why the window would refuse it (a database a newer
    release wrote), or None; None too when it could not be looked at. The summary said "(not
    created yet, NOT writable)", or nothing of a newer database, and the test still passed."""
    from app.records.errors import file_in_the_way, not_a_folder_message
    from app.records.migrations import LATEST_VERSION, newer_schema_message

    if not info:
        return None
    if (info.get("records_version") or 0) > LATEST_VERSION:  # the window refuses it with this line
        return f"the window would refuse the data folder {info['path']}: {newer_schema_message(info['records_version'])}"
    path = Path(info["path"])
    blocker = file_in_the_way(path)
    if blocker is not None:
        return not_a_folder_message(path, blocker, "data folder")
    if info["writable"]:
        return None
    made = "" if info["exists"] else " (it does not exist yet and cannot be made there)"
    return (f"the data folder {path} is not writable by this user{made}, so no record could be saved: check its "
            "permissions, or set PALSY_HOME (or Settings \u2192 Data folder) to a writable folder")


def _needs_offscreen() -> bool:
    """No display to open a window on (Linux and the like without X11 or Wayland)."""
    if sys.platform.startswith("win") or sys.platform == "darwin" or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def check_gui(data_folder: Path) -> None:
    """Import Qt's widgets and build the main window over a throwaway store in `data_folder`,
    then close it. The model is not loaded (the headless steps did that) and nothing is shown."""
    try:
        from PySide6.QtCore import QCoreApplication, QEvent
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        raise SelfTestError(
            f"Qt cannot be loaded ({exc}): the application's window cannot open; reinstall the application"
        ) from exc
    from app.qt_binding_check import binding_fault

    fault = binding_fault()
    if fault is not None:
        raise SelfTestError(fault)
    offscreen = _needs_offscreen()
    if offscreen:  # only for this step: the environment is restored below
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "palsy"])
        from app.gateway_store import open_gateway
        from app.main_window import MainWindow, Services
        from app.settings import Settings

        gateway = open_gateway(data_folder)
        try:
            window = MainWindow(Services(settings=Settings(), gateway=gateway), load_model_on_show=False)
            window.close()
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            app.processEvents()
        finally:
            gateway.close()
    finally:
        if offscreen:
            os.environ.pop("QT_QPA_PLATFORM", None)


def _qt_widgets_loaded() -> list[str]:
    return [name for name in QT_WIDGET_MODULES if sys.modules.get(name) is not None]  # None: import blocked


@contextmanager
def work_folder(keep: Path | None = None) -> Iterator[Path]:
    """A private (0o700) folder in the system's temporary folder for one self-test, removed when
    the block ends; its name holds this process's ID and computer, and the ones killed
    self-tests left there are removed first (`remove_left_folders`): a killed run never reaches
    the removal, and the system does not empty its temporary folder on Windows."""
    from app.records.recovery import host_tag

    remove_left_folders(Path(tempfile.gettempdir()), keep)
    with tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-{host_tag()}-") as tmp:
        (Path(tmp) / WORK_MARKER).write_bytes(b"")
        yield Path(tmp)


def remove_left_folders(temp_root: Path, keep: Path | None = None) -> int:
    """Remove the `TEMP_PREFIX` folders in `temp_root` that killed self-tests left, by the
    records' staging rule: this computer's once their process is gone (a live self-test's is
    never touched), any other (a temporary folder other computers share, or an earlier
    release's name, which holds no process) once untouched for an hour and its process, where
    it names one, looks gone. Only a folder a self-test made (`_made_by_a_self_test`) is removed,
    never `keep` (the `--keep DIR` of this run): a folder a user named with the prefix (a `--keep
    palsy-selftest-kept` of last night) is theirs. Best effort: another account's cannot be
    removed. Returns how many were removed."""
    now = time.time()
    removed = 0
    kept = keep.expanduser().resolve() if keep is not None else None
    for old in temp_root.glob(TEMP_PREFIX + "*"):
        with suppress(OSError):
            if old.is_symlink() or not old.is_dir() or not _made_by_a_self_test(old):
                continue
            if kept is not None and old.resolve() == kept:
                continue
            if _left_behind(old.name, now - old.stat().st_mtime):
                shutil.rmtree(old, ignore_errors=True)
                removed += not old.exists()
    return removed


def _made_by_a_self_test(folder: Path) -> bool:
    """Whether `folder` is a self-test's work folder: it holds `WORK_MARKER`, or it has the
    exact name `work_folder` gives it (`palsy-selftest-PID-HOST-XXXX`). An earlier release's
    `palsy-selftest-` and 8 letters is not judged: a folder the user named for `--keep`
    (`palsy-selftest-20261206`) looks the same, and was removed with its report."""
    return (folder / WORK_MARKER).is_file() or bool(_TEMP_NAME.fullmatch(folder.name))


def _left_behind(name: str, age_s: float) -> bool:
    """Whether the self-test folder `name`, untouched for `age_s`, was left by a killed run."""
    from app.records.recovery import host_tag, left_by_a_dead_writer, left_in_a_shared_folder

    match = _TEMP_NAME.fullmatch(name)
    if match and match.group(2) == host_tag():
        return left_by_a_dead_writer(int(match.group(1)), age_s)
    return left_in_a_shared_folder(int(match.group(1)) if match else None, age_s)


def run_self_test(
    weights_folder: Path | None = None,
    work: Path | None = None,
    weights_file: Path | None = None,
    grade: str = DEFAULT_GRADE,
    side: str = DEFAULT_SIDE,
    seed: int = DEFAULT_SEED,
    device: str = "cpu",
) -> SelfTestResult:
    """Run every step; never raises for a failed check (the result says what failed).

    `weights_file`: grade the demo patient with these weights (a clinic's own, from `palsy
    train clinic`, or a file Settings names) instead of the installed demo weights, which are
    still verified against the manifest first: the installation and the weights in use are
    both checked. Such a file is checked as loading checks it (its digest, and the manifest
    when one beside it lists it)."""
    result = SelfTestResult(demo={"grade": grade, "side": side, "seed": seed})
    start = time.perf_counter()
    try:
        result.folders = real_folders()
    except Exception:  # noqa: BLE001 - a report, never a reason to fail the test
        result.folders = {}

    def step(name: str, action: Callable[[], T]) -> T:
        t0 = time.perf_counter()
        try:
            return action()
        finally:
            result.steps_ms[name] = round(1000.0 * (time.perf_counter() - t0), 1)

    current = "imports"
    t_imports = time.perf_counter()
    try:
        from app.report.outputs import write_outputs
        from app.report.pdf import ReportContext, is_demo_record
        from models.pipeline.assess import assess
        from models.pipeline.demo_patient import render_demo_patient
        from models.pipeline.face import face_detector_available
        from models.pipeline.loader import load_model
        from models.pipeline.patient_dir import load_patient_photos
        from models.pipeline.progress import NullProgress
        from models.resources import DEMO_WEIGHTS, weights_cautions, weights_dir

        result.steps_ms["imports"] = round(1000.0 * (time.perf_counter() - t_imports), 1)
        folder = Path(weights_folder) if weights_folder is not None else weights_dir()
        with work_folder(Path(work) if work is not None else None) as tmp:
            root = Path(work) if work is not None else tmp
            current = "face detector"
            if not face_detector_available():
                raise SelfTestError("OpenCV's Haar face cascade is missing from this installation (cv2/data)")

            current = "weights"
            checked = step(current, lambda: verify_weights(folder, DEMO_WEIGHTS))
            result.weights, result.sha256 = checked.path.name, checked.sha256

            current = "render demo patient"
            patient = step(current, lambda: render_demo_patient(root / "patient", grade=grade, side=side, seed=seed))
            photos, paths = load_patient_photos(patient)

            current = "load model"
            if weights_file is not None:
                current = f"load model {Path(weights_file).name}"
                loaded = step("load model", lambda: load_model(Path(weights_file), device))
                result.weights, result.sha256, result.installed_weights = (
                    Path(weights_file).name, loaded.info.sha256, checked.path.name)
                result.cautions = list(loaded.info.cautions)
            else:
                loaded = step(current, lambda: load_model(checked.path, device))
                if loaded.info.sha256 != checked.sha256:
                    raise SelfTestError("the loaded weights are not the file whose checksum was verified")

            current = "assess"
            names = {expression: files[0].name for expression, files in paths.items()}
            assessment = step(current, lambda: assess(photos, loaded, NullProgress(), names=names))

            current = "write report"
            context = ReportContext(
                clinic_name="Palsy Grader self-test",
                patient_id=f"SELFTEST-{seed}",
                patient_name="Demo patient (synthetic)",
                notes=f"Installation self-test: synthetic patient rendered with grade {grade}, affected side {side}.",
            )
            out = root / "out"
            step(current, lambda: write_outputs(assessment, out, context))

            current = "check outputs"
            data = step(current, lambda: check_assessment(out, result.sha256))
            current = "check pdf"
            demo = is_demo_record(assessment.model)
            cautioned = bool(weights_cautions(assessment.model))
            result.pdf_pages = step(current, lambda: check_pdf(out / "report.pdf", result.sha256, demo, cautioned))
            result.pdf_bytes = (out / "report.pdf").stat().st_size
            result.grade = data["grade"]
            result.top_probability = max(data["probabilities"].values())
            result.measured_grade = (data.get("measured") or {}).get("grade")
            result.output_folder = str(out) if work is not None else None

            current = "headless"
            widgets = _qt_widgets_loaded()
            if widgets:
                raise SelfTestError(f"the headless path imported {', '.join(widgets)}")

            current = "gui"  # the steps above prove the headless path needs no Qt
            step(current, lambda: check_gui(root / "gui-data"))

            current = "data folder"  # last: the rest is proven even where the station cannot save
            problem = data_folder_problem(result.folders.get("data"))
            if problem:
                raise SelfTestError(f"{problem} (every other step passed)")
        result.ok = True
    except PalsyError as exc:
        result.failed_step, result.error = current, str(exc)
    except OSError as exc:  # a full disk, say: the folder was checked before the test (`check_keep_folder`)
        # imported here: app.cli imports the commands, this module among them
        from app.cli import os_error_line

        result.failed_step, result.error = current, os_error_line(exc)
    except Exception as exc:  # any other failure is reported as a reason, never a traceback
        result.failed_step, result.error = current, f"{exc.__class__.__name__}: {exc}"
    result.total_s = round(time.perf_counter() - start, 2)
    return result




def build_parser() -> argparse.ArgumentParser:
    """Options shared by `PalsyGrader --self-test` and `palsy self-test`."""
    parser = argparse.ArgumentParser(prog="PalsyGrader --self-test", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the self-test's options to a parser."""
    parser.add_argument("--weights-dir", metavar="DIR", default=None,
                        help="folder with manifest.json and the weights (default: the installed ones)")
    parser.add_argument("--weights", metavar="FILE", default=None,
                        help="grade the demo patient with these weights (e.g. a clinic's own) after verifying the "
                             "installed ones (default: the installed demo weights)")
    parser.add_argument("--keep", metavar="DIR", default=None,
                        help="write the demo patient and outputs here and keep them (default: a temporary folder)")
    parser.add_argument("--json", metavar="FILE", default=None, help="also write the result as JSON to FILE")


def check_report_path(path: Path) -> None:
    """Refuse, before the test runs, a `--json FILE` whose folder is missing or cannot be written."""
    folder = path.parent
    if path.is_dir():
        raise ReportFileError(f"--json {path} is a folder; give a file name")
    if folder.exists() and not folder.is_dir():
        raise ReportFileError(f"cannot write --json {path}: {folder} is a file, not a folder; give a path in an existing folder")
    if not folder.is_dir():
        raise ReportFileError(f"cannot write --json {path}: the folder {folder} does not exist; "
                              "give a path in an existing folder")
    _probe_folder(f"--json {path}", folder)


def check_keep_folder(path: Path) -> None:
    """Refuse, before the test runs, a `--keep DIR` that is a file, lies under one or cannot be
    written: found only at the first step that writes, it read as the demo patient failing to render."""
    existing = path
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if existing == path and not path.is_dir():
        raise ReportFileError(f"--keep {path} is a file; give a folder (it is made when missing)")
    if not existing.is_dir():
        raise ReportFileError(f"cannot write --keep {path}: {existing} is a file, not a folder; give another folder")
    _probe_folder(f"--keep {path}", existing)


def _probe_folder(option: str, folder: Path) -> None:
    """Write and remove a file in `folder`: a real probe catches permissions, ACLs and read-only
    mounts alike. ReportFileError naming `option` when it cannot be written."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".palsy-selftest-", suffix=".tmp"):
            pass
    except OSError as exc:
        raise ReportFileError(
            f"cannot write {option}: the folder {folder} cannot be written by this user ({exc.strerror or exc}); "
            "choose another folder"
        ) from exc


def write_report(path: Path, result: SelfTestResult) -> None:
    """The result as JSON in `path`: the old file or the whole new one, never half of one."""
    from models.atomic_files import replace_when_done

    with replace_when_done(path) as handle:
        handle.write(json.dumps(result.to_dict(), indent=2).encode("utf-8"))


def _log(line: str, ok: bool) -> None:
    """Log `line` where the bundle logs to a file (app/frozen_main.py), for IT to find later.

    With no handler configured (`palsy self-test` from source) logging's last-resort handler
    would print the line on stderr a second time, so then it is only printed (by `_say`).
    """
    import logging

    log = logging.getLogger("palsy.selftest")
    if log.hasHandlers():
        log.log(logging.INFO if ok else logging.ERROR, line)


def _say(line: str, ok: bool) -> None:
    """Log `line`, and print it on stdout when ok, else on stderr."""
    _log(line, ok)
    print(line, file=sys.stdout if ok else sys.stderr, flush=True)


def run_from_args(args: argparse.Namespace) -> int:
    """Run with parsed options, print the summary line, return the exit status.

    ReportFileError (one line, exit 2 in both callers) when `--json FILE` cannot be written:
    before the test when its folder is missing or read-only, after it when the write itself
    fails; then no "passed" line is printed, the error says the test passed but left no report.
    So too, before the test, for a `--keep DIR` that cannot be written.
    """
    report = Path(args.json) if args.json else None
    try:
        if report is not None:
            check_report_path(report)
        if args.keep:
            check_keep_folder(Path(args.keep))
    except ReportFileError as exc:  # the caller prints it (`palsy: error: ...`)
        _log(f"self-test: {exc}", ok=False)
        raise
    result = run_self_test(
        weights_folder=Path(args.weights_dir) if args.weights_dir else None,
        work=Path(args.keep) if args.keep else None,
        weights_file=Path(args.weights) if args.weights else None,
    )
    if report is not None:
        try:
            write_report(report, result)
        except OSError as exc:
            problem = f"cannot write --json {report}: {exc.strerror or exc}"
            if result.ok:
                problem += "; the self-test passed but left no report"
                _log(result.summary(), ok=True)
                _log(f"self-test: {problem}", ok=False)
                raise ReportFileError(problem) from exc
            _say(result.summary(), ok=False)
            _say(f"PalsyGrader self-test: {problem}", ok=False)
            return 1
    _say(result.summary(), result.ok)
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """`PalsyGrader --self-test [options]`."""
    parser = build_parser()
    try:
        return run_from_args(parser.parse_args(argv))
    except ReportFileError as exc:  # already logged
        print(f"{parser.prog}: error: {exc}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
