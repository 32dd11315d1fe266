"""What goes into the clinic bundle: plain functions `build.spec` calls, testable without PyInstaller.

Kept apart from the spec so the rules (which resources ship, which libraries a CPU
bundle drops, which modules are left out) have fast tests and one place to change.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Iterable
from pathlib import Path

APP_NAME = "PalsyGrader"

# Resource file types a bundle may carry (weights, model cards, icons, illustrations, styles).
RESOURCE_SUFFIXES: frozenset[str] = frozenset(
    {".pt", ".json", ".md", ".png", ".svg", ".qss", ".ico", ".icns", ".jpg", ".jpeg", ".txt", ".ttf"}
)

# Never shipped, whatever folder they turn up in: real-face research samples whose licence
# does not allow redistribution (CelebAMask-HQ) and development leftovers.
FORBIDDEN_PATTERNS: tuple[str, ...] = (
    "*celebamask*",
    # Documentation pictures (docs/gui.md) are not read by the app.
    "/resources/screenshots/*",
    "*/runs/*",
    "*/__pycache__/*",
    "*.pyc",
    "*/.*",
)

# Python packages a CPU clinic bundle never needs. torch's hook collects all of torch's
# submodules; these are the ones that pull in test suites, training dashboards or GPU
# compilers (measured: see docs/bundle.md).
EXCLUDED_MODULES: tuple[str, ...] = (
    "tensorboard",
    "torch.utils.tensorboard",
    "triton",
    "tkinter",
    "_tkinter",
    "matplotlib",
    "IPython",
    "jupyter_client",
    "notebook",
    "pytest",
    "_pytest",
    "pytestqt",
    "pypdf._crypt_providers._pycryptodome",
    "tests",
    "benchmarks",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.Qt3DCore",
    "PySide6.QtQuick",
    "PySide6.QtQml",
    "PySide6.QtDesigner",
)

# Shared libraries that only serve a GPU (or only torch's own C++ tests).
CUDA_LIBRARY_PATTERNS: tuple[str, ...] = (
    "libcuda*",
    "libcudart*",
    "libcublas*",
    "libcudnn*",
    "libcufft*",
    "libcurand*",
    "libcusolver*",
    "libcusparse*",
    "libnccl*",
    "libnvjpeg*",
    "libnvrtc*",
    "libnvJitLink*",
    "libnvToolsExt*",
    "libnvshmem*",
    "libtorch_cuda*",
    "libc10_cuda*",
    "cudart64*",
    "cublas64*",
    "cudnn*",
    "nvrtc*",
)
TORCH_TEST_LIBRARIES: tuple[str, ...] = (
    "libjitbackend_test*",
    "libtorchbind_test*",
    "libbackend_with_compiler*",
    "libaoti_custom_ops*",
    "jitbackend_test*",
    "torchbind_test*",
    "backend_with_compiler*",
    "aoti_custom_ops*",
)


def is_forbidden(relative: str) -> bool:
    """True for a path (relative, '/'-separated) that must never be bundled."""
    path = "/" + relative.replace(os.sep, "/").lower()
    return any(fnmatch.fnmatch(path, pattern.lower()) for pattern in FORBIDDEN_PATTERNS)


def shipped_weights(weights_folder: Path) -> set[str]:
    """Names of the weights files the manifest lists (only these .pt files ship)."""
    manifest = weights_folder / "manifest.json"
    if not manifest.is_file():
        return set()
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return set(data.get("files", {}))


def resource_datas(resources: Path) -> list[tuple[str, str]]:
    """(source file, destination folder) pairs for PyInstaller's `datas`.

    Everything under `resources/` with a resource suffix, keeping its relative folder
    (so `models.resources.resources_dir()` finds it under sys._MEIPASS), except forbidden
    paths and `.pt` files the weights manifest does not list (stray training checkpoints).
    """
    if not resources.is_dir():
        return []
    listed = shipped_weights(resources / "weights")
    datas: list[tuple[str, str]] = []
    for path in sorted(resources.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(resources.parent).as_posix()
        if is_forbidden(relative) or path.suffix.lower() not in RESOURCE_SUFFIXES:
            continue
        if path.suffix.lower() == ".pt" and (path.parent.name != "weights" or path.name not in listed):
            continue
        datas.append((str(path), Path(relative).parent.as_posix()))
    return datas


def _matches(name: str, patterns: Iterable[str]) -> bool:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(base, pattern) for pattern in patterns)


# torch's wheel ships C++ test executables and their data (torch/test, torch/bin): ~130 MB.
# torch_shm_manager stays (torch's shared-memory tensors need it).
TORCH_KEEP_IN_BIN: tuple[str, ...] = ("torch_shm_manager*",)


def drop_binary(dest_name: str, cpu_only: bool) -> bool:
    """True when a collected file should not ship (CUDA libraries in a CPU build, torch's tests)."""
    normalized = "/" + dest_name.replace("\\", "/")
    if _matches(dest_name, TORCH_TEST_LIBRARIES) or normalized.startswith("/torch/test/"):
        return True
    if normalized.startswith("/torch/bin/") and not _matches(dest_name, TORCH_KEEP_IN_BIN):
        return True
    if cpu_only and ("/nvidia/" in normalized or _matches(dest_name, CUDA_LIBRARY_PATTERNS)):
        return True
    return False


def drop_torchvision_ops(dest_name: str) -> bool:
    """torchvision's compiled ops (`_C`, `image`) when they were built for CUDA and torch is CPU-only.

    They cannot load against a CPU torch (they link libtorch_cuda); the app uses none of them.
    """
    normalized = dest_name.replace("\\", "/")
    if normalized.startswith("torchvision.libs/"):
        return True
    return normalized.startswith("torchvision/") and normalized.count("/") == 1 and _matches(normalized, ("_C*.so", "_C*.pyd", "image*.so", "image*.pyd"))


def filter_toc(entries: Iterable[tuple], cpu_only: bool, torchvision_ops_broken: bool) -> list[tuple]:
    """Keep the TOC entries (dest_name, src, kind) that belong in the bundle."""
    kept = []
    for entry in entries:
        dest, src = entry[0], str(entry[1] or "").replace("\\", "/")
        if drop_binary(dest, cpu_only):
            continue
        # The libraries the dropped ops needed land at the top level; their source says where from.
        if torchvision_ops_broken and (drop_torchvision_ops(dest) or "/torchvision.libs/" in src):
            continue
        if "celebamask" in dest.lower():
            continue
        kept.append(entry)
    return kept


def forbidden_files_in(folder: Path) -> list[str]:
    """Files under a built bundle that must not be there (checked after every build)."""
    if not folder.is_dir():
        return []
    return [
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if "celebamask" in path.as_posix().lower()
    ]


def build_commit_datas(commit: str | None, build_dir: Path, file_name: str = "BUILD_COMMIT") -> list[tuple[str, str]]:
    """PyInstaller `datas` for the file that tells the bundle which git commit it was built
    from: `commit` written to `build_dir/file_name`, shipped into the bundle's `resources/` folder,
    where `app.build_commit()` reads it. Nothing when the commit is unknown (no git at build)."""
    if not commit:
        return []
    build_dir.mkdir(parents=True, exist_ok=True)
    path = build_dir / file_name
    path.write_text(commit + "\n", encoding="utf-8")
    return [(str(path), "resources")]
