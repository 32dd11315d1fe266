"""Per-image latency of the cascade (batch 1) and of torchvision's DeepLabV3-ResNet101.

Prints JSON. Times are medians of `--repeats` rounds after two warm-up rounds, in ms of wall
and of process CPU time, on the device given (CPU by default, all the machine's threads). In
each round every network is called once in turn, so the load of a shared machine falls on all
of them alike. Also reports multiply-accumulate counts from torch's FLOP counter, which do not
depend on machine load, and under "ran_on" the machine, torch, threads, load and repeats.

    python benchmarks/latency.py --json [--device cpu|cuda] [--dtype fp32|bf16|fp16] [--quick] [--weights W]
"""

from __future__ import annotations

import json
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
from benchmarks.arg_checks import existing_file  # noqa: E402
from benchmarks.ran_on import load_average, ran_on  # noqa: E402
from models import build_model  # noqa: E402

WARMUP = 2  # untimed rounds first: the first calls allocate and pick kernels


def gmac(fn: Callable[[], object]) -> float:
    """Multiply-accumulates (x 1e9) of one call, counted by torch."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        fn()
    return counter.get_total_flops() / 2e9


def time_interleaved(fns: dict[str, Callable[[], object]], repeats: int, device: torch.device) -> dict[str, dict]:
    """Median wall and process CPU time in ms of each function, the functions called in turn
    (A, B, A, B...) so a change of machine load falls on all of them alike: timed one after
    the other, a ratio of two networks swung from 1.34x to 2.76x with the load. The first
    `WARMUP` rounds are not timed."""
    wall: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    with torch.inference_mode():
        for round_ in range(WARMUP + repeats):
            for name, fn in fns.items():
                if device.type == "cuda":
                    torch.cuda.synchronize()
                start, start_cpu = time.perf_counter(), time.process_time()
                fn()
                if device.type == "cuda":
                    torch.cuda.synchronize()
                if round_ >= WARMUP:
                    wall[name].append((time.perf_counter() - start) * 1000)
                    cpu[name].append((time.process_time() - start_cpu) * 1000)
    return {name: {"ms": round(statistics.median(wall[name]), 1), "cpu_ms": round(statistics.median(cpu[name]), 1)}
            for name in fns}


def cascade_parts(name: str, size: int, device: torch.device, dtype: torch.dtype) -> tuple[dict, dict]:
    """The network's facts and its parts to time: E1 alone, E2 on E1's output, the whole cascade."""
    model = build_model(name, seed=0).to(device=device, dtype=dtype).eval()
    x = torch.rand(1, 3, size, size, device=device, dtype=dtype)
    with torch.inference_mode():
        z = model.e1.encode(x)
    parts = {"e1": lambda: model.e1(x), "e2": lambda: model.e2(x, z), "cascade": lambda: model(x)}
    return {"input": size, "params_m": round(sum(p.numel() for p in model.parameters()) / 1e6, 2)}, parts


def weights_parts(path: str, device: torch.device, dtype: torch.dtype) -> tuple[dict, dict]:
    """A checkpoint's network as the app runs it on each photo: `predict` parses and grades the
    photo and its mirror, and trained weights may grade at their own `grading_size`, so its cost
    per photo is about twice the untrained `compact` cascade's single forward pass."""
    from models.pipeline.loader import load_model

    model = load_model(path, str(device)).model.to(dtype=dtype).eval()
    size = model.config.input_size
    x = torch.rand(1, 3, size, size, device=device, dtype=dtype)
    facts = {"weights": Path(path).name, "input": size, "grading_size": model.config.grading_size}
    return facts, {"forward": lambda: model(x), "predict": lambda: model.predict(x)}


def deeplab_call(size: int, device: torch.device, dtype: torch.dtype) -> Callable[[], object]:
    from torchvision.models.segmentation import deeplabv3_resnet101

    model = deeplabv3_resnet101(weights=None, weights_backbone=None, aux_loss=False).to(device=device, dtype=dtype).eval()
    x = torch.rand(1, 3, size, size, device=device, dtype=dtype)
    return lambda: model(x)


def cascade_report(facts: dict, parts: dict, times: dict, prefix: str) -> dict:
    result = dict(facts)
    for part, fn in parts.items():
        result[f"{part}_ms"] = times[f"{prefix}{part}"]["ms"]
        result[f"{part}_cpu_ms"] = times[f"{prefix}{part}"]["cpu_ms"]
        result[f"{part}_gmac"] = round(gmac(fn), 2)
    return result


def ratio(a: dict, a_key: str, b: dict, b_key: str) -> dict:
    """a over b in wall time, in process CPU time (less sensitive to other processes), and in GMAC."""
    return {
        "time": round(a[f"{a_key}ms"] / b[f"{b_key}ms"], 3),
        "cpu_time": round(a[f"{a_key}cpu_ms"] / b[f"{b_key}cpu_ms"], 3),
        "gmac": round(a[f"{a_key}gmac"] / b[f"{b_key}gmac"], 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(description=__doc__.split("\n\n")[0])  # a bad option is one line, exit 2
    parser.add_argument("--json", action="store_true", help="one-line JSON (without it: the same JSON, indented)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--dtype", default="fp32", choices=["fp32", "bf16", "fp16"])
    parser.add_argument("--repeats", type=arg_types.count, default=None, help="timed rounds (default 5; 10 with --quick)")
    parser.add_argument("--quick", action="store_true", help="compact config only")
    parser.add_argument("--weights", type=existing_file, default=None,
                        help="also time this checkpoint's forward pass and predict (photo + mirror, as the app)")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[args.dtype]
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA GPU is available")
    repeats = args.repeats or (10 if args.quick else 5)
    load_at_start = load_average()
    torch.manual_seed(0)
    compact, compact_parts = cascade_parts("compact", 256, device, dtype)
    fns = {f"compact_{part}": fn for part, fn in compact_parts.items()}
    if args.weights:
        weights, weights_fns = weights_parts(args.weights, device, dtype)
        fns.update({f"weights_{part}": fn for part, fn in weights_fns.items()})
    if not args.quick:
        paper, paper_parts = cascade_parts("paper", 512, device, dtype)
        fns.update({f"paper_{part}": fn for part, fn in paper_parts.items()})
        fns["deeplabv3"] = deeplab_call(512, device, dtype)
    times = time_interleaved(fns, repeats, device)
    report: dict = {
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "dtype": args.dtype,
        "batch": 1,
        "compact": cascade_report(compact, compact_parts, times, "compact_"),
    }
    if args.weights:
        report["weights"] = cascade_report(weights, weights_fns, times, "weights_")
    if not args.quick:
        report["paper"] = cascade_report(paper, paper_parts, times, "paper_")
        ref = {"input": 512, **times["deeplabv3"], "gmac": round(gmac(fns["deeplabv3"]), 2)}
        report["deeplabv3_resnet101"] = ref
        report["paper_e1_over_deeplabv3"] = ratio(report["paper"], "e1_", ref, "")
        report["paper_over_compact_cascade"] = ratio(report["paper"], "cascade_", report["compact"], "cascade_")
    report["ran_on"] = ran_on(repeats, WARMUP, load_at_start)
    print(json.dumps(report, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
