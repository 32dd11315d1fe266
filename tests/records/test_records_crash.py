"""SIGKILL in the middle of capture sequences, many times: nothing recorded is ever lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.records import Store
from app.records.recovery import orphan_files, remove_orphans
from tests.records.records_helpers import temp_files, tiny_png

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("records_crash_child.py")
KILLS = 24
SAVES_BEFORE_KILL = 4  # the most saves a child is seen to make before its kill


def _run_and_kill(data: Path, seed: int, rng: random.Random) -> list[tuple[int, str, str]]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(data), str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, env=env, text=True,
    )
    try:
        ready = proc.stdout.readline().strip()
        assert ready == "ready", proc.stderr.read()
        # A random point in the sequence, counted in saves rather than seconds: on a loaded
        # machine a fixed sleep let some children die before their first save.
        seen = [proc.stdout.readline() for _ in range(rng.randint(1, SAVES_BEFORE_KILL))]
        assert all(line.startswith("saved ") for line in seen), (seen, proc.stderr.read())
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=20)
        out = "".join(seen) + out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, err  # it was still running: killed mid-work
    saved = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "saved":
            saved.append((int(parts[1]), parts[2], parts[3]))
    return saved


@pytest.mark.slow
def test_sigkill_mid_capture_never_loses_recorded_photos(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rng = random.Random(1234)
    acknowledged: dict[tuple[int, str], str] = {}
    total_saved = 0
    interrupted_writes = 0  # temp files of killed writers, removed by the next open
    for kill in range(KILLS):
        saved = _run_and_kill(data, seed=kill, rng=rng)
        total_saved += len(saved)
        with Store.open(data) as store:
            interrupted_writes += len(store.recovery.removed_temp_files)
            assert store.integrity_problems() == [], f"after kill {kill}"
            assert temp_files(data) == [], f"half-written files left after kill {kill}"
            assert store.verify_files() == [], f"after kill {kill}"
            # Every capture the child was told was saved is still recorded (or retaken later).
            for aid, expression, sha in saved:
                acknowledged[(aid, expression)] = sha
            for (aid, expression), _ in acknowledged.items():
                assert store.get_capture(aid, expression).sha256  # still there
            drafts = {d.assessment.id: d for d in store.unfinished_assessments()}
            rows = store.db.query("SELECT id, status FROM assessments")
            for row in rows:
                if row["status"] == "draft":
                    draft = drafts[row["id"]]  # offered for resumption...
                    recorded = {c.expression for c in store.captures(row["id"])}
                    assert {c.expression for c in draft.captures} == recorded  # ...with its photos
            if saved:
                last_aid = saved[-1][0]
                if store.get_assessment(last_aid).status == "draft":
                    assert last_aid in drafts
            # Every photo file on disk is either recorded or a complete orphan (never partial).
            recorded_files = {store.layout.resolve(c.file_name) for d in drafts.values() for c in d.captures}
            assert all(f.exists() for f in recorded_files)
    assert total_saved >= KILLS  # every kill landed inside a capture sequence, after a save
    assert len(acknowledged) > 10
    # Photos written but never recorded (killed between rename and commit) are complete files;
    # clearing them removes nothing that a row names.
    with Store.open(data) as store:
        orphans = orphan_files(store.layout, store.db.connection())
        removed = remove_orphans(store.layout, store.db.connection(), min_age_s=0)
        assert sorted(removed) == sorted(orphans)
        assert orphan_files(store.layout, store.db.connection()) == []
        assert store.verify_files() == []
    print(f"{KILLS} kills, {total_saved} acknowledged captures, {interrupted_writes} interrupted "
          f"writes cleaned, {len(orphans)} unrecorded photos")


def test_reopening_moves_old_unrecorded_photos_to_recovered_and_keeps_recorded_ones(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("MRN-9")
        aid = store.start_assessment("MRN-9").id
        store.save_capture(aid, "rest", tiny_png(3))
        recorded = store.layout.resolve(store.get_capture(aid, "rest").file_name)
        folder = recorded.parent
    # What a crash between the photo's rename and its row's commit leaves: complete files.
    old, young = folder / "open_mouth-crashed.png", folder / "close_eyes-in-progress.png"
    old.write_bytes(tiny_png(4))
    young.write_bytes(tiny_png(5))
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    with Store.open(data) as store:
        moved = store.recovery.recovered_orphans
        assert [src for src, _ in moved] == [old]
        target = moved[0][1]
        assert target == data / "recovered" / old.relative_to(data)
        assert target.read_bytes() == tiny_png(4) and not old.exists()
        assert young.exists()  # may belong to a capture still being recorded by another process
        assert recorded.exists() and store.verify_files() == []
    # A second crash leaving the same name again keeps both copies.
    old.write_bytes(tiny_png(6))
    os.utime(old, (hours_ago, hours_ago))
    with Store.open(data) as store:
        (_, second), = store.recovery.recovered_orphans
        assert second != target and second.read_bytes() == tiny_png(6) and target.read_bytes() == tiny_png(4)
