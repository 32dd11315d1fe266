"""benchmarks/batch_speed.py: batch draw times and prefetch rates, at toy scale."""

from __future__ import annotations

import json

from tests.scripts import load_script


def test_batch_speed_reports_each_size_and_thread_count(capsys) -> None:
    module = load_script("benchmarks/batch_speed.py")
    result = module.main(["--sizes", "32,64", "--threads", "0,2", "--patients", "1", "--repeats", "2", "--batches", "4",
                          "--batch", "2"])
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(result))
    assert set(result["per_size"]) == {32, 64}
    for timing in result["per_size"].values():
        assert timing["batch_ms"] > 0 and timing["jitter_ms_per_photo"] >= 0
    rates = result["prefetch_batches_per_s"]
    assert rates["size"] == 64 and rates["0"] > 0 and rates["2"] > 0


def test_the_prefetch_rate_stops_its_clock_before_the_threads_shut_down(monkeypatch) -> None:
    import time

    module = load_script("benchmarks/batch_speed.py")

    class SlowToClose:
        """Hands out batches at once; its close waits, as for draws still running past the last batch."""

        def __init__(self, draw, seed: int, threads: int) -> None:
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            time.sleep(1.0)

        def get(self, step: int) -> None:
            return None

    monkeypatch.setattr(module, "BatchPrefetcher", SlowToClose)
    assert module._prefetch_rate(None, threads=2, batches=10) > 20  # 10 batches in well under 0.5 s
