"""Every connection the records store opens runs with `PRAGMA foreign_keys = ON` (a row naming a
missing patient or assessment is refused, not stored), and every one that writes with
`PRAGMA synchronous = FULL` (a capture shown as saved survives a power cut, not only a crash):
the GUI thread's, a saver (worker) thread's, and the read-only one of `palsy records check`."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from app.gateway_store import open_gateway
from app.records import Store

FULL, ON = 2, 1


def _pragmas(conn: sqlite3.Connection) -> tuple[int, int]:
    """(synchronous, foreign_keys) of `conn`."""
    return tuple(conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("synchronous", "foreign_keys"))


def test_the_gui_and_its_saver_thread_write_with_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    gateway = open_gateway(tmp_path / "data")
    try:
        assert _pragmas(gateway.store.db.connection()) == (FULL, ON)
        seen: list[tuple[int, int]] = []

        def save() -> None:  # as a worker saving photos does: its own connection, released at the end
            try:
                seen.append(_pragmas(gateway.store.db.connection()))
            finally:
                gateway.release_thread()

        worker = threading.Thread(target=save)
        worker.start()
        worker.join(timeout=30)
        assert not worker.is_alive() and seen == [(FULL, ON)]
    finally:
        gateway.close()


def test_the_read_only_connection_checks_foreign_keys(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("MRN-1")
    with Store.open_existing(tmp_path / "data") as store:
        assert store.db.read_only
        assert _pragmas(store.db.connection())[1] == ON
