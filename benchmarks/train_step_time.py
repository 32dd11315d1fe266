"""Time stage-1 training steps of a configuration on this machine (DESIGN §5: measure first).

    PYTHONPATH=. python benchmarks/train_step_time.py --size 128 --batch 8 --threads 1
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from models.cascade import build_model
from models.config import get_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="compact")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    model = build_model(get_config(args.config).with_input_size(args.size), seed=0).train()
    optimizer = torch.optim.Adam(model.parameters(), 2e-4)
    images = torch.rand(args.batch, 3, args.size, args.size)
    target = torch.randint(0, model.config.num_classes, (args.batch, args.size, args.size))
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        loss = F.cross_entropy(model.forward_parsing(images)["logits"], target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    print(f"{args.config} {args.size}px batch {args.batch} threads {args.threads}: "
          f"median {statistics.median(times[2:]):.3f} s/step over {args.steps - 2} steps")


if __name__ == "__main__":
    main()
