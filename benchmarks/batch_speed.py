"""How fast the training loops' batches are drawn and augmented on the CPU.

    PYTHONPATH=. python benchmarks/batch_speed.py [--sizes 128,256,512] [--threads 0,1,2,4] [--batch 8]

Renders a few synthetic patients, then times `GradingBatcher` (the stage-2 / end-to-end
augmentation: warp, mirror, colour jitter, tensor) per batch at each input size, the colour
jitter alone per photo, and the batches per second that `BatchPrefetcher` delivers with each
number of drawing threads at the largest size (the median of `--rounds` measurements, the
thread counts taking turns after a warm-up, with their min and max). Prints one JSON object.
On a GPU machine the batch rate is what the training loop can reach at most (docs/gpu.md); on
a 2-core CPU the training step itself needs the cores, so the loops draw inline there.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cli import OneLineParser  # noqa: E402
from app.commands import arg_types  # noqa: E402
from benchmarks.ran_on import load_average, ran_on  # noqa: E402
from models.data.augment import colour_jitter  # noqa: E402
from models.data.synthetic.patient import make_patient, render_expression  # noqa: E402
from models.labels import EXPRESSIONS, GRADES  # noqa: E402
from models.train.prefetch import BatchPrefetcher, batch_rng  # noqa: E402
from models.train.sources import GradingBatcher, GradingSource  # noqa: E402
from models.train.stages import grading_augmenter  # noqa: E402


def _source(size: int, patients: int) -> GradingSource:
    source = GradingSource()
    for seed in range(patients):
        patient = make_patient(500 + seed)
        for expression in EXPRESSIONS:
            image, _ = render_expression(patient, expression, size)
            source.images.append(image)
            source.grades.append(GRADES.index(patient.grade))
            source.sides.append(patient.side)
    return source


def _batcher(source: GradingSource, size: int, batch: int) -> GradingBatcher:
    return GradingBatcher(source, grading_augmenter(size), batch)


def _median_ms(fn, repeats: int) -> float:
    fn(0)  # warm-up
    times = []
    for k in range(1, repeats + 1):
        start = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - start)
    return round(1000 * statistics.median(times), 2)


def _prefetch_rate(batcher: GradingBatcher, threads: int, batches: int) -> float:
    """Batches per second handed out in order, as the training loop asks for them."""
    start = time.perf_counter()
    if threads == 0:
        for step in range(batches):
            batcher(batch_rng(0, step))
        elapsed = time.perf_counter() - start
    else:
        with BatchPrefetcher(batcher, seed=0, threads=threads) as prefetch:
            for step in range(batches):
                prefetch.get(step)
            # timed before the close, which waits for the draws running beyond the last batch asked for
            elapsed = time.perf_counter() - start
    return round(batches / elapsed, 1)


def _prefetch_rates(batcher: GradingBatcher, threads: list[int], batches: int, rounds: int) -> dict[int, list[float]]:
    """Each thread count's rates over `rounds` rounds, the counts taking turns (0, 1, 0, 1...)
    after one untimed round of each: measured once each and cold, inline drawing read anywhere
    from 1.2x to 11x slower than one thread on the same busy machine."""
    for count in threads:
        _prefetch_rate(batcher, count, batches)
    rates: dict[int, list[float]] = {count: [] for count in threads}
    for _ in range(rounds):
        for count in threads:
            rates[count].append(_prefetch_rate(batcher, count, batches))
    return rates


def _thread_counts(text: str, parser: OneLineParser) -> list[int]:
    """The --threads list; a count given twice is refused (its second figure replaced the first)."""
    counts = [int(x) for x in text.split(",")]
    repeated = sorted({c for c in counts if counts.count(c) > 1})
    if repeated:
        parser.error(f"argument --threads: {', '.join(map(str, repeated))} given twice; give each thread count once")
    return counts


def main(argv: list[str] | None = None) -> dict:
    parser = OneLineParser(description=__doc__.split("\n\n")[0])  # a bad option is one line, exit 2
    parser.add_argument("--sizes", default="128,256,512")
    parser.add_argument("--threads", default="0,1,2,4", help="drawing threads to compare (0: inline)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--patients", type=int, default=4)
    parser.add_argument("--repeats", type=arg_types.count, default=15)
    parser.add_argument("--batches", type=arg_types.count, default=40, help="batches per prefetch measurement")
    parser.add_argument("--rounds", type=arg_types.count, default=5, help="prefetch measurements per thread count")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    threads = _thread_counts(args.threads, parser)
    load_at_start = load_average()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    result: dict = {"benchmark": "batch_speed", "batch": args.batch, "per_size": {}}
    for size in sizes:
        source = _source(size, args.patients)
        batcher = _batcher(source, size, args.batch)
        image = source.images[0]
        result["per_size"][size] = {
            "batch_ms": _median_ms(lambda k, b=batcher: b(batch_rng(1, k)), args.repeats),
            "jitter_ms_per_photo": _median_ms(lambda k, im=image: colour_jitter(im, np.random.default_rng(k), 0.25), args.repeats),
        }
    largest = _batcher(_source(max(sizes), args.patients), max(sizes), args.batch)
    rates = _prefetch_rates(largest, threads, args.batches, args.rounds)
    result["prefetch_batches_per_s"] = {"size": max(sizes), **{str(t): statistics.median(r) for t, r in rates.items()}}
    result["prefetch_min_max"] = {str(t): [min(r), max(r)] for t, r in rates.items()}
    result["prefetch_rounds"] = args.rounds
    result["ran_on"] = ran_on(args.repeats, 1, load_at_start)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
