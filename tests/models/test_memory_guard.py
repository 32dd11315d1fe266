"""The spatial attention's memory is estimated before anything runs (audit finding 1): a
configuration whose N x N energy matrices would ask for gigabytes is refused with one line,
when built and when a checkpoint is loaded; an allocation failure mid-command is one line
too, not a traceback."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import torch

import app.cli as cli
from models.cascade import build_model
from models.checkpoint import load_checkpoint, save_checkpoint
from models.config import (
    ATTENTION_BATCH_BUDGET,
    ATTENTION_PHOTO_LIMIT,
    CONFIGS,
    E1_STRIDE,
    MAX_PHOTOS_PER_PASS,
    attention_bytes,
    get_config,
    max_attention_input_size,
    photos_per_pass,
)
from models.errors import CheckpointError, InputError


def test_the_estimate_uses_the_feature_map_the_attention_sees() -> None:
    # N is the number of positions of E1's z: input / E1_STRIDE on each side
    model = build_model(get_config("compact").with_input_size(64), seed=0).eval()
    with torch.inference_mode():
        out = model.e1(torch.rand(1, 3, 64, 64), with_attention=True)
    assert out["z"].shape[-2:] == (64 // E1_STRIDE, 64 // E1_STRIDE)
    assert attention_bytes(64, 1) == 3 * (8 * 8) ** 2 * 4
    # the assessment batches 8 photos at the shipped sizes, fewer where the attention needs it
    assert photos_per_pass(256) == photos_per_pass(512) == MAX_PHOTOS_PER_PASS == 8
    assert photos_per_pass(768) == 4 and photos_per_pass(1024) == 1 and photos_per_pass(1280) == 1
    for size in (256, 512, 640, 768, 896):
        assert attention_bytes(size, photos_per_pass(size)) <= ATTENTION_BATCH_BUDGET


def test_shipped_configs_fit_and_large_inputs_are_refused() -> None:
    for config in CONFIGS.values():  # the paper's 512 px and the compact 256 px
        assert attention_bytes(config.input_size) <= ATTENTION_PHOTO_LIMIT
        config.with_input_size(1024)  # a GPU's 1024-px experiments stay possible
        config.with_input_size(max_attention_input_size())
    assert max_attention_input_size() == 1280
    for size in (1312, 1536, 2048):
        with pytest.raises(InputError, match=rf"input_size={size}: its spatial attention would need about .* GiB for one photo.*up to 1280 px"):
            get_config("compact").with_input_size(size)


@pytest.mark.parametrize("size", [1536, 2048])
def test_a_checkpoint_with_only_its_input_size_edited_is_refused_on_loading(tmp_path: Path, size: int) -> None:
    # the auditor's file: the demo's weights (digest unchanged) with config input_size raised;
    # files from before config_sha256 (the shipped demo among them) carry no configuration digest
    path = tmp_path / "tiny.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), path)
    payload = torch.load(path, weights_only=True)
    payload["config"] = dict(payload["config"], input_size=size)
    del payload["config_sha256"]
    payload["format_version"] = 1  # as those files are (format 2 requires the digest)
    edited = tmp_path / f"input{size}.pt"
    torch.save(payload, edited)
    with pytest.raises(CheckpointError) as caught:
        load_checkpoint(edited)
    message = str(caught.value)
    assert "spatial attention would need" in message and "up to 1280 px" in message and "\n" not in message


def _main_with(monkeypatch: pytest.MonkeyPatch, error: BaseException, command: str = "assess") -> int:
    """`palsy COMMAND` (a stand-in of that name), whose handler raises `error`."""

    def build_parser() -> argparse.ArgumentParser:
        parser = cli.OneLineParser(prog="palsy")
        sub = parser.add_subparsers(dest="command")
        boom = sub.add_parser(command)

        def handler(args: argparse.Namespace) -> int:
            raise error

        boom.set_defaults(handler=handler)
        return parser

    monkeypatch.setattr(cli, "build_parser", build_parser)
    return cli.main([command])


@pytest.mark.parametrize("error", [
    RuntimeError("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate memory: "
                 "you tried to allocate 103079215104 bytes. Error code 12 (Cannot allocate memory)"),
    RuntimeError("CUDA out of memory. Tried to allocate 24.00 GiB (GPU 0; 7.79 GiB total capacity)\nmore detail"),
    MemoryError(),
])
def test_running_out_of_memory_is_one_line_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, error: BaseException) -> None:
    assert _main_with(monkeypatch, error) == 2
    err = capsys.readouterr().err
    assert err.startswith("palsy: error: out of memory in `palsy assess`") and err.count("\n") == 1
    assert "smaller input size" in err and "Traceback" not in err


def test_the_advice_fits_the_command(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """Only a command that runs a network is told about input sizes (a review found `palsy
    records` told to use other weights)."""
    assert _main_with(monkeypatch, MemoryError(), "records") == 2
    err = capsys.readouterr().err
    assert "out of memory in `palsy records`" in err and "close other programs" in err and "input size" not in err
    assert _main_with(monkeypatch, MemoryError(), "train") == 2
    assert "smaller --input-size or --batch-size" in capsys.readouterr().err


def test_the_line_says_how_much_was_asked_for(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    error = RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: "
                         "you tried to allocate 983040000 bytes. Error code 12 (Cannot allocate memory)")
    assert _main_with(monkeypatch, error) == 2
    assert "(an allocation of 0.92 GiB failed)" in capsys.readouterr().err


def test_other_runtime_errors_still_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuntimeError, match="shape mismatch"):
        _main_with(monkeypatch, RuntimeError("shape mismatch"))
