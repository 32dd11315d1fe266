"""How often OpenCV's bundled Haar face detector finds a synthetic face (pipeline step 1).

    python benchmarks/synth_haar.py [--patients 40] [--json]

Each photo is padded like a wider camera frame; a hit is exactly one detection. `--json`
prints the counts as one JSON object instead of a sentence.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands import arg_types  # noqa: E402
from benchmarks.ran_on import ran_on  # noqa: E402
from models.data.synthetic import make_patient, render_expression  # noqa: E402
from models.labels import EXPRESSIONS  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=arg_types.count, default=40, help="patients, six photos each (default 40)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    hits = total = 0
    for seed in range(args.patients):
        patient = make_patient(seed)
        for expression in EXPRESSIONS:
            rgb, _ = render_expression(patient, expression, 256, frame_seed=1)
            grey = cv2.copyMakeBorder(
                cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), 64, 64, 96, 96, cv2.BORDER_REPLICATE
            )
            faces = cascade.detectMultiScale(grey, 1.1, 5, minSize=(60, 60))
            hits += len(faces) == 1
            total += 1
    report = {"benchmark": "synth_haar", "photos": total, "one_face": hits, "rate": round(hits / total, 3),
              "ran_on": ran_on(None, None)}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"Haar found exactly one face in {hits}/{total} synthetic photos ({100 * hits / total:.0f} %)")
    return report


if __name__ == "__main__":
    main()
