"""benchmarks/cascade_vs_end_to_end.py: both arms per patient count, scored on the same patients."""

from __future__ import annotations

import json
import sys

import pytest
import torch

from models.checkpoint import load_checkpoint
from tests.scripts import load_script
from tests.train.conftest import draw_patients

pytestmark = pytest.mark.usefixtures("one_thread")


def _run(monkeypatch, capsys, *argv: str) -> dict:
    module = load_script("benchmarks/cascade_vs_end_to_end.py")
    monkeypatch.setattr(sys, "argv", ["cascade_vs_end_to_end.py", *argv])
    module.main()
    return json.loads(capsys.readouterr().out)


def _same_e1(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.e1.state_dict(), b.e1.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k].float(), sb[k].float()) for k in sa)


def test_both_arms_per_count_on_the_same_held_out_patients(tmp_path, monkeypatch, capsys, tiny_patients, tiny_weights) -> None:
    held_out = draw_patients(tmp_path / "held_out", 6, seed=7)
    work = tmp_path / "work"
    result = _run(monkeypatch, capsys, "--train", str(tiny_patients), "--eval", str(held_out), "--patients", "3", "6",
                  "--minutes", "0.01", "--e1", str(tiny_weights), "--input-size", "64", "--work", str(work))
    assert [row["patients"] for row in result["runs"]] == [3, 6]
    assert result["eval_patients"] == 6 and result["input_size"] == 64
    for row in result["runs"]:
        for arm in ("cascaded", "end_to_end"):
            assert row[arm]["steps"] >= 1
            assert sum(map(sum, row[arm]["patient"]["confusion"])) == 6  # every held-out patient, once
            assert sum(map(sum, row[arm]["photo"]["confusion"])) == 36  # and each of their six photos
            assert 0.0 <= row[arm]["patient"]["accuracy"] <= 1.0
            assert row[arm]["cache"] is None  # live by default
    source, _ = load_checkpoint(tiny_weights)
    cascaded, _ = load_checkpoint(work / "cascaded_3.pt")
    end_to_end, _ = load_checkpoint(work / "end_to_end_3.pt")
    assert _same_e1(cascaded, source)  # frozen: the E1 of --e1, untouched
    assert not _same_e1(end_to_end, source)  # trained from scratch
    log = [json.loads(line) for line in (work / "cascaded_6.jsonl").read_text().splitlines()]
    assert log[-1]["event"] == "end" and log[-1]["stage"] == "cascaded_6"


def test_more_patients_than_the_set_holds_is_refused(tmp_path, monkeypatch, capsys, tiny_patients, tiny_weights) -> None:
    with pytest.raises(SystemExit) as exc:
        _run(monkeypatch, capsys, "--train", str(tiny_patients), "--eval", str(tiny_patients), "--patients", "19",
             "--minutes", "0.01", "--e1", str(tiny_weights), "--input-size", "64", "--work", str(tmp_path / "w"))
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--patients 19" in err and "has 18 patients" in err
    assert not (tmp_path / "w").exists()  # refused before anything was written


def test_one_arm_on_cached_features(tmp_path, monkeypatch, capsys, tiny_patients, tiny_weights) -> None:
    work = tmp_path / "work"
    result = _run(monkeypatch, capsys, "--train", str(tiny_patients), "--eval", str(tiny_patients), "--patients", "6",
                  "--minutes", "0.01", "--e1", str(tiny_weights), "--input-size", "64", "--work", str(work),
                  "--arms", "cascaded", "--cache-variants", "2")
    assert result["cache_variants"] == 2
    assert list(result["runs"][0]) == ["patients", "cascaded"]  # the end-to-end arm was not trained
    assert not (work / "end_to_end_6.pt").exists()
    assert result["runs"][0]["cascaded"]["cache"]["variants"] == 2  # trained on 2 cached copies a photo
    assert result["runs"][0]["cascaded"]["cache"]["copies"] == 2 * 6 * 6
