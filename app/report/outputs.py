"""Write an Assessment to a folder (DESIGN §8): OUT/overlays/*.png, OUT/report.pdf and
OUT/assessment.json. Headless; the CLI and the GUI's export both call `write_outputs`.

Everything is first written into a hidden staging folder inside OUT, then moved in:
the old result files are moved aside first (all or none: a report.pdf open in a PDF reader
on Windows stops the run with "close it and run again", the old results untouched), the
overlays and the PDF follow, the new assessment.json comes last; the old files are deleted
only after that. So a crash, a kill or a full disk never leaves a cut-off file under a final
name, and when OUT holds an assessment.json, the files beside it are of that same run. Only the files this module writes are replaced: a file of the user's in
OUT/overlays/ (any name but the overlays' own, `OVERLAY_NAME`) is kept. Nothing is written,
replaced or removed outside OUT: an OUT/overlays that is a link (to another folder, say) is
refused (`check_no_links`), and a link among the files is replaced as a link, never followed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

import app
from app.records.errors import StorageError
from app.records.paths import DB_NAME, default_data_dir, is_inside
from app.records.recovery import host_tag, left_by_a_dead_writer, left_in_a_shared_folder
from app.report.pdf import ReportContext, write_report
from models.atomic_files import replace_file, replace_when_done
from models.errors import InputError
from models.labels import EXPRESSIONS
from models.pipeline.assess import Assessment
from models.pipeline.overlays import (
    REPORT_ATTENTION,
    attention_overlay,
    save_png,
    segmentation_overlay,
)


def attention_title(name: str) -> str:
    """The title written on an attention overlay, for people: 'spatial_5' -> 'Spatial attention
    5x5', 'channel' -> 'Channel attention' (the GUI's names; 'x' for '\u00d7', which OpenCV's
    font cannot draw). The report printed the code name 'spatial_5'."""
    if name.startswith("spatial_"):
        k = name.split("_", 1)[1]
        return f"Spatial attention {k}x{k}"
    words = name.replace("_", " ").strip().capitalize() or "Attention"
    return words if "attention" in words.lower() else f"{words} attention"


DISPLAY_SIZE = 256  # overlays are at least this many pixels square


@dataclass
class OutputPaths:
    """Where write_outputs put things."""

    folder: Path
    assessment_json: Path
    report_pdf: Path
    overlays: dict[str, dict[str, str]]  # expression -> kind -> path relative to folder


def _for_display(photo: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Networks with small inputs (128 px) give small crops: enlarge to DISPLAY_SIZE for
    readable overlays and legends (mask by nearest neighbour, so classes stay exact)."""
    size = photo.shape[0]
    if size >= DISPLAY_SIZE:
        return photo, mask
    shape = (DISPLAY_SIZE, DISPLAY_SIZE)
    return (
        cv2.resize(photo, shape, interpolation=cv2.INTER_CUBIC),
        cv2.resize(mask, shape, interpolation=cv2.INTER_NEAREST),
    )


def write_overlays(expressions: Mapping[str, Any], folder: Path) -> dict[str, dict]:
    """Save the crop, segmentation overlay and every attention overlay of each expression
    (anything with `photo`, `mask` and `attention`: the pipeline's results, or the GUI's).

    Returns {expression: {"photo": rel, "segmentation": rel, "attention": {name: rel}}}.
    """
    out: dict[str, dict] = {}
    for name, r in expressions.items():
        photo, mask = _for_display(r.photo, r.mask)
        entry: dict = {
            "photo": save_png(photo, folder / "overlays" / f"{name}_photo.png"),
            "segmentation": save_png(segmentation_overlay(photo, mask), folder / "overlays" / f"{name}_segmentation.png"),
            "attention": {
                map_name: save_png(attention_overlay(photo, heat, attention_title(map_name)), folder / "overlays" / f"{name}_attention_{map_name}.png")
                for map_name, heat in r.attention.items()
            },
        }
        out[name] = {
            "photo": entry["photo"].relative_to(folder).as_posix(),
            "segmentation": entry["segmentation"].relative_to(folder).as_posix(),
            "attention": {k: v.relative_to(folder).as_posix() for k, v in entry["attention"].items()},
        }
    return out


def report_images(overlays: dict[str, dict], folder: Path) -> dict[str, dict[str, Path | None]]:
    """What the PDF shows per expression, from `write_overlays`' answer: the crop, the
    segmentation overlay and the REPORT_ATTENTION map (or the first one there is)."""
    images = {}
    for name, paths in overlays.items():
        attention = paths["attention"].get(REPORT_ATTENTION) or next(iter(paths["attention"].values()), None)
        images[name] = {
            "photo": folder / paths["photo"],
            "segmentation": folder / paths["segmentation"],
            "attention": folder / attention if attention else None,
        }
    return images


STAGING_PREFIX = ".palsy-partial-"


