"""Record store benchmark: search and history latency on a large clinic database.

Builds N patients (default 10,000) with K assessments each (default 5, with results and
grades; each patient's last one left analysed, awaiting confirmation) in a temporary folder, then
times patient search by ID prefix, by a run of the ID's digits (the number read off a wristband,
without the "MRN"), by name prefix, opening a patient's history, and the patients page's offer of
the newest result awaiting confirmation (asked each time the page shows; one per patient awaits).
Targets (issue 4): median and p95 <= 20 ms each. With `--photos P`
(default 20,000) it also stores P small photos (drafts of six) and times `Store.open` of the
folder, crash recovery's walk included, as the GUI opens it at start (`open_store`).

    python benchmarks/store.py --json
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from app.cli import OneLineParser  # noqa: E402
from app.commands import arg_types  # noqa: E402
from app.records import Store  # noqa: E402
from benchmarks.ran_on import load_average, ran_on  # noqa: E402

FIRST = ["Anna", "Bela", "Carla", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas",
         "Kira", "Luis", "Maya", "Nils", "Olga", "Pavel", "Rosa", "Samir", "Tara", "Ugo"]
LAST = ["Almeida", "Brandt", "Castro", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen",
        "Ivanova", "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Olsen", "Petrov",
        "Quinn", "Rossi", "Schmidt", "Tanaka", "Urban", "Varga", "Weber", "Yilmaz", "Zhang"]
GRADES = ["I", "II", "III", "IV", "V", "VI"]
TARGET_MS = 20.0


def build(store: Store, patients: int, assessments: int, rng: random.Random) -> list[str]:
    """Fill the store in one transaction; return the patient IDs."""
    ids = []
    with store.transaction():
        for i in range(patients):
            pid = f"MRN{i:07d}"
            store.create_patient(pid, name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                 birth_date=f"19{rng.randrange(30, 99)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}",
                                 affected_side=rng.choice(["left", "right"]))
            for k in range(assessments):
                stamp = f"20{10 + k:02d}-01-01T00:00:00.000+00:00"
                aid = store.start_assessment(pid, created_at=stamp).id
                grade = rng.choice(GRADES)
                result = {"grade": grade, "probabilities": {g: round(rng.random(), 3) for g in GRADES},
                          "measured": {"function_percent": rng.randrange(0, 101)}}
                store.record_results(aid, result, model_grade=grade, measured_grade=rng.choice(GRADES))
                if k < assessments - 1:
                    store.confirm_grade(aid, rng.choice(GRADES), "Dr Bench")
            ids.append(pid)
    return ids


def add_photos(store: Store, ids: list[str], photos: int) -> int:
    """Drafts of six small photos over the patients until `photos` are stored; returns how many.
    fsync is skipped while building (the benchmark times opening, not writing)."""
    expressions = ("rest", "close_eyes", "raise_eyebrows", "open_mouth", "wrinkle_nose", "puff_cheeks")
    pixels = bytes(range(256)) * 3
    stored = 0
    real_fsync, os.fsync = os.fsync, lambda fd: None  # type: ignore[assignment]
    try:
        for i in range(-(-photos // len(expressions))):
            aid = store.start_assessment(ids[i % len(ids)]).id
            for expression in expressions[: photos - stored]:
                photo = np.frombuffer(pixels, np.uint8).reshape(16, 16, 3) ^ np.uint8(stored % 251)
                store.save_capture(aid, expression, photo)
                stored += 1
    finally:
        os.fsync = real_fsync  # type: ignore[assignment]
    return stored


def timed(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    """Median, p95 and max of `fn` in milliseconds."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 3),
        "max_ms": round(samples[-1], 3),
        "n": repeats,
    }


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(description=__doc__.split("\n\n")[0])  # a bad option is one line, exit 2
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--assessments", type=int, default=5)
    parser.add_argument("--repeats", type=arg_types.count, default=300)
    parser.add_argument("--photos", type=int, default=20_000, help="small photos stored to time opening the store (0: none)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    load_at_start = load_average()
    with tempfile.TemporaryDirectory(prefix="palsy-bench-") as tmp:
        folder = Path(tmp) / "data"
        start = time.perf_counter()
        with Store.open(folder) as store:
            ids = build(store, args.patients, args.assessments, rng)
            photos = add_photos(store, ids, args.photos) if args.photos > 0 else 0
        build_s = time.perf_counter() - start
        opening = timed(lambda: Store.open(folder).close(), 3)
        with Store.open(folder) as store:  # reopened, as the GUI does at start
            results: dict[str, object] = {}
            counts: dict[str, list[int]] = {"id_prefix": [], "id_digits": [], "name_prefix": [], "history": []}

            def by_id() -> None:
                pid = rng.choice(ids)
                counts["id_prefix"].append(len(store.search_patients(pid[: rng.randrange(4, len(pid) + 1)])))

            def by_digits() -> None:  # the last 3 to 7 digits: from many matches to one (a walk of every ID)
                pid = rng.choice(ids)
                counts["id_digits"].append(len(store.search_patients(pid[-rng.randrange(3, 8):])))

            def by_name() -> None:
                word = rng.choice(FIRST + LAST)
                counts["name_prefix"].append(len(store.search_patients(word[: rng.randrange(2, len(word) + 1)].lower())))

            def history() -> None:
                counts["history"].append(len(store.history(rng.choice(ids))))

            def awaiting() -> None:
                store.offered_review()

            queries = (("search_id_prefix", by_id), ("search_id_digits", by_digits), ("search_name_prefix", by_name),
                       ("history", history), ("offered_review", awaiting))
            for name, fn in queries:
                fn()  # warm-up
                results[name] = timed(fn, args.repeats)
            db_bytes = sum(p.stat().st_size for p in folder.glob("palsy.db*"))
    report = {
        "benchmark": "record store",
        "patients": args.patients,
        "assessments_per_patient": args.assessments,
        "photos": photos,
        "build_s": round(build_s, 2),
        "open_store": opening,
        "database_mb": round(db_bytes / 1e6, 1),
        "mean_results": {k: round(statistics.mean(v), 1) for k, v in counts.items()},
        "target_ms": TARGET_MS,
        **results,
        "meets_target": all(r["p95_ms"] <= TARGET_MS for r in results.values()),  # type: ignore[index]
        "ran_on": ran_on(args.repeats, 1, load_at_start),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
