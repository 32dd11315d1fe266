"""`palsy records check` benchmark: peak memory and time of the check on a large data folder.

Builds N patients (default 2,300) with K visits each (default 9: analysed, confirmed, some
confirmed again, a report for every 50th, a name corrected for every 20th patient: about
190,000 audit entries) and edits a few rows by hand, so the check has disagreements to
report. Then runs `palsy records check` and `--json` in child processes (their peak resident
memory is the check's alone) and prints their wall time, peak memory and the sha256 of what
each printed: the outputs of two versions of the check on one folder must be the same.
Peak memory is the children's `ru_maxrss` (Unix; `resource` has no Windows version).
`--photos K` gives each visit K tiny photos (the file checks' cost grows with them: audit17 p1
F3, F4), and `--backup` also times `palsy records backup` of the folder (its copy checked).
Each run counts its realpaths (`os.path.realpath`, what `Path.resolve` calls): a backup once
looked up each stored name's six times.

    python benchmarks/records_check.py --json
    python benchmarks/records_check.py --data /tmp/big --json   # built once, reused after
    python benchmarks/records_check.py --patients 3000 --visits 3 --photos 2 --backup --json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli import OneLineParser  # noqa: E402
from app.commands import arg_types  # noqa: E402
from app.records import Store  # noqa: E402
from benchmarks.ran_on import load_average, ran_on  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
GRADES = ["I", "II", "III", "IV", "V", "VI"]
# Run in the child: the check through the CLI, then its own peak memory and time on stderr.
_CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
from app.cli import main
realpaths, real = [0], os.path.realpath
def counted(*args, **kwargs):
    realpaths[0] += 1
    return real(*args, **kwargs)
os.path.realpath = counted
start = time.perf_counter()
code = main(sys.argv[2:])
wall = time.perf_counter() - start
sys.stdout.flush()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
print(json.dumps({"exit": code, "wall_s": round(wall, 3), "max_rss_mb": round(peak / 2**20, 1),
                  "realpaths": realpaths[0]}), file=sys.stderr)
"""
EXPRESSIONS = ("rest", "close_eyes", "raise_eyebrows", "open_mouth", "wrinkle_nose", "puff_cheeks")


def build(store: Store, patients: int, visits: int, rng: random.Random, photos: int = 0) -> None:
    """Fill the store (fsync skipped: the benchmark times the check, not the writing)."""
    real_fsync, os.fsync = os.fsync, lambda fd: None  # type: ignore[assignment]
    try:
        with store.transaction():
            for i in range(patients):
                _add_patient(store, f"MRN{i:07d}", i, visits, rng, photos)
    finally:
        os.fsync = real_fsync  # type: ignore[assignment]


def _add_patient(store: Store, pid: str, number: int, visits: int, rng: random.Random, photos: int) -> None:
    store.create_patient(pid, name=f"Patient {number}", birth_date="1970-01-01", affected_side="left")
    if number % 20 == 0:
        store.update_patient(pid, actor="bench", name=f"Patient {number} Corrected")
    for k in range(visits):
        aid = store.start_assessment(pid, created_at=f"20{10 + k:02d}-01-01T00:00:00.000+00:00").id
        for expression in EXPRESSIONS[:photos]:
            store.save_capture(aid, expression, tiny_png(rng.randrange(256)))
        grade = rng.choice(GRADES)
        store.record_results(aid, {"grade": grade}, model_grade=grade, measured_grade=rng.choice(GRADES))
        store.confirm_grade(aid, rng.choice(GRADES), "Dr Bench", notes="checked")
        if k % 3 == 0:
            store.confirm_grade(aid, rng.choice(GRADES), "Dr Second", notes="seen again")
        if number % 50 == 0 and k == 0:
            store.save_report(aid, b"%PDF-1.4 bench report " + pid.encode())


def tiny_png(shade: int) -> bytes:
    """An 8 x 8 grey PNG (the photo's content does not matter to the check)."""
    raw = (b"\x00" + bytes([shade]) * 24) * 8

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = (8).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def edit_by_hand(folder: Path) -> None:
    """Rows changed outside the store, as a database edited by hand: a grade, a clinician, a
    name and a visit moved to another patient, so the check reports each."""
    import sqlite3

    conn = sqlite3.connect(folder / "palsy.db")
    try:
        with conn:
            conn.execute("UPDATE assessments SET confirmed_grade = 'VI' WHERE id IN (7, 1000, 20000)")
            conn.execute("UPDATE assessments SET clinician = 'Nobody' WHERE id = 15000")
            conn.execute("UPDATE patients SET name = 'Edited' WHERE id IN (1, 2001)")
            conn.execute("UPDATE assessments SET patient_ref = 2 WHERE id = 100")
    finally:
        conn.close()


def run_check(folder: Path, *options: str, command: str = "check") -> dict:
    """One `palsy records check` (or `command`) in a child process: its exit, time, peak
    memory, realpaths and output hash."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(REPO), "records", "--data", str(folder), command, *options],
        capture_output=True, check=False, cwd=REPO,
    )
    result = json.loads(done.stderr.decode().strip().splitlines()[-1])
    return {**result, "output_sha256": hashlib.sha256(done.stdout).hexdigest(), "output_lines": done.stdout.count(b"\n")}


def counts(folder: Path) -> dict[str, int]:
    """How many patients, visits, audit entries and reports the folder holds."""
    import sqlite3

    conn = sqlite3.connect(folder / "palsy.db")
    try:
        return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("patients", "assessments", "audit", "reports", "captures")}
    finally:
        conn.close()


def measure(folder: Path, args: argparse.Namespace) -> dict:
    """Build `folder` unless it holds a database, then time the check on it and on an empty one."""
    built_s = None
    if not (folder / "palsy.db").exists():
        start = time.perf_counter()
        with Store.open(folder) as store:
            build(store, args.patients, args.visits, random.Random(args.seed), args.photos)
        edit_by_hand(folder)
        built_s = round(time.perf_counter() - start, 1)
    empty = folder.parent / f"{folder.name}-empty"
    Store.open(empty).close()
    report = {"benchmark": "records_check", "data": counts(folder), "build_s": built_s,
              "check": run_check(folder), "check_json": run_check(folder, "--json"),
              "check_empty_folder": run_check(empty)}
    if args.backup:
        with tempfile.TemporaryDirectory(prefix="palsy-bench-backup-", dir=folder.parent) as tmp:
            report["backup"] = run_check(folder, "--out", str(Path(tmp) / "copy"), command="backup")
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = OneLineParser(description=__doc__.split("\n\n")[0])  # a bad option is one line, exit 2
    parser.add_argument("--patients", type=arg_types.count, default=2_300)
    parser.add_argument("--visits", type=arg_types.count, default=9, help="visits per patient")
    parser.add_argument("--photos", type=int, choices=range(len(EXPRESSIONS) + 1), default=0,
                        help="tiny photos per visit (0-6)")
    parser.add_argument("--backup", action="store_true", help="also run `palsy records backup` of the folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, help="build the folder here, or reuse the one built here before")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    load_at_start = load_average()
    if args.data is not None:
        report = measure(args.data.resolve(), args)
    else:
        with tempfile.TemporaryDirectory(prefix="palsy-bench-") as tmp:
            report = measure(Path(tmp) / "data", args)
    report["ran_on"] = ran_on(1, 0, load_at_start)  # each check is one run, in a fresh child process
    print(json.dumps(report, indent=None if args.json else 2))
    return report


if __name__ == "__main__":
    main()
