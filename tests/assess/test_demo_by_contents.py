"""A checkpoint is the demonstration model by what it holds, not only by its file name or its
file's bytes (audit: a re-saved or config-edited copy of the demo weights graded without the
"NOT FOR DIAGNOSIS" warning). `models.resources.is_demo_weights` reads the digest of the weights
(`state_sha256`) and the training command the file records, without torch; the GUI banner,
Settings, the report and the self-test all ask it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch
from pypdf import PdfReader

import models.resources as resources
from app.analysis import load_model
from app.cli import main
from app.report.pdf import is_demo_record
from app.weights_info import weights_info
from models.cascade import build_model
from models.checkpoint import save_checkpoint, sha256_of
from models.config import COMPACT
from models.pipeline.loader import clear_model_cache

WARNING = "DEMONSTRATION MODEL — NOT FOR DIAGNOSIS"
DEMO_RUN = {"command": "palsy train demo --minutes 5", "data": "synthetic"}


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in shipped weights folder: a small demo checkpoint written by `palsy train demo`
    with its manifest, as `resources/weights/` holds them."""
    folder = tmp_path / "shipped"
    folder.mkdir()
    demo = folder / resources.DEMO_WEIGHTS
    save_checkpoint(build_model(COMPACT.with_input_size(64), seed=0), demo, training=DEMO_RUN, half=True)
    manifest = {"files": {resources.DEMO_WEIGHTS: {"sha256": sha256_of(demo), "config": "compact"}}}
    (folder / resources.WEIGHTS_MANIFEST).write_text(json.dumps(manifest))
    monkeypatch.setattr(resources, "weights_dir", lambda: folder)
    clear_model_cache()
    yield demo
    clear_model_cache()


def _resave(source: Path, target: Path, edit=None, **save) -> Path:  # noqa: ANN001 - a small test helper
    payload = torch.load(source, weights_only=True)
    if edit is not None:
        edit(payload)
    torch.save(payload, target, **save)
    return target


def _all_callers_say(path: Path) -> bool:
    """The banner's (load_model), Settings' (weights_info) and the report's (is_demo_record) answers,
    which must agree."""
    handle = load_model(str(path), "cpu")
    answers = {handle.is_demo, weights_info(str(path)).is_demo, is_demo_record(handle.meta)}
    assert len(answers) == 1, answers
    return answers.pop()


def test_a_resaved_copy_of_the_demo_is_demo(shipped: Path, tmp_path: Path) -> None:
    copy = _resave(shipped, tmp_path / "clinic.pt")
    assert sha256_of(copy) != sha256_of(shipped)  # other bytes, the same weights
    assert _all_callers_say(copy)
    legacy = _resave(shipped, tmp_path / "old_format.pt", _use_new_zipfile_serialization=False)
    assert resources.is_demo_weights(legacy, sha256_of(legacy))


def test_the_demo_with_an_edited_configuration_is_demo(shipped: Path, tmp_path: Path) -> None:
    def edit(payload: dict) -> None:
        payload["config"] = {**payload["config"], "e2_negative_slope": 0.3}
        payload.pop("config_sha256", None)  # as in the shipped file, which predates the field
        payload["format_version"] = 1

    assert _all_callers_say(_resave(shipped, tmp_path / "clinic.pt", edit))


def test_a_reproduction_of_the_demo_is_demo_by_its_command(shipped: Path, tmp_path: Path) -> None:
    # `palsy train demo --out DIR` trains other weights (another digest) but records its command
    other = tmp_path / "reproduced.pt"
    save_checkpoint(build_model(COMPACT.with_input_size(64), seed=1), other, training=DEMO_RUN)
    assert _all_callers_say(other)


