"""Application settings as typed dataclasses with declared ranges (no Qt).

Persistence lives in `app/settings_store.py` (QSettings); this module only knows values,
their ranges and how to validate them, so it is tested without Qt. Unknown keys are never
silently kept: `from_flat` rejects them, and `from_flat_lenient` (reading the settings file)
drops them one by one and names each, keeping every other valid setting.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from models.errors import InputError

SOURCE_KINDS: tuple[str, ...] = ("demo", "camera", "video", "folder")
LIVE_SOURCES: tuple[str, ...] = ("demo", "camera")  # a person in front of a (simulated) camera
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")
DEMO_SIDES: tuple[str, ...] = ("left", "right", "none")


class SettingsError(InputError):
    """A settings value is out of range, of the wrong type, or an unknown key."""


@dataclass(frozen=True)
class Range:
    """Inclusive numeric range declared for an int/float setting."""

    low: float
    high: float


def _ranged(default: Any, low: float, high: float) -> Any:
    return field(default=default, metadata={"range": Range(low, high)})


def _choice(default: str, choices: tuple[str, ...]) -> Any:
    return field(default=default, metadata={"choices": choices})


def _path(expanded: bool = False) -> Any:
    """A path setting: empty or a full path (`~` counted as the home folder where `expanded`).
    Read from the file, a relative one is refused (`_path_problem`)."""
    return field(default="", metadata={"path": "expanded" if expanded else "as is"})


@dataclass(frozen=True)
class CameraSettings:
    """Where frames come from."""

    source: str = _choice("demo", SOURCE_KINDS)
    index: int = _ranged(0, 0, 16)
    width: int = _ranged(1280, 160, 4096)
    height: int = _ranged(720, 120, 4096)
    fps: int = _ranged(30, 1, 120)
    video_path: str = _path()
    folder_path: str = _path()
    mirror_preview: bool = True
    auto_capture: bool = False
    demo_grade: int = _ranged(3, 1, 6)
    demo_side: str = _choice("left", DEMO_SIDES)
    demo_seed: int = _ranged(3, 0, 1_000_000)

    @property
    def preview_mirrored(self) -> bool:
        """Whether the preview shows a mirror image: only of a live camera, where it helps the
        patient and therapist line up; a stored photo or video is shown as it is, so a raised
        brow stays on the side it is in the file and on the results page."""
        return self.mirror_preview and self.source in LIVE_SOURCES


@dataclass(frozen=True)
class ModelSettings:
    """Which weights to load and where to run them."""

    weights_path: str = _path()  # empty = the shipped demo weights
    device: str = _choice("auto", DEVICES)
    # Parse and grade each photo and its mirror and average (docs/assess.md): a steadier
    # measured grade, and a network grade that does not depend on which way the photo faces,
    # for a second E1 and E2 pass per photo. Off = one pass of each.
    mirror_parsing: bool = True


@dataclass(frozen=True)
class ClinicSettings:
    """What goes on reports and where records live."""

    clinic_name: str = ""
    logo_path: str = _path()
    clinician: str = ""
    data_folder: str = _path(expanded=True)  # empty = platform default (or PALSY_HOME)


@dataclass(frozen=True)
class Settings:
    """All settings; each group is persisted under its own QSettings prefix."""

    camera: CameraSettings = field(default_factory=CameraSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    clinic: ClinicSettings = field(default_factory=ClinicSettings)

    def to_flat(self) -> dict[str, Any]:
        """{'group/key': value} for persistence."""
        flat: dict[str, Any] = {}
        for group in fields(self):
            for key, value in asdict(getattr(self, group.name)).items():
                flat[f"{group.name}/{key}"] = value
        return flat

    @classmethod
    def from_flat(cls, flat: dict[str, Any]) -> Settings:
        """Inverse of `to_flat`; values are coerced to the declared types and validated.

        Missing keys take their defaults; unknown keys raise SettingsError.
        """
        groups: dict[str, dict[str, Any]] = {g.name: {} for g in fields(cls)}
        for name, value in flat.items():
            group, _, key = name.partition("/")
            if group not in groups or not key:
                raise SettingsError(f"unknown setting {name!r}; remove the key from the settings file")
            groups[group][key] = value
        defaults = cls()
        built = {name: update_group(getattr(defaults, name), values) for name, values in groups.items()}
        return cls(**built)

    @classmethod
    def from_flat_lenient(cls, flat: dict[str, Any]) -> tuple[Settings, list[str]]:
        """Like `from_flat`, but one bad key costs only itself: an unknown key is ignored and a
        known key with a bad value takes its default. Returns the settings and one problem line
        for each key not used ([] when the file was clean), so that a stale key left by another
        version, or a typo, never discards the data folder with it."""
        groups: dict[str, dict[str, Any]] = {g.name: {} for g in fields(cls)}
        unknown: list[str] = []
        for name, value in flat.items():
            group, _, key = name.partition("/")
            if group in groups and key:
                groups[group][key] = value
            else:
                unknown.append(name)
        defaults = cls()
        built, problems = {}, []
        for name, values in groups.items():
            group = getattr(defaults, name)
            built[name], group_unknown, lines = _update_group_lenient(group, values)
            unknown += [f"{name}/{key}" for key in group_unknown]
            problems += [f"{name}/{line}" for line in lines]
        if unknown:
            names = sorted(shown_text(n, 40) for n in unknown)
            more = f" and {len(names) - 5} more" if len(names) > 5 else ""
            problems.insert(0, f"unknown setting(s) {', '.join(names[:5])}{more} ignored")
        return cls(**built), problems


def shown_text(value: Any, limit: int = 60) -> str:
    """`value` for a problem line: printable characters only (control characters, raw bytes read
    from a damaged file and other unprintables escaped as \\xNN / \\uNNNN), at most `limit` of
    them; the settings file may hold anything."""
    text = value if isinstance(value, str) else repr(value)
    escaped = "".join(c if c.isprintable() and c != "\ufffd" else ascii(c)[1:-1] for c in text)
    return escaped if len(escaped) <= limit else escaped[: limit - 3] + "..."


def _coerce(kind: type, value: Any, name: str) -> Any:
    try:
        if kind is bool:
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered in ("true", "1", "yes"):
                    return True
                if lowered in ("false", "0", "no", ""):
                    return False
                raise ValueError(value)
            return bool(value)
        if kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if kind is float:
            return float(value)
        return _text(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name!r} must be {kind.__name__}, got {value!r}") from None


def _text(value: Any) -> str:
    """`value` as a text setting. QSettings reads an unquoted comma in a hand-written file as a
    list (`clinician=Smith, John`): its items are joined back as written. Anything else that is
    not text (bytes, a blob, nothing) is refused: its `str()` ("b'Mercy'", "None") went onto
    the reports."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value)
    if not isinstance(value, str):
        raise TypeError(value)
    return value


