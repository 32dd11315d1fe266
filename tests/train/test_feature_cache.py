"""Stage 2 on cached E1 features (`--cache-variants`): the cache holds what the live step would
compute, half of its copies mirrored, grades balanced; training on it is cascaded only."""

import numpy as np
import pytest
import torch

from models.cascade import CascadeNet
from models.config import get_config
from models.data.augment import Augmenter
from models.errors import InputError
from models.train.feature_cache import (
    GradingFeatureCache,
    bytes_per_copy,
    cache_note,
    cached_grading_step,
    variants_that_fit,
)
from models.train.loop import LoopSettings
from models.train.sources import GradingSource
from models.train.stages import grading_step, train_grading

CPU = torch.device("cpu")
# No warp, no jitter: a copy is the photo itself or its mirror image.
PLAIN = Augmenter(64, scale=(1.0, 1.0), rotation=0.0, shift=0.0, jitter=0.0)


@pytest.fixture(autouse=True)
def _one_thread(one_thread):
    yield


def _net(grading_size=None) -> CascadeNet:
    config = get_config("compact").with_input_size(64)
    if grading_size:
        config = config.with_grading_size(grading_size)
    torch.manual_seed(0)
    net = CascadeNet(config)
    net.freeze_e1()
    return net.train()


def _source(grades=(0, 0, 0, 3, 5)) -> GradingSource:
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (64, 64, 3), dtype=np.uint8) for _ in grades]
    return GradingSource(images=images, grades=list(grades), sides=["left"] * len(grades))


def test_copies_are_the_photo_and_its_mirror_with_the_z_e1_gives_them():
    net, source = _net(), _source()
    cache = GradingFeatureCache.build(net, source, PLAIN, variants=2, seed=0, device=CPU)
    n = len(source)
    assert len(cache) == 2 * n and cache.images.dtype == torch.uint8 and cache.z.dtype == torch.float16
    for i in range(n):
        assert np.array_equal(cache.images[i].numpy(), source.images[i])  # copy 0: unmirrored
        assert np.array_equal(cache.images[n + i].numpy(), source.images[i][:, ::-1])  # copy 1: mirrored
    assert cache.grades.tolist() == list(source.grades) * 2
    photos = cache.images.permute(0, 3, 1, 2).float() / 255.0
    with torch.no_grad():
        z = net.e1.encode(photos)
    assert torch.allclose(cache.z.float(), z, rtol=2e-3, atol=2e-3)  # fp16 storage
    assert net.e1_frozen and not net.e1.training  # the build leaves E1 as it found it


def test_a_cached_step_computes_the_loss_of_the_live_step():
    net, source = _net(), _source()
    cache = GradingFeatureCache.build(net, source, PLAIN, variants=1, seed=0, device=CPU)
    images, _, grades = cache.batch(np.random.default_rng(3), 4)
    live = grading_step(lambda rng: (images, grades, None))
    net.eval()  # no dropout: the two paths must give the same logits
    cached_loss, _ = cached_grading_step(cache, 4)(net, np.random.default_rng(3), CPU)
    live_loss, _ = live(net, None, CPU)
    assert abs(float(cached_loss.detach()) - float(live_loss.detach())) < 1e-3
    cached_loss.backward()
    assert all(p.grad is None for p in net.e1.parameters())
    assert all(p.grad is not None for p in net.e2.parameters())


def test_the_cache_holds_photos_at_the_size_e2_grades_at():
    net = _net(grading_size=32)
    cache = GradingFeatureCache.build(net, _source(), PLAIN, variants=1, seed=0, device=CPU)
    assert tuple(cache.images.shape[1:]) == (32, 32, 3) and tuple(cache.z.shape[-2:]) == (4, 4)
    assert bytes_per_copy(net) == 3 * 32 * 32 + 2 * net.e1.z_channels * 4 * 4


def test_draws_balance_the_grades_and_are_deterministic():
    cache = GradingFeatureCache.build(_net(), _source(), PLAIN, variants=1, seed=0, device=CPU)
    # three grade-I photos share one third of the draws, as do the single III and VI photos
    assert np.allclose(cache.p, [1 / 9, 1 / 9, 1 / 9, 1 / 3, 1 / 3])
    first = cache.batch(np.random.default_rng(7), 6)
    again = cache.batch(np.random.default_rng(7), 6)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    one = GradingFeatureCache.build(_net(), _source(), Augmenter(64), variants=3, seed=5, device=CPU)
    two = GradingFeatureCache.build(_net(), _source(), Augmenter(64), variants=3, seed=5, device=CPU)
    assert torch.equal(one.images, two.images) and torch.equal(one.z, two.z)


def test_memory_limit_and_bad_counts():
    assert variants_that_fit(4, photos=1000, per_copy=1_000_000, limit_gb=4.0) == 4
    assert variants_that_fit(4, photos=1000, per_copy=1_000_000, limit_gb=2.5) == 2
    assert variants_that_fit(4, photos=1000, per_copy=1_000_000, limit_gb=0.5) == 0
    with pytest.raises(InputError, match="cache-variants"):
        variants_that_fit(-1, 10, 10, 1.0)
    with pytest.raises(InputError, match="at least one"):
        GradingFeatureCache.build(_net(), _source(), PLAIN, variants=0, seed=0, device=CPU)


def test_a_cancel_stops_the_build():
    calls = []

    def report(fraction):
        calls.append(fraction)
        return True

    with pytest.raises(InputError, match="cancelled"):
        GradingFeatureCache.build(_net(), _source(), PLAIN, variants=2, seed=0, device=CPU, batch_size=2, report=report)
    assert calls == [0.2]


def test_stage2_on_the_cache_trains_e2_and_records_it(tiny_patients, tiny_weights, tmp_path):
    from models.checkpoint import load_checkpoint

    model, summary = train_grading(tiny_patients, tmp_path / "s2.pt", LoopSettings("grading", steps=3), CPU,
                                   init=tiny_weights, batch_size=4, cache_variants=2)
    cached = summary["augment"]["cached"]
    assert cached["variants"] == 2 and cached["copies"] == 2 * summary["data"]["photos"]
    assert summary["steps"] == 3 and summary["elapsed_s"] >= cached["build_s"]
    _, meta = load_checkpoint(tmp_path / "s2.pt")
    assert meta["training"]["augment"]["cached"]["variants"] == 2
    assert "2 augmented copies of each photo" in cache_note(summary)
    # nothing fits: the stage trains live, without a cache
    _, live = train_grading(tiny_patients, tmp_path / "s3.pt", LoopSettings("grading", steps=1), CPU,
                            init=tiny_weights, batch_size=4, cache_variants=2, cache_limit_gb=1e-9)
    assert "cached" not in live["augment"] and cache_note(live) == ""


def test_the_cache_needs_a_frozen_e1(tiny_patients, tmp_path):
    with pytest.raises(InputError, match="frozen E1"):
        train_grading(tiny_patients, tmp_path / "e.pt", LoopSettings("end-to-end", steps=1), CPU, cascaded=False,
                      input_size=64, cache_variants=2)
    net, source = _net(), _source()
    cache = GradingFeatureCache.build(net, source, PLAIN, variants=1, seed=0, device=CPU)
    net.unfreeze_e1()
    with pytest.raises(RuntimeError, match="frozen"):
        cached_grading_step(cache, 2)(net, np.random.default_rng(0), CPU)
