"""How often OpenCV's bundled Haar face detector finds a synthetic face (pipeline step 1).

    python benchmarks/synth_haar.py [--patients 40]

Each photo is padded like a wider camera frame; a hit is exactly one detection.
"""

from __future__ import annotations

import argparse

import cv2

from models.data.synthetic import make_patient, render_expression
from models.labels import EXPRESSIONS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=40)
    args = parser.parse_args()
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
    print(
        f"Haar found exactly one face in {hits}/{total} synthetic photos ({100 * hits / total:.0f} %)"
    )


if __name__ == "__main__":
    main()
