"""The command line in hostile clinic environments: a memory limit that keeps PyTorch from loading,
and allocation sizes too small for GiB."""

from __future__ import annotations

import argparse

import pytest

from app.cli import TORCH_MEMORY_LIMIT_LINE, main, out_of_memory_line, torch_load_failure_line


@pytest.mark.parametrize("error", [
    ImportError("libtorch_cuda.so: failed to map segment from shared object"),
    OSError("/venv/lib/torch/lib/libtorch_global_deps.so: cannot allocate memory"),
])
def test_torch_kept_from_loading_by_a_memory_limit_is_one_line(error, capsys, monkeypatch) -> None:
    # under `ulimit -v 3000000`, `palsy assess` printed a traceback ending in the loader's ImportError
    import app.commands.info as info

    def loading_torch(args) -> int:
        raise error

    monkeypatch.setattr(info, "run", loading_torch)
    assert main(["info"]) == 2
    err = capsys.readouterr().err
    assert err == f"palsy: error: {TORCH_MEMORY_LIMIT_LINE}\n"
    assert "ulimit -v" in err and "6 GB" in err and "Traceback" not in err


def test_other_import_and_os_errors_are_not_called_a_memory_limit() -> None:
    assert torch_load_failure_line(ImportError("No module named 'cv2'")) is None
    assert torch_load_failure_line(OSError(12, "Cannot allocate memory")) is None  # a fork, not a library
    assert torch_load_failure_line(RuntimeError("failed to map segment from shared object")) is None


def test_an_unknown_import_error_still_shows_its_traceback(monkeypatch) -> None:
    import app.commands.info as info

    def broken(args) -> int:
        raise ImportError("No module named 'cv2'")

    monkeypatch.setattr(info, "run", broken)
    with pytest.raises(ImportError):
        main(["info"])


def test_a_small_failed_allocation_is_not_zero_gib() -> None:
    # `palsy train` at `ulimit -v 4000000` said "an allocation of 0.00 GiB failed"
    args = argparse.Namespace(command="train")
    small = out_of_memory_line(args, "DefaultCPUAllocator: can't allocate memory: you tried to allocate 3145728 bytes.")
    assert "an allocation of 3.00 MiB failed" in small
    tiny = out_of_memory_line(args, "you tried to allocate 4096 bytes")
    assert "an allocation of 4.00 KiB failed" in tiny
    large = out_of_memory_line(args, "you tried to allocate 987842478 bytes")
    assert "an allocation of 0.92 GiB failed" in large


def test_an_out_of_memory_error_about_another_file_is_not_a_library_load() -> None:
    # ".so" in "/home/u/.sonar/x.db" read as a shared library: the PyTorch line for a database error
    from app.cli import torch_load_failure_line

    assert torch_load_failure_line(OSError(12, "Cannot allocate memory: /home/u/.sonar/x.db")) is None
    assert torch_load_failure_line(OSError(12, "libc10.so.2: cannot allocate memory")) is not None