_LOST_BACKSLASH = re.compile(r"^[A-Za-z]:[^\\/]")  # C:\Palsy\w.pt read as C:alsy.pt


def _text_problem(f: Any, value: str) -> str | None:
    """Why a text value read from the file is not used, or None. Only the app's own writes are
    sure to be read back as written: a hand-edited or copied file may be in another encoding,
    or hold a path from before the dialog refused relative ones."""
    if "\ufffd" in value:
        return f"'{shown_text(value)}' holds characters that are not UTF-8 (the settings file is not UTF-8; save it as UTF-8)"
    return _path_problem(f.metadata.get("path"), value)


def _path_problem(rule: str | None, value: str) -> str | None:
    """Why a path read from the file cannot be used, or None. A relative path was looked up
    from the folder the app was started in, which a desktop launcher, a terminal and the
    bundle each set differently: the records split by launch folder."""
    if rule is None or not value:
        return None
    if _LOST_BACKSLASH.match(value):
        return (f"'{shown_text(value)}' is a Windows path that lost its backslashes (write each \\ as \\\\ "
                "in the settings file, or choose it again in Settings)")
    path = Path(value).expanduser() if rule == "expanded" else Path(value)
    if not path.is_absolute():
        return f"'{shown_text(value)}' is not a full path; choose it again in Settings"
    return None


def validate_group(group: Any) -> None:
    """Raise SettingsError when a value lies outside its declared range or choices (the
    rule `_outside` states for the lenient reading too)."""
    for f in fields(group):
        why = _outside(f, getattr(group, f.name))
        if why is not None:
            raise SettingsError(f"setting {f.name!r}: {why}; choose another value")


def check_logo(path: str) -> None:
    """SettingsError unless `path` is empty or an image file the report can show."""
    if not path:
        return
    from models.pipeline.images import (  # the reader the report's check uses too
        ImageTooLargeError,
        load_image,
    )

    if not _looked_up(Path(path), "the logo").is_file():
        raise SettingsError(f"logo file not found: {path}; connect the drive it is on, choose it with Browse…, "
                            "or clear the field")
    try:
        load_image(path, label=f"the logo {path}", purpose="using it as the logo")
    except ImageTooLargeError as error:  # a good image, too large: it said "not an image"
        raise SettingsError(f"{error}, or choose a smaller logo") from None
    except InputError:
        raise SettingsError(f"the logo {path} is not an image Palsy Grader can read; choose a PNG or JPEG file") from None
    except Exception as error:  # the dialog shows SettingsError only: anything else left Save doing nothing
        raise SettingsError(f"the logo {path} cannot be read ({error}); choose a PNG or JPEG file") from None


def check_weights(path: str) -> None:
    """SettingsError unless `path` is empty (the shipped demo weights) or a full path the system
    can look up. A relative path was looked up from the folder the app was started in, which a
    desktop launcher, a terminal and the bundle each set differently. A missing file is not
    refused: the model's banner says so, and the file may be on a drive not connected now."""
    if not path:
        return
    weights = Path(path)  # not expanded: the model loader takes "~/w.pt" as a relative path too
    if not weights.is_absolute():
        raise SettingsError(f"the weights file {path} is not a full path; choose the file with Browse\u2026")
    _looked_up(weights, "the weights file")