@contextlib.contextmanager
def private_stage(parent: Path, mode: int = 0o700) -> Iterator[Path]:
    """A fresh staging folder `.palsy-partial-PID-XXXX-HOST` in `parent` (made with `mode`, less
    the umask), removed when the block ends, however it ends; the ones killed runs left in
    `parent` are removed first (`remove_stale_staging`). Owner-only by default: a run killed
    before its results moved in left the face overlays and the assessment there, readable by
    every account (0755/0644 under umask 022), until the next run into the same folder."""
    remove_stale_staging(parent)
    stage = parent / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{host_tag()}"
    stage.mkdir(mode=mode)
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_outputs(assessment: Assessment, folder: str | os.PathLike, context: ReportContext | None = None) -> OutputPaths:
    """Overlays, then the PDF, then assessment.json (whose timing_ms includes both), staged
    and then moved into `folder` (module docstring). Errors leave no staging folder behind."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    check_no_links(folder)
    with private_stage(folder) as stage:
        paths = _write_into(assessment, stage, context)
        _move_in(stage, folder)
    return OutputPaths(folder, folder / paths.assessment_json.name, folder / paths.report_pdf.name, paths.overlays)


def check_writable(folder: str | os.PathLike) -> Path:
    """Create `folder` and make sure a file can be written there (before minutes of work);
    OSError otherwise, InputError for a folder inside a data folder (`refuse_data_folder`).
    Leaves nothing behind but the folder."""
    folder = Path(folder)
    refuse_data_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    check_no_links(folder)
    probe = folder / f"{STAGING_PREFIX}probe-{os.getpid()}-{secrets.token_hex(4)}"
    probe.write_bytes(b"")
    probe.unlink()
    return folder


def refuse_data_folder(folder: str | os.PathLike) -> None:
    """InputError (one line, exit 2) when the results folder `folder` is inside a data folder:
    anywhere in the one the window opens (Settings, else PALSY_HOME, else the platform's), and,
    for any other folder above `folder` holding a records database, in it or under its photos/
    or reports/. There the results would lie among the records as files no row names: `palsy
    records check` reports them and the next start moves them to recovered/, as a crash's. A
    folder of its own beside such a database (a backup on a USB stick: `/stick/results`) is not
    walked by either, and a backup cannot be told from a data folder that is not in use, so it
    is allowed, as a records export there is. A backup and a records export are refused inside
    their own data folder the same way."""
    place = Path(folder).expanduser().resolve()
    for data, walked in _data_folders_above(place):
        if is_inside(walked, place):
            raise InputError(f"{place} is inside the data folder {data}; give a folder outside it")


def _data_folders_above(place: Path) -> list[tuple[Path, Path]]:
    """Where results may not go, as (data folder, the place in it): the data folders the window
    could open (when they can be named), whole, and, for each folder from `place` up that holds
    a records database, the places of it that the records walk (the folder itself when `place`
    is it, its photos/ and reports/)."""
    found = [(above, above) if above == place else (above, above / part)
             for above in (place, *place.parents) if (above / DB_NAME).is_file()
             for part in ("photos", "reports")]
    return found + [(data, data) for data in _open_data_folders()]


def _open_data_folders() -> list[Path]:
    """The default data folder (PALSY_HOME, else the platform's) and the one Settings names."""
    folders = []
    try:
        folders.append(default_data_dir().resolve())
    except (StorageError, OSError, RuntimeError):  # a relative PALSY_HOME, no home folder: said elsewhere
        pass
    try:
        from app.data_folder_choice import choose_data_folder

        folders.append(choose_data_folder(None).folder.expanduser().resolve())
    except Exception:  # noqa: BLE001 - settings that cannot be read: the window says so, not this check
        pass
    return folders


def check_no_links(folder: Path) -> None:
    """Refuse (InputError, one line) an output folder whose overlays/ is a link or not a folder:
    the overlays moved in, and the earlier ones removed, would land wherever it points."""
    overlays = folder / "overlays"
    if overlays.is_symlink():
        raise InputError(f"{overlays} is a link to {os.readlink(overlays)}; the results are written only inside "
                         f"{folder}: remove the link or choose another output folder")
    if overlays.exists() and not overlays.is_dir():
        raise InputError(f"{overlays} is not a folder; move it away or choose another output folder")


def remove_stale_staging(folder: Path) -> None:
    """Remove the `STAGING_PREFIX` folders in `folder` that a killed run left: one of this
    computer (its name ends in `host_tag`) as soon as the PID its name holds is gone, so a rerun
    leaves no hidden copy of the previous report beside the new one; any other (another
    computer writing to a shared folder, whose PID means nothing here, or a name without the
    tag) by the records' rule for shared destinations, `left_in_a_shared_folder` (an hour)."""
    now = time.time()
    for old in folder.glob(STAGING_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if not old.is_dir() or old.is_symlink():
                continue
            age = now - old.stat().st_mtime
            pid = _staging_pid(old.name)
            mine = pid is not None and old.name.endswith(f"-{host_tag()}")
            if left_by_a_dead_writer(pid, age) if mine else left_in_a_shared_folder(pid, age):
                shutil.rmtree(old, ignore_errors=True)


def _staging_pid(name: str) -> int | None:
    """The PID in a staging folder's name (`STAGING_PREFIX` PID-HEX), None when it has none."""
    pid = name[len(STAGING_PREFIX):].partition("-")[0]
    return int(pid) if pid.isdigit() and int(pid) > 0 else None


def _overlay_name_pattern() -> re.Pattern[str]:
    expressions = "|".join(map(re.escape, EXPRESSIONS))
    return re.compile(rf"(?:{expressions})_(?:photo|segmentation|attention_[A-Za-z0-9_]+)\.png")


# The names `write_overlays` gives its PNGs (`rest_photo.png`, `rest_attention_spatial_5.png`):
# in an existing OUT/overlays/ only these are replaced or removed, any other file is the user's.
OVERLAY_NAME = _overlay_name_pattern()


def _move_in(stage: Path, folder: Path) -> None:
    """Replace the previous outputs. First every old file this run replaces or removes (its
    assessment.json, report.pdf, and the overlays an earlier run wrote, OVERLAY_NAME) is moved
    aside into the staging folder, assessment.json first: all of them, or none (a file another
    program holds open, report.pdf in a PDF reader on Windows, puts back the ones moved and
    stops the run with InputError, the old results whole). Then this run's overlays, the PDF,
    and the new assessment.json last. An error while moving in puts the old files back; the
    ones moved aside are deleted only with the staging folder, after all went in. A run killed
    midway leaves no old report beside this run's overlays (the old files wait, hidden, in the
    staging folder until `remove_stale_staging`).

    An existing overlays/ folder is kept: this run's overlays are moved in file by file, and
    any other file there (the user's notes, say) is left alone."""
    check_no_links(folder)  # again: it may have become a link while the network ran
    overlays, fresh = folder / "overlays", stage / "overlays"
    old = [folder / "assessment.json", folder / "report.pdf"]
    if overlays.is_dir():
        old += sorted(p for p in overlays.iterdir() if OVERLAY_NAME.fullmatch(p.name) and (p.is_file() or p.is_symlink()))
    previous = stage / "previous"
    (previous / "overlays").mkdir(parents=True)
    aside = _move_aside([p for p in old if p.is_file() or p.is_symlink()], folder, previous)
    moves = [(path, overlays / path.name) for path in sorted(fresh.iterdir())] if overlays.is_dir() else [(fresh, overlays)]
    moves += [(stage / "report.pdf", folder / "report.pdf"), (stage / "assessment.json", folder / "assessment.json")]
    done: list[tuple[Path, Path]] = []
    try:
        for source, target in moves:
            replace_file(source, target)
            done.append((source, target))
    except OSError:  # not a kill: leave the folder as it was
        _put_back(aside + [(target, source) for source, target in done])
        raise


def _move_aside(paths: list[Path], folder: Path, previous: Path) -> list[tuple[Path, Path]]:
    """Move `paths` (inside `folder`) to the same names under `previous`; (parked, original) of
    each. All or none: on an error the ones moved go back, and a file another program holds
    open (PermissionError: Windows refuses to rename it) is InputError naming it."""
    aside: list[tuple[Path, Path]] = []
    for path in paths:
        parked = previous / path.relative_to(folder)
        try:
            replace_file(path, parked)
        except OSError as exc:
            _put_back(aside)
            if isinstance(exc, PermissionError):
                why = ("is open in another program; close it and run again" if _on_windows() else  # a reader's lock
                       "cannot be replaced: check its permissions (or an immutable flag) and run again")
                raise InputError(f"{path.name} {why} ({path}; the previous results are kept)") from exc
            raise
        aside.append((parked, path))
    return aside


def _on_windows() -> bool:
    return os.name == "nt"


def _put_back(moves: list[tuple[Path, Path]]) -> None:
    """Undo renames, last first: each (where it is now, where it was)."""
    for now, was in reversed(moves):
        with contextlib.suppress(OSError):
            replace_file(now, was)


def _write_into(assessment: Assessment, folder: Path, context: ReportContext | None) -> OutputPaths:
    (folder / "overlays").mkdir()
    t0 = time.perf_counter()
    overlays = write_overlays(assessment.expressions, folder)
    assessment.timings_ms["overlays"] = 1000.0 * (time.perf_counter() - t0)

    t0 = time.perf_counter()
    body = assessment.to_dict(overlays)
    body["app_version"] = app.version_text()  # the release that analysed it: the report names it when another prints it
    report = write_report(folder / "report.pdf", body, context, report_images(overlays, folder))
    assessment.timings_ms["pdf"] = 1000.0 * (time.perf_counter() - t0)

    # "total" is the assess() call; "end_to_end" adds the overlays and the report.
    assessment.timings_ms["end_to_end"] = sum(assessment.timings_ms.get(k, 0.0) for k in ("total", "overlays", "pdf"))
    body["timing_ms"] = {k: round(v, 1) for k, v in assessment.timings_ms.items()}
    json_path = folder / "assessment.json"
    # Created with the umask like the PNGs and the PDF beside it (the records store's writer makes 0600 files).
    with replace_when_done(json_path, fsync=True) as handle:
        handle.write((json.dumps(body, indent=2) + "\n").encode("utf-8"))
    return OutputPaths(folder, json_path, report, overlays)
