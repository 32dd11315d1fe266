"""What build.spec puts in (and keeps out of) the bundle: installer/spec_helpers.py."""

from __future__ import annotations

import json
from pathlib import Path

from installer import spec_helpers as rules


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _resources(tmp_path: Path) -> Path:
    res = tmp_path / "resources"
    _touch(res / "weights" / "demo_compact.pt")
    _touch(res / "weights" / "leftover_epoch3.pt")
    _touch(res / "weights" / "demo_compact.md")
    (res / "weights" / "manifest.json").write_text(json.dumps({"files": {"demo_compact.pt": {"sha256": "0" * 64}}}))
    _touch(res / "icons" / "app.png")
    _touch(res / "illustrations" / "close_eyes.svg")
    _touch(res / "styles" / "app.qss")
    _touch(res / "illustrations" / "celebamask_samples" / "0001.jpg")
    _touch(res / "illustrations" / "CelebAMask-HQ-face.png")
    _touch(res / "icons" / "__pycache__" / "x.pyc")
    _touch(res / "icons" / ".DS_Store")
    _touch(res / "icons" / "notes.docx")
    _touch(res / "screenshots" / "01_patients.png")
    return res


def test_resource_datas_ship_resources_in_their_folders(tmp_path: Path) -> None:
    datas = rules.resource_datas(_resources(tmp_path))
    shipped = {(Path(src).name, dest) for src, dest in datas}
    assert shipped == {
        ("demo_compact.pt", "resources/weights"),
        ("demo_compact.md", "resources/weights"),
        ("manifest.json", "resources/weights"),
        ("app.png", "resources/icons"),
        ("close_eyes.svg", "resources/illustrations"),
        ("app.qss", "resources/styles"),
    }


def test_celebamask_files_are_never_shipped(tmp_path: Path) -> None:
    datas = rules.resource_datas(_resources(tmp_path))
    assert datas
    assert not [src for src, _ in datas if "celebamask" in Path(src).relative_to(tmp_path).as_posix().lower()]
    toc = [("resources/data/CelebAMask_0001.jpg", "/x/CelebAMask_0001.jpg", "DATA"), ("numpy/a.so", "/x/a.so", "BINARY")]
    assert [e[0] for e in rules.filter_toc(toc, cpu_only=True, torchvision_ops_broken=False)] == ["numpy/a.so"]


def test_unlisted_checkpoints_stay_out(tmp_path: Path) -> None:
    res = _resources(tmp_path)
    (res / "weights" / "manifest.json").unlink()
    names = {Path(src).name for src, _ in rules.resource_datas(res)}
    assert not {n for n in names if n.endswith(".pt")}
    assert rules.resource_datas(tmp_path / "missing") == []


def test_cpu_bundle_drops_cuda_and_torch_tests_only() -> None:
    toc = [
        ("torch/lib/libtorch_cpu.so", "/v/torch/lib/libtorch_cpu.so", "BINARY"),
        ("torch/lib/libtorch_cuda.so", "/v/torch/lib/libtorch_cuda.so", "BINARY"),
        ("nvidia/cublas/lib/libcublas.so.13", "/v/nvidia/cublas/lib/libcublas.so.13", "BINARY"),
        ("libcudart.so.13", "/v/nvidia/cuda_runtime/lib/libcudart.so.13", "BINARY"),
        ("torch/lib/libtorchbind_test.so", "/v/torch/lib/libtorchbind_test.so", "BINARY"),
        ("torch/test/Dict_test", "/v/torch/test/Dict_test", "DATA"),
        ("torch/bin/test_jit", "/v/torch/bin/test_jit", "DATA"),
        ("torch/bin/torch_shm_manager", "/v/torch/bin/torch_shm_manager", "DATA"),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "/v/p/libqoffscreen.so", "BINARY"),
        ("cv2/data/haarcascade_frontalface_default.xml", "/v/cv2/data/h.xml", "DATA"),
    ]
    cpu = [e[0] for e in rules.filter_toc(toc, cpu_only=True, torchvision_ops_broken=False)]
    assert cpu == [
        "torch/lib/libtorch_cpu.so",
        "torch/bin/torch_shm_manager",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "cv2/data/haarcascade_frontalface_default.xml",
    ]
    gpu = [e[0] for e in rules.filter_toc(toc, cpu_only=False, torchvision_ops_broken=False)]
    assert "torch/lib/libtorch_cuda.so" in gpu and "libcudart.so.13" in gpu
    assert "torch/lib/libtorchbind_test.so" not in gpu


def test_broken_torchvision_ops_are_dropped_with_their_libraries() -> None:
    toc = [
        ("torchvision/_C.so", "/v/torchvision/_C.so", "EXTENSION"),
        ("torchvision/image.so", "/v/torchvision/image.so", "EXTENSION"),
        ("torchvision/io/image.py", "/v/torchvision/io/image.py", "DATA"),
        ("libjpeg.5980e1e3.so.8", "/v/torchvision.libs/libjpeg.5980e1e3.so.8", "BINARY"),
        ("libjpeg-6dc8d115.so.62", "/v/pillow.libs/libjpeg-6dc8d115.so.62", "BINARY"),
    ]
    kept = [e[0] for e in rules.filter_toc(toc, cpu_only=True, torchvision_ops_broken=True)]
    assert kept == ["torchvision/io/image.py", "libjpeg-6dc8d115.so.62"]
    assert len(rules.filter_toc(toc, cpu_only=True, torchvision_ops_broken=False)) == len(toc)


def test_forbidden_files_in_a_built_folder(tmp_path: Path) -> None:
    _touch(tmp_path / "_internal" / "resources" / "weights" / "demo_compact.pt")
    assert rules.forbidden_files_in(tmp_path) == []
    _touch(tmp_path / "_internal" / "celebamask_samples" / "a.jpg")
    assert rules.forbidden_files_in(tmp_path) == ["_internal/celebamask_samples", "_internal/celebamask_samples/a.jpg"]


def test_spec_uses_the_rules_and_the_macos_camera_string() -> None:
    spec = (Path(__file__).resolve().parents[2] / "build.spec").read_text(encoding="utf-8")
    for needle in ("rules.resource_datas", "rules.filter_toc", "rules.EXCLUDED_MODULES", "NSCameraUsageDescription",
                   "installer\" / \"entry.py", "console=IS_LINUX", "upx=False",
                   "haarcascade_*.xml"):
        assert needle in spec, needle
