"""A checkpoint file read once for a check and the run that follows it.

`palsy train --resume` compares the options with what the checkpoint recorded and `--config`
with `--init` compares the network it holds, before any data is read; the run then starts
from the same file. `CheckpointFile` reads and validates it once (`read_checkpoint`, with
every refusal and message of that function) and hands the run that payload, so a large
checkpoint is not read twice, and the check and the run cannot see two versions of a file
replaced in between. It stands for its path wherever a path is wanted (`os.fspath`, `str`,
`Path(...)`), and lets go of the payload once the run has taken it, so the weights and the
optimizer state are not held twice while the run trains.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from models.cascade import CascadeNet
from models.checkpoint import load_checkpoint, model_from_payload, read_checkpoint, sha256_of
from models.errors import CheckpointError
from models.resources import weights_cautions

CheckpointSource = str | os.PathLike


class CheckpointFile(os.PathLike):
    """A checkpoint at `path`, read and validated on construction (CheckpointError as
    `read_checkpoint` raises it)."""

    def __init__(self, path: CheckpointSource) -> None:
        self.path = Path(path)
        before = _identity(self.path)
        self._payload: dict[str, Any] | None = read_checkpoint(self.path)
        # the digest the run records names the bytes it trains from: hashed at once, and the
        # file must not have changed meanwhile (a clinic's photo check can take minutes
        # before the run reads `sha256`; another run may save over the file then)
        self.sha256 = sha256_of(self.path)
        if _identity(self.path) != before:
            raise CheckpointError(f"{self.path.name} changed while it was being read; start again once nothing "
                                  "writes to it")

    def peek(self) -> dict[str, Any]:
        """The payload, kept for `take` (read again if it was taken already)."""
        if self._payload is None:
            self._payload = read_checkpoint(self.path)
        return self._payload

    def take(self) -> dict[str, Any]:
        """The payload, let go of here: the caller (the run) holds the only reference."""
        payload = self.peek()
        self._payload = None
        return payload

    def __fspath__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"CheckpointFile({str(self.path)!r})"


def _identity(path: Path) -> tuple[int, int, int] | None:
    """What tells a replaced or rewritten file (inode, size, modification time), or None."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def sha256_of_source(source: CheckpointSource) -> str:
    """The sha256 of a checkpoint: of the bytes a `CheckpointFile` read, else of the file now."""
    return source.sha256 if isinstance(source, CheckpointFile) else sha256_of(source)


def payload_of(source: CheckpointSource) -> dict[str, Any]:
    """The validated payload of a checkpoint: taken from a `CheckpointFile`, else read."""
    return source.take() if isinstance(source, CheckpointFile) else read_checkpoint(source)


def model_of(source: CheckpointSource) -> CascadeNet:
    """The network a checkpoint holds (eval mode), as `load_checkpoint` builds it; a
    `CheckpointFile` gives its payload instead of being read again."""
    if isinstance(source, CheckpointFile):
        return model_from_payload(source.take(), source.path.name)
    return load_checkpoint(source)[0]


def model_and_cautions_of(source: CheckpointSource) -> tuple[CascadeNet, list[str]]:
    """`model_of` and, from the same read, the cautions the checkpoint's dict carries
    (`models.resources.weights_cautions`: [] for weights that record none): weights trained
    from it keep them (`models.train.stages`)."""
    payload = payload_of(source)
    return model_from_payload(payload, Path(source).name), weights_cautions(payload)
