"""Child process for the SIGKILL test: runs capture sequences forever until killed.

Usage: python records_crash_child.py DATA_DIR SEED. Prints `ready`, then one line
`saved AID EXPRESSION SHA256` after each save_capture returned (the caller then relies on it).
"""

from __future__ import annotations

import os
import random
import sys

from app.records import DuplicateRecordError, Store
from app.records.imaging import PNG_MAGIC
from models.labels import EXPRESSIONS


def main() -> None:
    store = Store.open(sys.argv[1])
    rng = random.Random(int(sys.argv[2]))
    print("ready", flush=True)
    while True:
        drafts = store.unfinished_assessments()
        if drafts and rng.random() < 0.6:
            aid = drafts[0].assessment.id
        else:
            pid = f"K{rng.randrange(4):02d}"
            try:
                store.create_patient(pid, name=f"Crash Test {pid}")
            except DuplicateRecordError:
                pass
            aid = store.start_assessment(pid).id
        for expression in EXPRESSIONS:
            for _ in range(1 + (rng.random() < 0.3)):  # sometimes a retake
                photo = PNG_MAGIC + os.urandom(rng.randrange(2_000, 60_000))
                capture = store.save_capture(aid, expression, photo, {"take": rng.random()})
                print(f"saved {aid} {expression} {capture.sha256}", flush=True)
        if rng.random() < 0.3:
            store.record_results(aid, {"grade": "II"}, model_grade="II")


if __name__ == "__main__":
    main()
