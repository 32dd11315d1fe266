"""Per-image latency of the cascade (batch 1) and of torchvision's DeepLabV3-ResNet101.

Prints JSON. Times are medians of `--repeats` runs after warm-up, in ms, on the device
given (CPU by default, all the machine's threads). Also reports multiply-accumulate counts
from torch's FLOP counter, which do not depend on machine load.

    python benchmarks/latency.py --json [--device cpu|cuda] [--dtype fp32|bf16|fp16] [--quick]
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cli import OneLineParser  # noqa: E402
from app.commands import arg_types  # noqa: E402
from models import build_model  # noqa: E402


def gmac(fn: Callable[[], object]) -> float:
    """Multiply-accumulates (x 1e9) of one call, counted by torch."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        fn()
    return counter.get_total_flops() / 2e9


def median_ms(fn: Callable[[], object], repeats: int, device: torch.device) -> float:
    """Median wall time in ms after two warm-up calls."""
    times = []
    with torch.inference_mode():
        for i in range(repeats + 2):
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            fn()
            if device.type == "cuda":
                torch.cuda.synchronize()
            if i >= 2:
                times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def measure_cascade(name: str, size: int, repeats: int, device: torch.device, dtype: torch.dtype) -> dict:
    model = build_model(name, seed=0).to(device=device, dtype=dtype).eval()
    x = torch.rand(1, 3, size, size, device=device, dtype=dtype)
    with torch.inference_mode():
        z = model.e1.encode(x)
    parts = {
        "e1": lambda: model.e1(x),
        "e2": lambda: model.e2(x, z),
        "cascade": lambda: model(x),
    }
    result = {"input": size, "params_m": round(sum(p.numel() for p in model.parameters()) / 1e6, 2)}
    for part, fn in parts.items():
        result[f"{part}_ms"] = median_ms(fn, repeats, device)
        result[f"{part}_gmac"] = round(gmac(fn), 2)
    return result


def measure_deeplab(size: int, repeats: int, device: torch.device, dtype: torch.dtype) -> dict:
    from torchvision.models.segmentation import deeplabv3_resnet101

    model = deeplabv3_resnet101(weights=None, weights_backbone=None, aux_loss=False).to(device=device, dtype=dtype).eval()
    x = torch.rand(1, 3, size, size, device=device, dtype=dtype)
    return {"input": size, "ms": median_ms(lambda: model(x), repeats, device), "gmac": round(gmac(lambda: model(x)), 2)}


def main() -> int:
    parser = OneLineParser(description=__doc__.split("\n\n")[0])  # a bad option is one line, exit 2
    parser.add_argument("--json", action="store_true", help="one-line JSON (without it: the same JSON, indented)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--dtype", default="fp32", choices=["fp32", "bf16", "fp16"])
    parser.add_argument("--repeats", type=arg_types.count, default=5)
    parser.add_argument("--quick", action="store_true", help="compact config only")
    args = parser.parse_args()
    device = torch.device(args.device)
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[args.dtype]
    torch.manual_seed(0)
    report: dict = {
        "device": torch.cuda.get_device_name() if device.type == "cuda" else platform.processor() or platform.machine(),
        "threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "dtype": args.dtype,
        "batch": 1,
        "compact": measure_cascade("compact", 256, max(args.repeats, 10), device, dtype),
    }
    if not args.quick:
        report["paper"] = measure_cascade("paper", 512, args.repeats, device, dtype)
        report["deeplabv3_resnet101"] = measure_deeplab(512, args.repeats, device, dtype)
        paper, ref = report["paper"], report["deeplabv3_resnet101"]
        report["paper_e1_over_deeplabv3"] = {
            "time": round(paper["e1_ms"] / ref["ms"], 3),
            "gmac": round(paper["e1_gmac"] / ref["gmac"], 3),
        }
        report["paper_over_compact_cascade"] = {
            "time": round(paper["cascade_ms"] / report["compact"]["cascade_ms"], 1),
            "gmac": round(paper["cascade_gmac"] / report["compact"]["cascade_gmac"], 1),
        }
    print(json.dumps(report, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
