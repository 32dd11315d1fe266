"""Time training steps of a configuration on this machine (DESIGN §5: measure first); prints JSON.

    PYTHONPATH=. python benchmarks/train_step_time.py --size 128 --batch 8 --threads 2 --precision bf16
    PYTHONPATH=. python benchmarks/train_step_time.py --stage grading --size 256 --precision fp32
    PYTHONPATH=. python benchmarks/train_step_time.py --device cuda --config paper --size 512 --precision bf16

Stage `parsing` times a stage-1 step (E1 forward, loss, backward, Adam); `grading` a stage-2
step (E1 frozen, E2 trained); `grading_cached` a stage-2 step on cached E1 features
(`--cache-variants`, models/train/feature_cache.py: z computed once, outside the timing).
Steps run under the training loop's precision helpers, so the timings are those `palsy
train --precision` gets.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cli import OneLineParser  # noqa: E402
from benchmarks.ran_on import load_average, ran_on  # noqa: E402
from models.cascade import build_model  # noqa: E402
from models.config import get_config  # noqa: E402
from models.train.precision import PRECISIONS, autocast, prepare_model, resolve_precision  # noqa: E402
from models.train.stages import GRADING_CHANNELS_LAST  # noqa: E402

WARMUP_STEPS = 2  # left out of the median: the first steps allocate and tune kernels


def timed_steps(text: str) -> int:
    """--steps: the warm-up steps plus at least one timed step."""
    try:
        steps = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if steps <= WARMUP_STEPS:
        raise argparse.ArgumentTypeError(
            f"{steps}: give at least {WARMUP_STEPS + 1} (the first {WARMUP_STEPS} are warm-up and not timed)")
    return steps


def main(argv: list[str] | None = None) -> None:
    parser = OneLineParser(description=__doc__.split("\n\n")[0])  # a bad option is one line, exit 2
    parser.add_argument("--config", default="compact")
    parser.add_argument("--stage", choices=("parsing", "grading", "grading_cached"), default="parsing")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=timed_steps, default=12,
                        help=f"steps to run, the first {WARMUP_STEPS} untimed (default 12, at least {WARMUP_STEPS + 1})")
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--layout", choices=("auto", "default", "channels_last"), default="auto",
                        help="memory layout of weights and batch (auto: what the training loop uses)")
    args = parser.parse_args(argv)
    load_at_start = load_average()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA GPU is available")
    grading = args.stage != "parsing"
    precision = resolve_precision(args.precision, device, grading=grading)  # as `palsy train` resolves "auto"
    model = build_model(get_config(args.config).with_input_size(args.size), seed=0)
    if grading:
        model.freeze_e1()
    # auto: the layout the training loop picks (the precision's for parsing, `train_grading`'s for grading)
    auto = GRADING_CHANNELS_LAST if grading else None
    channels_last = {"auto": auto, "default": False, "channels_last": True}[args.layout]
    model = prepare_model(model.to(device).train(), precision, channels_last)
    layout = "channels_last" if model.e2.features[0].weight.is_contiguous(memory_format=torch.channels_last) else "default"
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], 2e-4)
    images = torch.rand(args.batch, 3, args.size, args.size, device=device)
    target = torch.randint(0, model.config.num_classes, (args.batch, args.size, args.size), device=device)
    grades = torch.randint(0, model.config.num_grades, (args.batch,), device=device)
    cached_z = None
    if args.stage == "grading_cached":
        with torch.no_grad(), autocast(precision, device):
            cached_z = model.e1.encode(images)
    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    times = []
    for _ in range(args.steps):
        sync()
        start = time.perf_counter()
        with autocast(precision, device):
            if args.stage == "parsing":
                loss = F.cross_entropy(model.forward_parsing(images)["logits"].float(), target)
            else:
                z = cached_z
                if z is None:
                    with torch.no_grad():
                        z = model.e1.encode(images)
                loss = F.cross_entropy(model.e2(images, z).float(), grades)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        sync()
        times.append(time.perf_counter() - start)
    print(json.dumps({
        "benchmark": "train_step_time", "config": args.config, "stage": args.stage, "size": args.size,
        "batch": args.batch, "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu", "threads": args.threads, "precision": precision, "layout": layout, "steps_timed": args.steps - WARMUP_STEPS,
        "median_s_per_step": round(statistics.median(times[WARMUP_STEPS:]), 4), "torch": torch.__version__,
        "ran_on": ran_on(args.steps - WARMUP_STEPS, WARMUP_STEPS, load_at_start),
    }))


if __name__ == "__main__":
    main()