def test_a_clinic_model_is_not_demo_unless_it_still_holds_the_demo_weights(shipped: Path, tmp_path: Path) -> None:
    clinic_run = {"command": "palsy train clinic", "data": "the clinic's patients"}
    trained = tmp_path / "clinic.pt"
    save_checkpoint(build_model(COMPACT.with_input_size(64), seed=1), trained, training=clinic_run)
    assert not _all_callers_say(trained)

    # fine-tuning that changed nothing: the demo's weights under the clinic's command
    unchanged = _resave(shipped, tmp_path / "unchanged.pt", lambda p: p.__setitem__("training", clinic_run))
    assert _all_callers_say(unchanged)


def test_a_stored_record_keeps_its_answer_after_the_file_changes(shipped: Path, tmp_path: Path) -> None:
    copy = _resave(shipped, tmp_path / "clinic.pt")
    record = {"path": str(copy), "sha256": sha256_of(copy)}
    assert is_demo_record(record)
    save_checkpoint(build_model(COMPACT.with_input_size(64), seed=1), copy)  # replaced by other weights
    os.utime(copy, ns=(1, 1))
    assert is_demo_record(record)  # the record is of the demo copy, as it was when graded
    assert not is_demo_record({"path": str(copy), "sha256": sha256_of(copy)})


def test_the_summary_runs_no_code(tmp_path: Path) -> None:
    flag = tmp_path / "ran"

    class Evil:
        def __reduce__(self):  # noqa: ANN204
            return (os.system, (f"touch {flag}",))

    evil = tmp_path / "evil.pt"
    torch.save({"format": "palsy-grader-checkpoint", "x": Evil()}, evil)
    assert resources.read_checkpoint_summary(evil) is None
    assert not resources.is_demo_weights(evil, None) and not flag.exists()
    (tmp_path / "junk.pt").write_bytes(b"\x80\x04junk")
    assert resources.read_checkpoint_summary(tmp_path / "junk.pt") is None


