#!/usr/bin/env bash
# Build the clinic bundle dist/PalsyGrader/ and self-test it (`make bundle`; docs/bundle.md).
#
#   1. a separate build venv (.venv-bundle) with a CPU-only torch:
#      - a local CPU wheel when one is given (TORCH_WHEEL=path) or found in $WHEEL_DIR
#        (default /opt/wheels), with the torchvision release that matches it;
#      - otherwise torch + torchvision from the PyTorch CPU index ($TORCH_INDEX);
#   2. PyInstaller on build.spec (a clean build every time, so the duration is honest);
#   3. no CelebAMask file may be in the bundle;
#   4. dist/PalsyGrader/PalsyGrader --self-test under QT_QPA_PLATFORM=offscreen;
#   5. build/bundle-record.json: result, version and git commit, build and self-test durations,
#      size, largest parts.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-python3}
VENV=${BUNDLE_VENV:-.venv-bundle}
WHEEL_DIR=${WHEEL_DIR:-/opt/wheels}
TORCH_INDEX=${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}
RECORD=${BUNDLE_RECORD:-build/bundle-record.json}
DIST=dist/PalsyGrader
STAMP="$VENV/.installed"

now() { "$PY" -c "import time; print(time.time())"; }
log() { printf '[bundle] %s\n' "$*"; }

make_venv() {
    log "creating the build venv $VENV"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    local wheel=${TORCH_WHEEL:-}
    if [ -z "$wheel" ]; then
        local tag
        tag=$("$VENV/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
        wheel=$(ls -1 "$WHEEL_DIR"/torch-*+cpu-"$tag"-*.whl 2>/dev/null | sort -V | tail -n 1 || true)
    fi
    if [ -n "$wheel" ]; then
        log "torch: local CPU wheel $(basename "$wheel")"
        "$VENV/bin/python" -m pip install -q "$wheel"
        # torchvision 0.N matches torch 2.(N-15); PyPI has no +cpu build, so its ops stay
        # unused (build.spec drops them and adds installer/rthook_torchvision_cpu.py).
        local tv
        tv=$("$VENV/bin/python" -c 'import torch; m = int(torch.__version__.split(".")[1]); print(f"0.{m + 15}.*")')
        log "torchvision: $tv without dependencies (matching the CPU torch)"
        "$VENV/bin/python" -m pip install -q --no-deps "torchvision==$tv"
    else
        log "torch + torchvision: CPU builds from $TORCH_INDEX"
        "$VENV/bin/python" -m pip install -q torch torchvision --index-url "$TORCH_INDEX"
    fi
    "$VENV/bin/python" -m pip install -q -r installer/requirements-bundle.txt
    touch "$STAMP"
}

v0=$(now)
if [ ! -f "$STAMP" ] || [ installer/requirements-bundle.txt -nt "$STAMP" ]; then
    make_venv
fi
v1=$(now)
"$VENV/bin/python" -c 'import torch; print("[bundle] torch", torch.__version__, "CUDA", torch.version.cuda)'

mkdir -p build
rm -rf "$DIST" build/pyinstaller
status=failed
summary=""
t0=$(now); t1=$t0; t2=$t0; t3=$t0
if "$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath dist --workpath build/pyinstaller build.spec > build/pyinstaller.log 2>&1; then
    t1=$(now)
    log "PyInstaller finished (log: build/pyinstaller.log)"
    forbidden=$(find "$DIST" -iname '*celebamask*' | head -n 5)
    if [ -n "$forbidden" ]; then
        summary="CelebAMask files in the bundle: $forbidden"
    else
        home=$(mktemp -d)
        t2=$(now)
        if output=$(QT_QPA_PLATFORM=offscreen PALSY_HOME="$home" "$DIST/PalsyGrader" --self-test \
                --json build/selftest.json 2>&1); then
            status=passed
        fi
        printf '%s\n' "$output" > build/selftest.log
        summary=$(printf '%s\n' "$output" | tail -n 1)
        t3=$(now)
        rm -rf "$home"
    fi
else
    t1=$(now)
    summary="PyInstaller failed; see build/pyinstaller.log: $(tail -n 3 build/pyinstaller.log | tr '\n' ' ')"
fi
log "$summary"

archive=""
if [ "$status" = passed ] && [ "${BUNDLE_ARCHIVE:-0}" = 1 ]; then
    # What IT copies to the clinic PCs (BUNDLE_ARCHIVE=1): dist/PalsyGrader-<os>-<arch>.tar.gz
    archive=$("$VENV/bin/python" -c 'import platform, shutil; print(shutil.make_archive(f"dist/PalsyGrader-{platform.system().lower()}-{platform.machine()}", "gztar", "dist", "PalsyGrader"))')
    log "archive: $archive"
fi

"$VENV/bin/python" - "$RECORD" "$status" "$t0" "$t1" "$t2" "$t3" "$DIST" "$summary" "$v0" "$v1" "$archive" <<'PYEOF'
import json, os, platform, sys, time
from pathlib import Path

record, status, t0, t1, t2, t3, dist, summary, v0, v1, archive = sys.argv[1:]
build_s, selftest_s, venv_s = float(t1) - float(t0), float(t3) - float(t2), float(v1) - float(v0)
dist = Path(dist)

def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())

parts = {}
internal = dist / "_internal"
if internal.is_dir():
    for child in internal.iterdir():
        if not child.is_symlink():  # PyInstaller links some libraries to the top level
            parts[child.name] = size(child)
    for child in (internal / "torch" / "lib").glob("*") if (internal / "torch" / "lib").is_dir() else []:
        parts[f"torch/lib/{child.name}"] = size(child)
import torch
sys.path.insert(0, os.getcwd())  # the checkout (this script runs from its root)
from app import __version__, build_commit
data = {
    "result": status,
    "version": __version__,
    "commit": build_commit(),
    "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    "host": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
    "torch": torch.__version__,
    "venv_seconds": round(venv_s, 1),
    "build_seconds": round(float(build_s), 1),
    "selftest_seconds": round(float(selftest_s), 1),
    "size_bytes": size(dist) if dist.exists() else 0,
    "largest_parts_mb": {k: round(v / 2**20, 1) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])[:15]},
    "archive": archive or None,
    "archive_bytes": Path(archive).stat().st_size if archive else None,
    "summary": summary,
}
Path(record).write_text(json.dumps(data, indent=2), encoding="utf-8")
print(f"[bundle] {status}: build {data['build_seconds']} s, self-test {data['selftest_seconds']} s, "
      f"size {data['size_bytes'] / 2**20:.0f} MiB; record in {record}")
PYEOF
[ "$status" = passed ]
