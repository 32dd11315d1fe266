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
from models.checkpoint import load_checkpoint, model_from_payload, read_checkpoint

CheckpointSource = str | os.PathLike


class CheckpointFile(os.PathLike):
    """A checkpoint at `path`, read and validated on construction (CheckpointError as
    `read_checkpoint` raises it)."""

    def __init__(self, path: CheckpointSource) -> None:
        self.path = Path(path)
        self._payload: dict[str, Any] | None = read_checkpoint(self.path)

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


def payload_of(source: CheckpointSource) -> dict[str, Any]:
    """The validated payload of a checkpoint: taken from a `CheckpointFile`, else read."""
    return source.take() if isinstance(source, CheckpointFile) else read_checkpoint(source)


def model_of(source: CheckpointSource) -> CascadeNet:
    """The network a checkpoint holds (eval mode), as `load_checkpoint` builds it; a
    `CheckpointFile` gives its payload instead of being read again."""
    if isinstance(source, CheckpointFile):
        return model_from_payload(source.take(), source.path.name)
    return load_checkpoint(source)[0]
