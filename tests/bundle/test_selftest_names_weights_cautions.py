"""`palsy self-test --weights clinic.pt` with weights that carry cautions (a clinic's own) says
so in its summary and its JSON: a passed self-test must not make them look validated."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.selftest import SelfTestResult
from models.checkpoint import load_checkpoint, save_checkpoint
from tests.bundle.test_selftest import DEFAULT, ROOT, _headless_env, _tiny_weights

CAUTIONS = ["Trained on 8 patients of this clinic, tested on 2 (test accuracy 0.500, kappa 0.429); not a validated "
            "medical device.", "The test split has no patient of grade I: the figures say nothing about that grade."]


def test_the_summary_names_the_first_caution() -> None:
    result = SelfTestResult(ok=True, weights="clinic.pt", cautions=CAUTIONS, top_probability=0.5)
    assert f"; weights clinic.pt: clinic-trained, not validated (2 cautions): {CAUTIONS[0]}" in result.summary()
    assert "not validated" not in SelfTestResult(ok=True, weights="demo_compact.pt", top_probability=0.5).summary()


def test_a_self_test_with_clinic_weights_reports_their_cautions(tmp_path: Path) -> None:
    installed = _tiny_weights(tmp_path / "installed")
    clinic = tmp_path / "clinic" / "clinic.pt"
    model, _ = load_checkpoint(installed / DEFAULT)
    save_checkpoint(model, clinic, training={"command": "palsy train clinic"}, extra={"cautions": CAUTIONS})
    report = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "self-test", "--weights-dir", str(installed), "--weights", str(clinic),
         "--json", str(report)],
        cwd=ROOT, env=_headless_env(tmp_path / "home"), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["cautions"] == CAUTIONS and "clinic-trained, not validated (2 cautions)" in proc.stdout
