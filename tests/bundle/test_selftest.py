"""The self-test logic, run from source (CI covers it without building the bundle).

Uses the shipped weights when resources/weights lists them, else a tiny untrained
checkpoint with its own manifest in a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import selftest
from models.checkpoint import read_manifest, save_checkpoint
from models.labels import EXPRESSIONS, GRADES

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = "demo_compact.pt"


def _tiny_weights(folder: Path) -> Path:
    """An untrained, very small cascade saved the way shipped weights are, with a manifest."""
    from models.cascade import build_model
    from models.config import COMPACT

    config = COMPACT.__class__.from_dict({
        **COMPACT.to_dict(),
        "name": "tiny", "input_size": 64, "backbone_widths": [8, 8, 16, 16], "backbone_depths": [1, 1, 1, 1],
        "attention_channels": 16, "e2_layers": [8, "M", 8, "M", 16, "M", 16, "M", 16, "M"],
        "e2_z_channels": 8, "e2_hidden": [16, 16],
    })
    folder.mkdir(parents=True, exist_ok=True)
    digest = save_checkpoint(build_model(config, seed=0), folder / DEFAULT, training={"data": "untrained (tests)"})
    (folder / "manifest.json").write_text(json.dumps({"files": {DEFAULT: {"sha256": digest}}}), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from models.resources import weights_dir

    shipped = weights_dir()
    if DEFAULT in read_manifest(shipped).get("files", {}):
        return shipped
    return _tiny_weights(tmp_path_factory.mktemp("weights"))


@pytest.fixture()
def weights_copy(weights: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "weights"
    shutil.copytree(weights, copy)
    return copy


def _headless_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["PALSY_HOME"] = str(home)
    return env


def test_self_test_passes_headless_from_source(weights: Path, tmp_path: Path) -> None:
    """The whole run, in a fresh process with no display and no QT_QPA_PLATFORM."""
    report = tmp_path / "result.json"
    keep = tmp_path / "kept"
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "self-test", "--weights-dir", str(weights), "--json", str(report), "--keep", str(keep)],
        cwd=ROOT, env=_headless_env(tmp_path / "home"), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("PalsyGrader self-test passed")
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["ok"] and result["failed_step"] is None
    assert result["weights"] == DEFAULT and result["sha256"] == read_manifest(weights)["files"][DEFAULT]["sha256"]
    assert result["grade"] in GRADES and 1 / len(GRADES) <= result["top_probability"] <= 1
    assert result["pdf_pages"] >= 1 and result["pdf_bytes"] > 10_000
    assert set(result["steps_ms"]) >= {"weights", "render demo patient", "load model", "assess", "write report", "check pdf",
                                       "gui"}
    # the real data and log folders are reported, and not made
    home = tmp_path / "home"
    assert result["folders"]["data"] == {"path": str(home), "exists": False, "writable": True,
                                         "free_mb": result["folders"]["data"]["free_mb"]}
    assert result["folders"]["log"]["path"] == str(home / "logs") and not home.exists()
    assert f"data folder {home} (not created yet, writable" in lines[0] and "main window built" in lines[0]
    # --keep leaves the rendered patient and the outputs for IT to look at.
    assert sorted(p.stem for p in (keep / "patient").iterdir() if p.is_file()) == sorted(EXPRESSIONS)
    assert (keep / "out" / "report.pdf").is_file() and (keep / "out" / "assessment.json").is_file()


def test_a_clinics_own_weights_are_graded_with_after_the_installed_ones_are_verified(
    weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--weights FILE` (a clinic's own, not in the manifest): the installation is verified,
    then the demo patient is graded with that file; a broken file fails at loading it."""
    own = _tiny_weights(tmp_path / "clinic") / DEFAULT
    clinic = own.rename(own.with_name("clinic.pt"))
    (clinic.parent / "manifest.json").unlink()  # a clinic's file comes without the shipped manifest
    report = tmp_path / "result.json"
    proc = subprocess.run(  # a fresh process: the headless check fails where pytest-qt loaded QtWidgets
        [sys.executable, "-m", "app.cli", "self-test", "--weights-dir", str(weights), "--weights", str(clinic),
         "--json", str(report)],
        cwd=ROOT, env=_headless_env(tmp_path / "home"), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(report.read_text(encoding="utf-8"))
    from models.checkpoint import sha256_of

    assert (result["weights"], result["sha256"], result["installed_weights"]) == ("clinic.pt", sha256_of(clinic), DEFAULT)
    assert result["summary"].startswith("PalsyGrader self-test passed") and "weights clinic.pt sha256" in result["summary"]
    assert f"installed weights {DEFAULT} verified" in proc.stdout
    clinic.write_bytes(clinic.read_bytes()[:1000])  # damaged
    assert selftest.main(["--weights-dir", str(weights), "--weights", str(clinic)]) == 1
    assert "FAILED at step 'load model clinic.pt'" in capsys.readouterr().err


def test_tampered_weights_fail_at_the_weights_step(weights_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = weights_copy / DEFAULT
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    assert selftest.main(["--weights-dir", str(weights_copy)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("PalsyGrader self-test FAILED at step 'weights'") and "checksum" in err


def test_manifest_must_list_the_default_weights(weights_copy: Path) -> None:
    (weights_copy / "manifest.json").write_text(json.dumps({"files": {}}), encoding="utf-8")
    with pytest.raises(selftest.SelfTestError, match="does not list the default weights"):
        selftest.verify_weights(weights_copy, DEFAULT)
    (weights_copy / "manifest.json").unlink()
    with pytest.raises(selftest.SelfTestError, match="no weights manifest"):
        selftest.verify_weights(weights_copy, DEFAULT)


def test_every_listed_file_is_verified(weights_copy: Path) -> None:
    manifest = json.loads((weights_copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["other.pt"] = {"sha256": "0" * 64}
    (weights_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(selftest.SelfTestError, match="other.pt listed in manifest.json is missing"):
        selftest.verify_weights(weights_copy, DEFAULT)
    (weights_copy / "other.pt").write_bytes(b"not the listed file")
    with pytest.raises(selftest.SelfTestError, match="other.pt failed its checksum"):
        selftest.verify_weights(weights_copy, DEFAULT)


def _pdf(path: Path, text: str) -> Path:
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path))
    page.drawString(72, 720, text)
    page.save()
    return path


def test_pdf_check_needs_disclaimer_and_checksum(tmp_path: Path) -> None:
    sha = "ab" * 32
    good = _pdf(tmp_path / "good.pdf", f"SHA-256 {sha} - this software supports and does not replace the clinician")
    assert selftest.check_pdf(good, sha) == 1
    with pytest.raises(selftest.SelfTestError, match="does not replace"):
        selftest.check_pdf(_pdf(tmp_path / "nodisc.pdf", f"SHA-256 {sha}"), sha)
    with pytest.raises(selftest.SelfTestError, match="checksum"):
        selftest.check_pdf(good, "cd" * 32)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 truncated")
    with pytest.raises(selftest.SelfTestError, match="does not open"):
        selftest.check_pdf(broken, sha)
    with pytest.raises(selftest.SelfTestError, match="no report"):
        selftest.check_pdf(tmp_path / "missing.pdf", sha)


def test_assessment_check_catches_wrong_weights_and_gaps(tmp_path: Path) -> None:
    sha = "ab" * 32
    (tmp_path / "overlays").mkdir()
    for name in EXPRESSIONS:
        (tmp_path / "overlays" / f"{name}_segmentation.png").write_bytes(b"png")
    body = {
        "grade": "II",
        "probabilities": {g: (0.5 if g == "II" else 0.1) for g in GRADES},
        "expressions": {e: {} for e in EXPRESSIONS},
        "model": {"sha256": sha},
    }
    (tmp_path / "assessment.json").write_text(json.dumps(body), encoding="utf-8")
    assert selftest.check_assessment(tmp_path, sha)["grade"] == "II"
    with pytest.raises(selftest.SelfTestError, match="not the verified file"):
        selftest.check_assessment(tmp_path, "cd" * 32)
    del body["expressions"]["puff_cheeks"]
    (tmp_path / "assessment.json").write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(selftest.SelfTestError, match="puff_cheeks"):
        selftest.check_assessment(tmp_path, sha)


def test_summary_line_names_the_failed_step() -> None:
    result = selftest.SelfTestResult(failed_step="render demo patient", error="disk full")
    assert result.summary() == "PalsyGrader self-test FAILED at step 'render demo patient': disk full"
    assert "\n" not in result.summary()


def test_failure_is_one_line_on_stderr_from_source(tmp_path: Path) -> None:
    """`palsy self-test` with no logging configured: the FAILED line once, not again from logging's last resort."""
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "self-test", "--weights-dir", str(tmp_path / "nonexistent")],
        cwd=ROOT, env=_headless_env(tmp_path / "home"), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("PalsyGrader self-test FAILED at step 'weights'"), proc.stderr


def test_the_line_goes_to_a_configured_log_as_well(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The bundle logs to a file (app/frozen_main.py): there the line is logged and printed once."""
    with caplog.at_level("INFO", logger="palsy.selftest"):
        assert selftest.main(["--weights-dir", str(tmp_path / "nonexistent")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("PalsyGrader self-test FAILED at step 'weights'")
    assert [r.getMessage() for r in caplog.records if r.name == "palsy.selftest"] == err
