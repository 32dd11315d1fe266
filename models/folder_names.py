"""Which names can name a folder on every platform (a data set or an export is copied
between Windows, macOS and Linux). No dependencies: the record store uses it too."""

from __future__ import annotations

# What Windows refuses in a file name (any platform: a data set is copied between them). A ':'
# makes "D:" or "C:.." drive-relative, so `ROOT / "C:.."` is ROOT's parent on Windows.
WINDOWS_FORBIDDEN = frozenset('<>:"/\\|?*') | frozenset(chr(i) for i in range(32))
# DOS device names, with any extension ("nul.txt", "CON .png"): Windows opens the device.
WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
                            | {f"{port}{n}" for port in ("COM", "LPT") for n in "123456789\u00b9\u00b2\u00b3"})


def folder_name_problem(name: str) -> str | None:
    """Why `name` cannot name a folder directly inside another on every platform, or None:
    empty, `.` or `..`, a path separator, a character Windows forbids (<>:"|?* and control
    characters; a ':' makes "C:.." drive-relative), a trailing dot or space (Windows drops
    it: "P1." is folder P1), or a Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9,
    with any extension)."""
    if not name:
        return "it is empty"
    if name in (".", ".."):
        return f"{name!r} is not a folder inside the data set"
    bad = sorted({c for c in name if c in WINDOWS_FORBIDDEN})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        return f"it contains {shown} (no path separator, and none of < > : \" | ? * or control characters)"
    if name[-1] in ". ":
        return "it ends in a dot or space, which Windows drops from a folder name"
    if is_windows_device_name(name):
        return "it is a Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension)"
    return None


def is_windows_device_name(name: str) -> bool:
    """Whether Windows would open a device for `name` (CON, NUL, COM1.txt...)."""
    return name.partition(".")[0].rstrip(" ").upper() in WINDOWS_DEVICES
