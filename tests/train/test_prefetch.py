"""Batches drawn ahead on threads: the same batches as drawn in the loop, errors surface,
threads end, and a training run comes out the same with or without prefetching."""

import threading

import numpy as np
import pytest
import torch

from models.errors import InputError
from models.train.loop import LoopSettings
from models.train.prefetch import BatchPrefetcher, auto_threads, batch_rng
from models.train.stages import DataSpec, train_grading, train_parsing

CPU = torch.device("cpu")

# one torch thread: deterministic and fair on the shared CPU
pytestmark = pytest.mark.usefixtures("one_thread")


def draw(rng):
    return rng.integers(0, 1_000_000, size=4)


def test_prefetched_batches_are_the_ones_each_step_would_draw():
    with BatchPrefetcher(draw, seed=7, threads=3) as prefetch:
        got = [prefetch.get(step) for step in range(12)]
        skipped = prefetch.get(20)  # a jump (a resumed run starts past 0)
        after = prefetch.get(21)
    for step, batch in enumerate(got):
        assert np.array_equal(batch, draw(batch_rng(7, step)))
    assert np.array_equal(skipped, draw(batch_rng(7, 20))) and np.array_equal(after, draw(batch_rng(7, 21)))
    assert not np.array_equal(got[0], got[1])


def test_a_failing_draw_surfaces_at_its_step_and_close_ends_the_threads():
    def flaky(rng):
        value = int(rng.integers(0, 3))
        if value == 0:
            raise ValueError("corrupt photo")
        return value

    failing = next(s for s in range(50) if int(batch_rng(1, s).integers(0, 3)) == 0)
    prefetch = BatchPrefetcher(flaky, seed=1, threads=2)
    for step in range(failing):
        assert prefetch.get(step) in (1, 2)
    with pytest.raises(ValueError, match="corrupt photo"):
        prefetch.get(failing)
    prefetch.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("palsy-batches")]


def test_prefetch_needs_a_thread_and_settings_reject_negative_threads():
    with pytest.raises(ValueError):
        BatchPrefetcher(draw, seed=0, threads=0)
    with pytest.raises(InputError, match="loader-threads"):
        LoopSettings("parsing", steps=1, loader_threads=-1)
    assert auto_threads(CPU) == 0
    assert 1 <= auto_threads(torch.device("cuda")) <= 8


def _weights(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_parsing_run_is_the_same_with_batches_drawn_ahead(tiny_patients, tmp_path, monkeypatch):
    import models.train.loop as loop

    asked: list[int] = []

    class CountingPrefetcher(BatchPrefetcher):
        def get(self, step):
            asked.append(step)
            return super().get(step)

    monkeypatch.setattr(loop, "BatchPrefetcher", CountingPrefetcher)
    spec = [DataSpec(tiny_patients, split="all")]
    runs = {}
    for threads in (0, 3):
        model, summary = train_parsing(spec, tmp_path / f"p{threads}.pt", LoopSettings("parsing", steps=5, seed=2, loader_threads=threads),
                                       CPU, input_size=64, batch_size=2)
        assert summary["steps"] == 5
        runs[threads] = _weights(model)
        assert asked == ([] if threads == 0 else list(range(5)))
    for name, value in runs[0].items():
        assert torch.equal(value, runs[3][name]), name


def test_end_to_end_run_is_the_same_with_batches_drawn_ahead(tiny_patients, tmp_path):
    runs = {}
    for seed, threads in ((3, 0), (3, 2), (4, 2)):
        settings = LoopSettings("end-to-end", steps=4, seed=seed, loader_threads=threads)
        model, _ = train_grading(tiny_patients, tmp_path / f"g{seed}{threads}.pt", settings, CPU, cascaded=False,
                                 input_size=64, batch_size=2)
        runs[seed, threads] = _weights(model)
    for name, value in runs[3, 0].items():
        assert torch.equal(value, runs[3, 2][name]), name
    # Another seed (other initial weights, other batches) ends elsewhere: the comparison can tell runs apart.
    assert any(not torch.equal(value, runs[4, 2][name]) for name, value in runs[3, 0].items())