def test_palsy_assess_with_a_resaved_demo_copy_warns(capsys: pytest.CaptureFixture, patient_dir: Path, shipped: Path,
                                                      tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    copy = _resave(shipped, tmp_path / "x" / "clinic.pt")
    out = tmp_path / "o"
    assert main(["assess", str(patient_dir), "--out", str(out), "--weights", str(copy), "--device", "cpu"]) == 0
    capsys.readouterr()
    assert WARNING in " ".join(PdfReader(str(out / "report.pdf")).pages[0].extract_text().split())


@pytest.mark.skipif(not (resources.resources_dir() / "weights" / resources.DEMO_WEIGHTS).is_file(),
                    reason="the shipped demo weights are not in this checkout")
def test_the_real_shipped_weights_resaved(tmp_path: Path) -> None:
    shipped = resources.resources_dir() / "weights" / resources.DEMO_WEIGHTS
    copy = _resave(shipped, tmp_path / "clinic.pt")
    assert resources.is_demo_weights(copy, sha256_of(copy)) and weights_info(str(copy)).is_demo


def _forget_this_process() -> None:
    """What a restart forgets: every file read and every verdict taken in this process."""
    resources._SUMMARIES.clear()
    resources._VERDICTS.clear()
    resources._LOADED_DEMO.clear()
    clear_model_cache()


def test_the_stored_record_keeps_the_demo_warning_after_a_restart(capsys: pytest.CaptureFixture, patient_dir: Path,
                                                                  shipped: Path, tmp_path: Path) -> None:
    # review: a re-saved copy of the demo weights, graded, then moved or replaced; after a restart
    # the record (path + sha256 only) no longer named the demo and the PDF lost its warning
    (tmp_path / "x").mkdir()
    copy = _resave(shipped, tmp_path / "x" / "clinic.pt")
    out = tmp_path / "o"
    assert main(["assess", str(patient_dir), "--out", str(out), "--weights", str(copy), "--device", "cpu"]) == 0
    capsys.readouterr()
    cli_record = json.loads((out / "assessment.json").read_text(encoding="utf-8"))["model"]
    handle = load_model(str(copy), "cpu")  # the GUI: its handle's record and what run_analysis stores
    from app.analysis import run_analysis
    from models.pipeline.images import load_image
    from models.pipeline.progress import NullProgress

    photos = {p.stem: load_image(p) for p in sorted(patient_dir.glob("*.png"))}
    gui_record = run_analysis(photos, handle, NullProgress()).to_json()["model"]
    for record in (cli_record, handle.meta, gui_record):
        assert record["demo"] is True
        assert record["state_sha256"] and record["training_command"] == DEMO_RUN["command"]

    copy.unlink()  # moved away, or replaced: the file no longer tells
    _forget_this_process()
    for record in (cli_record, gui_record):
        assert is_demo_record(record)
        assert is_demo_record({**record, "demo": None})  # the recorded digest and command say it too
        assert not is_demo_record({"path": record["path"], "sha256": record["sha256"]})  # what was stored before
    from app.report.pdf import ReportContext, write_report

    body = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    write_report(tmp_path / "again.pdf", body, ReportContext(), {})
    assert WARNING in " ".join(PdfReader(str(tmp_path / "again.pdf")).pages[0].extract_text().split())


def test_a_recorded_demo_false_never_outweighs_the_name_or_digest(shipped: Path) -> None:
    assert is_demo_record({"path": "/gone/my_demo.pt", "sha256": None, "demo": False})
    assert is_demo_record({"path": "/gone/clinic.pt", "sha256": sha256_of(shipped), "demo": False})
    assert not is_demo_record({"path": "/gone/clinic.pt", "sha256": "0" * 64, "demo": False})
    assert is_demo_record({"path": "/gone/clinic.pt", "sha256": "0" * 64, "demo": True})


def test_a_file_replaced_with_the_same_size_and_time_is_read_again(shipped: Path, tmp_path: Path) -> None:
    # review: the cache was keyed on (path, size, mtime); `cp -p` of a same-size demo reproduction
    # over other weights kept the old "not demo" answer, even with the caller's fresh sha256
    model = build_model(COMPACT.with_input_size(64), seed=1)
    demo, other = tmp_path / "a.pt", tmp_path / "b.pt"
    save_checkpoint(model, demo, training={"command": "palsy train demo"}, half=True)
    save_checkpoint(model, other, training={"command": "palsy train abcd"}, half=True)
    assert demo.stat().st_size == other.stat().st_size
    stamp = (1_700_000_000_000_000_000,) * 2
    target = tmp_path / "clinic.pt"
    target.write_bytes(other.read_bytes())
    os.utime(target, ns=stamp)
    assert not resources.is_demo_weights(target, None)

    new = tmp_path / "clinic.new"  # replaced by rename: another inode
    new.write_bytes(demo.read_bytes())
    os.utime(new, ns=stamp)
    os.replace(new, target)
    assert resources.is_demo_weights(target, None)
    assert resources.is_demo_weights(target, sha256_of(target))

    target.write_bytes(other.read_bytes())  # overwritten in place: the same inode, a new change time
    os.utime(target, ns=stamp)
    assert not resources.is_demo_weights(target, None)


def test_a_stale_cache_entry_gives_way_to_the_callers_digest(shipped: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # a file system whose stat cannot tell the two files apart: the caller's fresh sha256 can
    model = build_model(COMPACT.with_input_size(64), seed=1)
    demo, other = tmp_path / "a.pt", tmp_path / "b.pt"
    save_checkpoint(model, demo, training={"command": "palsy train demo"}, half=True)
    save_checkpoint(model, other, training={"command": "palsy train abcd"}, half=True)
    target = tmp_path / "clinic.pt"
    target.write_bytes(other.read_bytes())
    frozen = target.stat()
    real_stat = Path.stat
    monkeypatch.setattr(Path, "stat", lambda self, **kw: frozen if self == target else real_stat(self, **kw))
    assert not resources.is_demo_weights(target, sha256_of(target))
    target.write_bytes(demo.read_bytes())
    assert resources.is_demo_weights(target, sha256_of(target))