def _looked_up(path: Path, what: str) -> Path:
    """`path`, once the system can look it up. For a name longer than the file system allows
    (255 bytes), Path.exists() and is_file() raise rather than answer False: uncaught, that
    left Save doing nothing, or saved weights that then kept Settings from opening."""
    try:
        path.exists()
    except OSError as exc:
        raise SettingsError(f"{what} {shown_text(str(path), 80)} cannot be used ({exc.strerror or exc}); "
                            "choose it with Browse\u2026") from None
    return path


def resolve_data_folder(configured: str) -> Path:
    """The data folder the GUI opens: the one chosen in Settings, else PALSY_HOME, else the
    platform's application-data folder."""
    if configured:
        return Path(configured).expanduser()
    from app.records.paths import default_data_dir  # lazily: settings stay importable alone

    return default_data_dir()


def check_data_folder(path: str) -> None:
    """SettingsError unless `path` is empty (the default folder), an existing folder, or a
    folder that can be made there: a full path whose parent folder exists (a path on a drive
    that is not connected is refused, never created as a new empty data folder)."""
    if not path:
        return
    folder = Path(path).expanduser()
    if not folder.is_absolute():
        raise SettingsError(f"the data folder {path} is not a full path; choose the folder with Browse\u2026")
    if _looked_up(folder, "the data folder").exists():
        if not folder.is_dir():
            raise SettingsError(f"the data folder {path} is a file, not a folder; choose a folder")
        return
    if not folder.parent.is_dir():
        raise SettingsError(
            f"the data folder {path} cannot be made: the folder above it, {folder.parent}, does not exist "
            "(is a drive not connected?); choose an existing folder"
        )


_TYPES = {"int": int, "float": float, "bool": bool, "str": str}


def _kind(f: Any) -> type:
    declared = f.type
    return _TYPES.get(declared if isinstance(declared, str) else declared.__name__, str)


def update_group(group: Any, values: dict[str, Any]) -> Any:
    """A copy of a settings group with `values` applied, coerced and validated."""
    known = {f.name: f for f in fields(group)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise SettingsError(f"unknown setting(s) {', '.join(unknown)} in {type(group).__name__}")
    coerced = {key: _coerce(_kind(known[key]), value, key) for key, value in values.items()}
    updated = replace(group, **coerced)
    validate_group(updated)
    return updated


_KIND_WORDS = {int: "a whole number", float: "a number", bool: "true or false"}


def _outside(f: Any, value: Any) -> str | None:
    """Why `value` lies outside the declared range or choices of field `f`, or None."""
    declared = f.metadata.get("range")
    if declared is not None and not declared.low <= value <= declared.high:
        return f"{value} is outside {declared.low:g}..{declared.high:g}"
    choices = f.metadata.get("choices")
    if choices is not None and value not in choices:
        return f"'{shown_text(value)}' is not one of {', '.join(choices)}"
    return None


def _update_group_lenient(group: Any, values: dict[str, Any]) -> tuple[Any, list[str], list[str]]:
    """`group` with each valid value of `values` applied; also the unknown keys, and one line
    ("key: why") for each known key whose value was refused (it keeps the group's value) or
    was read as a list and joined back (used, but the file should quote it)."""
    known = {f.name: f for f in fields(group)}
    unknown = sorted(set(values) - set(known))
    lines: list[str] = []
    applied: dict[str, Any] = {}
    for key in sorted(set(values) & set(known)):
        kind, raw = _kind(known[key]), values[key]
        try:
            value = _coerce(kind, raw, key)
        except SettingsError:
            lines.append(f"{key}: '{shown_text(raw)}' is not {_KIND_WORDS.get(kind, 'text')}; "
                         f"the default {getattr(group, key)!r} is used")
            continue
        reason = _outside(known[key], value) or (_text_problem(known[key], value) if kind is str else None)
        if reason is None and isinstance(raw, list) and known[key].metadata.get("path"):
            # Qt drops the spaces around the comma: 'Clinic,North' came back 'Clinic, North', a
            # folder the start then offered to make beside the real one
            reason = (f"'{shown_text(value)}' was read as a list, and the path's own spelling cannot be told "
                      "(write paths with commas in quotes)")
        if reason:
            lines.append(f"{key}: {reason}; the default {getattr(group, key)!r} is used")
            continue
        applied[key] = value
        if isinstance(raw, list):
            lines.append(f"{key}: '{shown_text(value)}' was read as a list (write values with commas in quotes)")
    return replace(group, **applied), unknown, lines


def declared_range(group: type | Any, name: str) -> Range | None:
    """The declared range of a numeric setting (for spin boxes), or None."""
    for f in fields(group):
        if f.name == name:
            return f.metadata.get("range")
    raise KeyError(name)
