"""Files that are either the old version or the new one, never half of one (no Qt, no app).

`replace_when_done(path)` hands out a temporary file beside `path`; when the block ends
without an error it takes `path`'s place with one `os.replace`, otherwise it is removed.
Checkpoints, PNGs, a recipe's state.json and a synthetic set's labels.csv are written
through it. (The patient records have their own `app.records.files.atomic_write`, which
also verifies the bytes and fsyncs the folder.)
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def replace_when_done(path: str | os.PathLike, *, fsync: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write `path`'s new content into (created with the process's umask,
    as `open` would); `fsync` flushes it to the disk before it replaces `path`."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(temp, "xb") as handle:
            yield handle
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
