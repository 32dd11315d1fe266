"""What the tests of held-out warnings share: the shipped demo recipe's training record, the
wording `palsy evaluate` scores a whole set with, and a small synthetic set."""

from __future__ import annotations

from pathlib import Path

from app.cli import main

# The shipped demo recipe: 600 training patients rendered by `palsy synth --seed 1`.
DEMO_RECORD = {"command": "palsy train demo", "recipe": {"train_seed": 1, "train_patients": 600, "eval_seed": 900001}}
INCLUDED = "every patient of the set, training patients included (--split test: the held-out ones)"
NONE_TRAINED = "every patient of the set (none of them in these weights' training data)"


def synth_set(out: Path, seed: int, patients: int = 2) -> Path:
    """`palsy synth --out OUT --patients N --seed S`; returns OUT."""
    assert main(["synth", "--out", str(out), "--patients", str(patients), "--seed", str(seed)]) == 0
    return out
