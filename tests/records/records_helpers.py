"""Helpers shared by the record store tests (a unique module name: no clash with other suites)."""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def tiny_png(seed: int, size: int = 8) -> bytes:
    """A small valid PNG whose pixels depend on `seed` (no Pillow needed)."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(size))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = size.to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def temp_files(root: Path) -> list[Path]:
    """Leftover temporary files anywhere under `root`."""
    return [Path(d) / f for d, _, files in os.walk(root) for f in files if ".partial-" in f]


def damage_table(db_path: Path, table: str, seed: int = 0) -> None:
    """Overwrite the root page of `table` in the SQLite file `db_path` with random bytes (the
    store closed), as a failing disk or a stray write would: the rest of the file stays sound."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
    finally:
        conn.close()
    with open(db_path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(np.random.default_rng(seed).integers(0, 256, page_size, dtype=np.uint8).tobytes())


def edit_manifest(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change an export's patient.json in place (as a hand or a tool on the USB stick would)."""
    from app.records.export_format import MANIFEST

    manifest = json.loads((folder / MANIFEST).read_text())
    change(manifest)
    (folder / MANIFEST).write_text(json.dumps(manifest))


def confirmed_assessment(store: Any, patient_id: str, name: str, grade: str, clinician: str, seed: int = 1) -> int:
    """A new patient's assessment with one photo, analysed as `grade` and confirmed by
    `clinician`; its number."""
    store.create_patient(patient_id, name=name)
    aid = store.start_assessment(patient_id).id
    store.save_capture(aid, "rest", tiny_png(seed))
    store.record_results(aid, {"grade": grade}, model_grade=grade)
    store.confirm_grade(aid, grade, clinician)
    return aid


def patient_ids(folder: Path) -> list[str]:
    """The patient IDs in `folder`'s palsy.db, read with plain sqlite3 (not through a Store)."""
    conn = sqlite3.connect(folder / "palsy.db")
    try:
        return sorted(r[0] for r in conn.execute("SELECT patient_id FROM patients"))
    finally:
        conn.close()


def edit_behind_the_app(data: Path, sql: str, *params: object) -> None:
    """One statement run on the data folder's palsy.db with sqlite3, behind the app's back (an
    edit outside Palsy Grader, the window may stay open)."""
    conn = sqlite3.connect(data / "palsy.db")
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()
