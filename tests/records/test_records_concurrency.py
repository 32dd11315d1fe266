"""Readers in other threads and in another process keep working while one writer records."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from app.records import Store
from app.records.files import sha256_bytes
from models.labels import EXPRESSIONS
from tests.records.records_helpers import tiny_png

REPO = Path(__file__).resolve().parents[2]


def open_connections(store: Store) -> int:
    """How many thread connections the store's database holds open."""
    with store.db._lock:
        return len(store.db._all)


READER_PROCESS = """
import sys, time
from app.records import Store
store = Store.open(sys.argv[1])
reads = 0
deadline = time.time() + float(sys.argv[2])
while time.time() < deadline:
    for draft in store.unfinished_assessments():
        for c in draft.captures:
            store.load_capture(c.assessment_id, c.expression)
            reads += 1
    store.search_patients("c")
print(reads)
"""


def test_concurrent_readers_while_one_writer_records(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    for i in range(3):
        store.create_patient(f"C{i}", name=f"Conc Person{i}")
    errors: list[BaseException] = []
    reads = [0]
    done = threading.Event()

    def writer() -> None:
        try:
            for round_ in range(4):
                for i in range(3):
                    aid = store.start_assessment(f"C{i}").id
                    for j, expression in enumerate(EXPRESSIONS):
                        store.save_capture(aid, expression, tiny_png(round_ * 100 + i * 10 + j))
                    store.save_capture(aid, "rest", tiny_png(9999 - aid))  # retakes race with readers
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            store.release_thread()
            done.set()

    def reader() -> None:
        try:
            while not done.is_set():
                for draft in store.unfinished_assessments():
                    for capture in draft.captures:
                        data = store.load_capture(capture.assessment_id, capture.expression)
                        current = store.get_capture(capture.assessment_id, capture.expression)
                        assert sha256_bytes(data) in (capture.sha256, current.sha256)
                        reads[0] += 1
                for i in range(3):
                    history = store.history(f"C{i}")
                    assert [a.id for a in history] == sorted(a.id for a in history)
                assert len(store.search_patients("conc")) == 3
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.release_thread()

    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen(
        [sys.executable, "-c", READER_PROCESS, str(store.root), "3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
    )
    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(3)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    out, err = process.communicate(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert open_connections(store) == 1  # workers released theirs; the main thread's remains
    assert errors == [], errors
    assert process.returncode == 0, err
    assert reads[0] > 0 and int(out.strip()) > 0
    assert time.perf_counter() - started < 60
    assert len(store.db.query("SELECT id FROM captures")) == 4 * 3 * 6
    assert store.verify_files() == [] and store.integrity_problems() == []
    store.close()
