"""What the Settings dialog shows about a weights file, without importing torch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.settings import shown_text
from models.resources import (
    MAX_CHECKED_BYTES,
    default_weights_path,
    file_sha256,
    in_weights_dir,
    is_demo_name,
    is_demo_weights,
    listed_sha256,
    shipped_sha256,
)


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
            demo = "; demonstration weights, not for diagnosis" if self.is_demo else ""
            return (f"not checked: the file is {self.size / 2**30:.1f} GiB, larger than any Palsy Grader checkpoint "
                    f"({MAX_CHECKED_BYTES / 2**30:.0f} GiB at most here); loading it checks it{demo}")
        if self.sha256 is None:
            return f"unreadable: {self.path}"
        check = self._check()
        demo = "; demonstration weights, not for diagnosis" if self.is_demo else ""
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
