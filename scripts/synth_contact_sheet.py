"""Write docs/images/synthetic_contact_sheet.png (several patients x the six expressions).

    PYTHONPATH=. python scripts/synth_contact_sheet.py [--out PATH] [--size 192]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2

from models.data.synthetic import make_patient
from models.data.synthetic.contact_sheet import contact_sheet

# Seeds picked to span skin tones, hair styles, sexes, grades and both sides.
SHEET = (
    (17, "I", None),
    (33, "II", "left"),
    (15, "III", "left"),
    (35, "III", "right"),
    (39, "IV", "right"),
    (27, "V", "right"),
    (20, "VI", "left"),
    (8, "VI", "right"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/images/synthetic_contact_sheet.png"))
    parser.add_argument("--size", type=int, default=192)
    args = parser.parse_args()
    patients = [make_patient(seed, grade, side) for seed, grade, side in SHEET]
    sheet = contact_sheet(patients, args.size, overlay_rows=(0,))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
