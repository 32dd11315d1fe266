"""Build the clinic bundle and run its self-test (`PALSY_BUILD_BUNDLE=1 pytest tests/bundle`).

Minutes of CPU and a download of the build venv's packages, so tests/bundle/conftest.py
collects this file only when PALSY_BUILD_BUNDLE=1 (.ci/run sets it when the shipped weights are
in the checkout: docs/bundle.md, "Decision: CI builds the bundle").
PALSY_BUNDLE_REUSE=1 tests an existing dist/PalsyGrader/ instead of building again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from installer.spec_helpers import forbidden_files_in

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist" / "PalsyGrader"
EXE = DIST / "PalsyGrader"
INTERNAL = DIST / "_internal"
MAX_BYTES = int(1.5 * 2**30)


def _env(tmp: Path) -> dict[str, str]:
    """A bare environment, as on a fresh clinic PC: no venv, no PYTHONPATH, a new home folder."""
    home = tmp / "user"
    home.mkdir(exist_ok=True)
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "PALSY_HOME": str(tmp / "data"), "QT_QPA_PLATFORM": "offscreen"}


@pytest.fixture(scope="module")
def bundle() -> Path:
    manifest = ROOT / "resources" / "weights" / "manifest.json"
    assert manifest.is_file() and "demo_compact.pt" in manifest.read_text(encoding="utf-8"), (
        "the bundle ships resources/weights/demo_compact.pt and its manifest: train or add them first"
    )
    if os.environ.get("PALSY_BUNDLE_REUSE") != "1" or not EXE.is_file():
        proc = subprocess.run(["bash", "installer/build_bundle.sh"], cwd=ROOT, capture_output=True, text=True, timeout=3600)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert EXE.is_file()
    return DIST


def test_bundle_self_test_passes(bundle: Path, tmp_path: Path) -> None:
    report = tmp_path / "selftest.json"
    proc = subprocess.run([str(EXE), "--self-test", "--json", str(report)], env=_env(tmp_path), cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith("PalsyGrader self-test passed")
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["ok"] and result["pdf_pages"] >= 1
    manifest = json.loads((INTERNAL / "resources" / "weights" / "manifest.json").read_text(encoding="utf-8"))
    assert result["sha256"] == manifest["files"][result["weights"]]["sha256"]


def test_bundle_refuses_tampered_weights(bundle: Path, tmp_path: Path) -> None:
    weights = tmp_path / "weights"
    shutil.copytree(INTERNAL / "resources" / "weights", weights)
    target = next(weights.glob("*.pt"))
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    proc = subprocess.run([str(EXE), "--self-test", "--weights-dir", str(weights)], env=_env(tmp_path), cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1
    assert "self-test FAILED at step 'weights'" in proc.stderr and "checksum" in proc.stderr


def test_bundle_runs_cli_commands(bundle: Path, tmp_path: Path) -> None:
    proc = subprocess.run([str(EXE), "info", "--json"], env=_env(tmp_path), cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "demo_compact.pt" in json.loads(proc.stdout)["shipped_weights"]


def test_bundle_contents(bundle: Path) -> None:
    size = sum(p.stat().st_size for p in DIST.rglob("*") if p.is_file() and not p.is_symlink())
    assert size < MAX_BYTES, f"bundle is {size / 2**20:.0f} MiB"
    assert forbidden_files_in(DIST) == []
    plugins = INTERNAL / "PySide6" / "Qt" / "plugins"
    assert list((plugins / "platforms").glob("*qoffscreen*")) and list((plugins / "imageformats").glob("*qjpeg*"))
    assert list((INTERNAL / "cv2" / "data").glob("haarcascade_frontalface_*.xml"))
    names = {p.name for p in INTERNAL.rglob("*")}
    assert not [n for n in names if n.startswith(("libtorch_cuda", "libcudart", "libcublas", "libcudnn"))]
    assert not (INTERNAL / "torch" / "test").exists()


def test_torchvision_hook_is_needed_and_enough(bundle: Path) -> None:
    """In the build venv (CPU torch + PyPI torchvision), torchvision imports only with the runtime hook."""
    python = ROOT / ".venv-bundle" / "bin" / "python"
    hook = ROOT / "installer" / "rthook_torchvision_cpu.py"
    check = "import torch, torchvision.models; from models.cascade import build_model; build_model('compact', seed=0)"
    with_hook = subprocess.run([str(python), "-c", f"exec(open({str(hook)!r}).read()); {check}"],
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert with_hook.returncode == 0, with_hook.stderr
    without = subprocess.run([str(python), "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=300)
    # build.spec logs whether it found that pairing and so bundled the hook.
    hooked = "CUDA torchvision ops dropped: True" in (ROOT / "build" / "pyinstaller.log").read_text(encoding="utf-8")
    if hooked:
        assert without.returncode != 0 and "torchvision::nms does not exist" in without.stderr
    else:
        assert without.returncode == 0, without.stderr
