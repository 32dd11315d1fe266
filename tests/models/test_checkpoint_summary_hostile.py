"""`models.resources.read_checkpoint_summary` on hostile files (review): it runs on the GUI
thread (Settings), so a crafted file must give None quickly and in little memory, never a
multi-second or multi-hundred-megabyte read. A real checkpoint's pickle is kilobytes. The tests
bound the bytes and opcodes the reader handles, not its time, which depends on the machine."""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path
from unittest.mock import patch

import torch

from models import resources
from models.cascade import build_model
from models.checkpoint import save_checkpoint
from models.config import COMPACT
from models.resources import read_checkpoint_summary

SUMMARY = {"state_sha256": "ab" * 32, "training": {"command": "palsy train demo"}}
_LEGACY_HEAD = (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001})  # torch's legacy magic, protocol, sys info


def _zip(tmp_path: Path, body: bytes, name: str = "hostile.pt") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", body)
    return path


def _legacy(tmp_path: Path, payload: object, name: str = "hostile.legacy") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(pickle.dumps(x, 2) for x in _LEGACY_HEAD) + pickle.dumps(payload, 4))
    return path


class _Recording(resources._MetadataUnpickler):  # noqa: SLF001 - counts the work of the reader under test
    """The summary reader's unpickler, remembering how many bytes it was given."""

    made: list[_Recording] = []

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file)
        self.given = len(file.getbuffer())
        self.made.append(self)


def _quick(path: Path) -> object:
    """The summary, with the work bounded rather than timed (a busy machine is slow, not wrong):
    at most 8 MB read or inflated, and 200,000 pickle opcodes run (the one over is counted, not run)."""
    _Recording.made = []
    with patch.object(resources, "_MetadataUnpickler", _Recording):
        found = read_checkpoint_summary(path)
    assert all(u.given <= 8 * 2**20 and u.opcodes <= 200_001 for u in _Recording.made)
    return found


def test_real_checkpoints_are_still_read(tmp_path: Path) -> None:
    model = build_model(COMPACT.with_input_size(64), seed=0)
    path = tmp_path / "w.pt"
    save_checkpoint(model, path, training={"command": "palsy train demo"}, half=True)
    assert read_checkpoint_summary(path).command == "palsy train demo"
    # a torch state dict (an OrderedDict with `_metadata`) and an optimizer's int keys, both formats
    payload = {**SUMMARY, "state_dict": model.state_dict(), "optimizer": torch.optim.SGD(model.parameters(), 0.1).state_dict()}
    torch.save(payload, tmp_path / "z.pt")
    torch.save(payload, tmp_path / "l.pt", _use_new_zipfile_serialization=False)
    for name in ("z.pt", "l.pt"):
        assert read_checkpoint_summary(tmp_path / name).state_sha256 == SUMMARY["state_sha256"]
    assert read_checkpoint_summary(_zip(tmp_path, pickle.dumps(OrderedDict(SUMMARY), 2))).command == "palsy train demo"


def test_a_legacy_file_is_read_only_as_far_as_a_checkpoints_pickle_goes(tmp_path: Path) -> None:
    # review: the legacy path had no cap (a 629 MB file used 618 MB); only the first megabytes count
    assert _quick(_legacy(tmp_path, {**SUMMARY, "blob": b"\0" * (9 * 2**20)})) is None
    assert _quick(_legacy(tmp_path, SUMMARY, "fine.legacy")).command == "palsy train demo"


def test_a_large_data_pkl_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # a few kilobytes deflated, 9 MB inflated (the cap was 64 MB: a 50 KB file used 714 MB)
    assert _quick(_zip(tmp_path, pickle.dumps({**SUMMARY, "blob": b"\0" * (9 * 2**20)}, 4))) is None
    assert _quick(_zip(tmp_path, pickle.dumps({**SUMMARY, "blob": b"\0" * 2**20}, 4), "fine.pt")).command == "palsy train demo"


def test_colliding_dict_keys_are_refused(tmp_path: Path) -> None:
    # review: 40,000 int keys of one hash (multiples of 2**61 - 1) took 12.6 s to build
    modulus = 2**61 - 1
    body = bytearray(b"\x80\x02}(")
    for i in range(1, 3001):
        key = (i * modulus).to_bytes(10, "little", signed=True)
        body += b"\x8a" + bytes([len(key)]) + key + b"N"
    body += b"u."
    assert _quick(_zip(tmp_path, bytes(body))) is None
    colliding = {float(2**61 * 2**k): None for k in range(0, 900, 61)}  # floats of one hash too
    assert _quick(_zip(tmp_path, pickle.dumps({**SUMMARY, "x": colliding}, 2), "f.pt")) is None
    via_ordered_dict = (b"\x80\x02ccollections\nOrderedDict\n]\x8a\x0a" + (5 * modulus).to_bytes(10, "little")
                        + b"N\x86a\x85R.")  # OrderedDict([(5 * modulus, None)])
    assert pickle.loads(via_ordered_dict) == {5 * modulus: None}
    assert _quick(_zip(tmp_path, via_ordered_dict, "o.pt")) is None


def test_the_work_is_bounded(tmp_path: Path) -> None:
    # a list of a million references to one memoised tuple, in a 2 MB pickle that deflates to kilobytes
    body = (b"\x80\x02}(X\x0c\x00\x00\x00state_sha256X\x04\x00\x00\x00abcdX\x01\x00\x00\x00x]q\x00("
            + b"h\x00" * 1_000_000 + b"eu.")
    assert pickle.loads(body)["state_sha256"] == "abcd"
    assert _quick(_zip(tmp_path, body)) is None
    assert _quick(_zip(tmp_path, pickle.dumps({**SUMMARY, "s": {1, 2}}, 4), "set.pt")) is None
