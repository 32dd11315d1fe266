"""The built-in demo patient: six expression photos rendered by the synthetic generator.

The patient folder is the demo's own: rendered afresh into a staging folder beside it and
renamed into place, marked by a file beside it (`demo_marker`: `patient/` gets
`.patient.palsy-demo`; inside, the folder holds the six photos only). An existing folder is replaced only when it
holds nothing but an earlier demo's files; a link, or a folder with anything else in it (a
real patient's photos, an extra frame), is refused, so the demo never overwrites, removes
or grades a file it did not write.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from models.atomic_files import replace_file, replace_when_done
from models.clutter import is_clutter
from models.errors import InputError
from models.labels import EXPRESSIONS, GRADES
from models.pipeline.images import write_png

DEMO_SIZE = 384  # rendered photo side in pixels
DEMO_FILES = frozenset(f"{e}.png" for e in EXPRESSIONS)
_STAGING = ".palsy-partial-demo-"


def render_demo_patient(folder: str | os.PathLike, grade: str = "III", side: str = "left", seed: int = 7) -> Path:
    """Render one synthetic patient's six expressions as `folder`/EXPRESSION.png; returns `folder`.

    Raises InputError when `folder` is a link, not a folder, or a folder that is not an
    earlier demo patient's (module docstring)."""
    from models.data.synthetic import make_patient, render_patient

    if grade not in GRADES:
        raise InputError(f"unknown grade {grade!r}; choose one of {', '.join(GRADES)}")
    folder = Path(folder)
    _check_replaceable(folder)
    patient = make_patient(seed, grade=grade, side="none" if grade == "I" else side)
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = folder.parent / f"{_STAGING}{os.getpid()}-{secrets.token_hex(4)}"
    stage.mkdir()
    old = None
    try:
        for expression, (rgb, _mask) in render_patient(patient, size=DEMO_SIZE, frame_seed=0).items():
            write_png(stage / f"{expression}.png", rgb)
        _check_replaceable(folder)  # again: the folder may have changed while rendering
        with replace_when_done(demo_marker(folder)) as handle:  # renamed over a link there, never through it
            handle.write(f"{folder.name}/ was rendered by Palsy Grader's demo; the next demo run replaces it\n".encode())
        if folder.exists():
            old = folder.parent / f"{_STAGING}old-{os.getpid()}-{secrets.token_hex(4)}"
            replace_file(folder, old)
        replace_file(stage, folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return folder


def demo_marker(folder: Path) -> Path:
    """The file beside a demo patient folder that says the demo wrote it."""
    return folder.parent / f".{folder.name}.palsy-demo"


def _check_replaceable(folder: Path) -> None:
    """InputError unless `folder` is missing or an earlier demo patient's folder."""
    if folder.is_symlink():
        raise InputError(f"{folder} is a link; the demo writes its patient only into a folder of its own: "
                         "remove the link or choose another --out folder")
    if not folder.exists():
        return
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; move it away or choose another --out folder")
    names = {p.name for p in folder.iterdir() if not is_clutter(p)}  # a Finder's .DS_Store is no one's photo
    foreign = sorted(names - DEMO_FILES)
    marker = demo_marker(folder)
    ours = marker.is_file() and not marker.is_symlink()
    if foreign or (names and not (ours or _earlier_release_demo(folder, names))):
        what = f"files the demo did not write ({', '.join(foreign[:3])})" if foreign else "photos the demo did not write"
        raise InputError(f"{folder} holds {what}; the demo replaces only its own patient folder: "
                         "choose another output folder")


def _earlier_release_demo(folder: Path, names: set[str]) -> bool:
    """An earlier release's demo patient (`make run` or `palsy self-test --keep` run again after
    an upgrade): the six photos without a marker, each the demo's DEMO_SIZE square PNG (read
    from the PNG header; a camera's photos are not), beside an assessment written from them
    (`assessment.json` beside the folder, or in `out/` for the self-test)."""
    if names != DEMO_FILES:
        return False
    parent = folder.parent
    if not ((parent / "assessment.json").is_file() or (parent / "out" / "assessment.json").is_file()):
        return False
    for name in names:
        try:
            with open(folder / name, "rb") as handle:
                header = handle.read(24)
        except OSError:
            return False
        square = DEMO_SIZE.to_bytes(4, "big") * 2
        if header[:8] != b"\x89PNG\r\n\x1a\n" or header[12:16] != b"IHDR" or header[16:24] != square:
            return False
    return True
