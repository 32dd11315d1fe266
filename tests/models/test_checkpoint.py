"""Checkpoints: round trip, fp16 storage, and every refused case (DESIGN §5)."""

from __future__ import annotations

import json
import os
import pickle
import warnings
from pathlib import Path

import pytest
import torch

from models import build_model, get_config
from models.checkpoint import (
    FORMAT,
    load_checkpoint,
    load_pretrained_backbone,
    read_checkpoint,
    save_checkpoint,
    sha256_of,
)
from models.errors import CheckpointError


def tiny_model():
    return build_model(get_config("compact").with_input_size(64), seed=0)


def test_round_trip_reproduces_outputs_exactly(tmp_path: Path) -> None:
    model = tiny_model().eval()
    digest = save_checkpoint(model, tmp_path / "m.pt", training={"data": ["unit test"]}, metrics={"accuracy": 0.5})
    assert digest == sha256_of(tmp_path / "m.pt")
    loaded, meta = load_checkpoint(tmp_path / "m.pt")
    x = torch.rand(1, 3, 64, 64)
    assert torch.equal(model.predict(x)["grade_logits"], loaded.predict(x)["grade_logits"])
    assert meta["config"]["input_size"] == 64 and meta["training"] == {"data": ["unit test"]}
    assert meta["metrics"]["accuracy"] == 0.5 and meta["sha256"] == digest
    assert "state_dict" not in meta and not loaded.training


def test_checkpoint_is_a_plain_dict_loadable_with_weights_only(tmp_path: Path) -> None:
    save_checkpoint(tiny_model(), tmp_path / "m.pt")
    payload = torch.load(tmp_path / "m.pt", weights_only=True)
    assert payload["format"] == FORMAT and isinstance(payload["config"], dict)
    assert payload["classes"][10] == "hair" and payload["grades"][0] == "I"


def test_half_storage_halves_size_and_stays_close(tmp_path: Path) -> None:
    model = tiny_model().eval()
    save_checkpoint(model, tmp_path / "full.pt")
    save_checkpoint(model, tmp_path / "half.pt", half=True)
    assert (tmp_path / "half.pt").stat().st_size < 0.6 * (tmp_path / "full.pt").stat().st_size
    loaded, _ = load_checkpoint(tmp_path / "half.pt")
    assert next(loaded.parameters()).dtype == torch.float32
    x = torch.rand(1, 3, 64, 64)
    assert torch.allclose(model.predict(x)["probabilities"], loaded.predict(x)["probabilities"], atol=1e-2)


def test_missing_file_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "nope.pt")


def test_manifest_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    save_checkpoint(tiny_model(), tmp_path / "w.pt")
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"w.pt": {"sha256": "0" * 64}}}))
    with pytest.raises(CheckpointError, match="checksum"):
        load_checkpoint(tmp_path / "w.pt")
    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"w.pt": {"sha256": sha256_of(tmp_path / "w.pt")}}}))
    load_checkpoint(tmp_path / "w.pt")


def test_tampered_file_fails_an_explicit_checksum(tmp_path: Path) -> None:
    digest = save_checkpoint(tiny_model(), tmp_path / "w.pt")
    data = bytearray((tmp_path / "w.pt").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "w.pt").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="checksum"):
        load_checkpoint(tmp_path / "w.pt", sha256=digest)


def test_edited_weights_fail_the_embedded_digest_without_a_manifest(tmp_path: Path) -> None:
    save_checkpoint(tiny_model(), tmp_path / "w.pt")
    payload = torch.load(tmp_path / "w.pt", weights_only=True)
    assert len(payload["state_sha256"]) == 64
    key = next(k for k, v in payload["state_dict"].items() if v.is_floating_point() and v.numel() > 1)
    payload["state_dict"][key][0] += 0.5
    torch.save(payload, tmp_path / "edited.pt")
    with pytest.raises(CheckpointError, match="damaged or was modified"):
        load_checkpoint(tmp_path / "edited.pt")
    # A flipped byte in the file's weights: no manifest lists it, the digest catches it.
    data = bytearray((tmp_path / "w.pt").read_bytes())
    weights = torch.load(tmp_path / "w.pt", weights_only=True)["state_dict"][key].numpy().tobytes()
    start = data.find(weights)
    assert start > 0
    data[start + len(weights) // 2] ^= 0x40
    (tmp_path / "flipped.pt").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="damaged"):
        load_checkpoint(tmp_path / "flipped.pt")


def test_checkpoint_without_a_digest_still_loads(tmp_path: Path) -> None:
    model = tiny_model()
    save_checkpoint(model, tmp_path / "w.pt")
    payload = torch.load(tmp_path / "w.pt", weights_only=True)
    del payload["state_sha256"]  # as written before the field existed
    torch.save(payload, tmp_path / "old.pt")
    loaded, _ = load_checkpoint(tmp_path / "old.pt")
    assert torch.equal(loaded.state_dict()[next(iter(model.state_dict()))], next(iter(model.state_dict().values())))



@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_weights_with_nan_or_infinity_are_refused(tmp_path: Path, value: float) -> None:
    # A diverged training run writes such a file through save_checkpoint (digest and all): it
    # loaded, and every photo was graded "I" with NaN probabilities and no flag.
    model = tiny_model()
    with torch.no_grad():
        model.e2.classifier[-1].weight[0, 0] = value
    save_checkpoint(model, tmp_path / "diverged.pt", half=True)
    with pytest.raises(CheckpointError, match=r"diverged.pt: 1 weight tensor\(s\) hold NaN or infinite values "
                                              r"\(first: e2\.classifier\..*weight\)"):
        load_checkpoint(tmp_path / "diverged.pt")


class Payload:
    """Unpickling this would create a marker file: it must never happen."""

    marker: Path

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickle_payload_is_refused_and_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    evil = Payload()
    evil.marker = marker
    with open(tmp_path / "evil.pt", "wb") as handle:
        pickle.dump({"format": FORMAT, "state_dict": evil}, handle)
    torch.save({"format": FORMAT, "hook": evil}, tmp_path / "evil2.pt")
    for name in ("evil.pt", "evil2.pt"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(CheckpointError, match="pickled Python object"):
                load_checkpoint(tmp_path / name)
        # The refusal is the whole message: torch's pickle-protocol warning is not shown beside it.
        assert not [w for w in caught if "pickle protocol" in str(w.message)]
    assert not marker.exists()


def test_not_a_checkpoint_is_refused(tmp_path: Path) -> None:
    # Text, zeros, and random bytes behind a pickle protocol byte (torch's legacy reader
    # unpickles those and used to fail with a KeyError or struct.error).
    junk = {"junk.pt": b"\x00garbage" * 100, "text.pt": b"hello\n", "noise.pt": b"\x80\x02" + bytes(range(256)) * 8}
    for name, data in junk.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(CheckpointError, match="not a readable|pickled Python object"):
            load_checkpoint(tmp_path / name)
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a Palsy Grader checkpoint"):
        load_checkpoint(tmp_path / "other.pt")


def test_weights_that_do_not_fit_the_config_are_refused(tmp_path: Path) -> None:
    save_checkpoint(tiny_model(), tmp_path / "w.pt")
    payload = torch.load(tmp_path / "w.pt", weights_only=True)
    payload.pop("config_sha256", None)  # as written before the field existed: only the shapes catch it
    payload["format_version"] = 1  # (format 2 requires the digest)
    payload["config"]["backbone_widths"] = [16, 32, 64, 128]
    torch.save(payload, tmp_path / "mismatch.pt")
    with pytest.raises(CheckpointError, match="does not match the network its configuration describes"):
        load_checkpoint(tmp_path / "mismatch.pt")
    payload["config"]["no_such_key"] = 1
    torch.save(payload, tmp_path / "badcfg.pt")
    with pytest.raises(CheckpointError, match="configuration is invalid"):
        load_checkpoint(tmp_path / "badcfg.pt")


def test_other_label_set_is_refused(tmp_path: Path) -> None:
    save_checkpoint(tiny_model(), tmp_path / "w.pt")
    payload = torch.load(tmp_path / "w.pt", weights_only=True)
    payload["classes"] = payload["classes"][:-1]
    torch.save(payload, tmp_path / "labels.pt")
    with pytest.raises(CheckpointError, match="label set"):
        read_checkpoint(tmp_path / "labels.pt")


def test_local_pretrained_backbone_loads_by_path(tmp_path: Path) -> None:
    from torchvision.models import resnet101, vgg16_bn

    torch.save(resnet101(weights=None).state_dict(), tmp_path / "resnet101.pth")
    torch.save(vgg16_bn(weights=None).state_dict(), tmp_path / "vgg16_bn.pth")
    model = build_model("paper", seed=0)
    report = load_pretrained_backbone(model.e1.backbone, tmp_path / "resnet101.pth")
    assert len(report["loaded"]) == len(model.e1.backbone.state_dict())
    assert "fc.weight" in report["skipped"]
    report = load_pretrained_backbone(model.e2, tmp_path / "vgg16_bn.pth", prefixes=("features.",))
    assert sum(k.startswith("features.") for k in report["loaded"]) == 13 * 7  # conv w/b + bn w/b/mean/var/count
    with pytest.raises(CheckpointError, match="does not fit"):
        load_pretrained_backbone(model.e1.backbone, tmp_path / "vgg16_bn.pth")


def test_a_smaller_resnet_is_refused_not_half_loaded(tmp_path: Path) -> None:
    # paper-fidelity audit: a resnet50 file loaded 318 of the ResNet-101's 624 tensors (same
    # names and shapes up to layer3.5) and left layer3.6-22 at random, without a word
    from torchvision.models import resnet50

    torch.save(resnet50(weights=None).state_dict(), tmp_path / "resnet50.pth")
    model = build_model("paper", seed=0)
    before = model.e1.backbone.layer1[0].conv1.weight.clone()
    with pytest.raises(CheckpointError, match=r"resnet50\.pth does not fit this backbone \(it lacks layer3\.6\."):
        load_pretrained_backbone(model.e1.backbone, tmp_path / "resnet50.pth")
    assert torch.equal(model.e1.backbone.layer1[0].conv1.weight, before)  # nothing was loaded


def test_files_without_batch_norm_step_counters_still_load(tmp_path: Path) -> None:
    # torchvision's vgg16_bn download and older resnet101 files were saved before torch 0.4 kept
    # num_batches_tracked: the completeness check must not refuse them
    from torchvision.models import resnet101, vgg16_bn

    for name, state in (("r.pth", resnet101(weights=None).state_dict()), ("v.pth", vgg16_bn(weights=None).state_dict())):
        torch.save({k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}, tmp_path / name)
    model = build_model("paper", seed=0)
    assert load_pretrained_backbone(model.e1.backbone, tmp_path / "r.pth")["loaded"]
    assert load_pretrained_backbone(model.e2, tmp_path / "v.pth", prefixes=("features.",))["loaded"]


def test_load_pretrained_initialises_both_encoders(tmp_path: Path) -> None:
    from torchvision.models import resnet101, vgg16_bn

    from models.checkpoint import load_pretrained

    reference = resnet101(weights=None)
    torch.save(reference.state_dict(), tmp_path / "r.pth")
    torch.save(vgg16_bn(weights=None).state_dict(), tmp_path / "v.pth")
    model = build_model("paper", seed=1)
    counts = load_pretrained(model, resnet=tmp_path / "r.pth", vgg=tmp_path / "v.pth")
    assert counts == {"e1_backbone": len(model.e1.backbone.state_dict()), "e2_features": 91}
    assert torch.equal(model.e1.backbone.layer4[2].conv3.weight, reference.layer4[2].conv3.weight)


def _edited(tmp_path: Path, name: str, edit, digest: bool = True) -> Path:
    """A copy of a fresh checkpoint with `edit(payload)` applied; `digest=False` drops the
    config digest first and marks the file format 1, as in files written before it existed (the
    shipped weights)."""
    source = tmp_path / "source.pt"
    if not source.exists():
        save_checkpoint(tiny_model(), source)
    payload = torch.load(source, weights_only=True)
    if not digest:
        payload.pop("config_sha256", None)
        payload["format_version"] = 1
    edit(payload)
    torch.save(payload, tmp_path / name)
    return tmp_path / name


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("format_version", "2"),
        ("format_version", 1.0),
        ("format_version", True),
        ("classes", 5),
        ("grades", "I II III IV V VI"),
        ("config", [1, 2]),
        ("state_dict", "weights"),
        ("training", "notes"),
        ("state_sha256", 7),
        ("config_sha256", None),
    ],
)
def test_fields_of_the_wrong_type_are_refused_as_damaged(tmp_path: Path, field: str, value) -> None:
    path = _edited(tmp_path, "typed.pt", lambda p: p.__setitem__(field, value))
    with pytest.raises(CheckpointError, match=rf"typed.pt is damaged or was modified: {field} has type") as caught:
        load_checkpoint(path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value", "hint"),
    [
        ("input_size", 0, "multiple of 32"),
        ("input_size", -64, "multiple of 32"),
        ("input_size", 33, "multiple of 32"),
        ("input_size", 20000, "from 32 to 2048"),
        ("input_size", "64", "multiple of 32"),
        ("grading_size", 48, "0 or a multiple of 32"),
        ("attention_channels", 10**7, "attention_channels"),
        ("attention_channels", 0, "attention_channels"),
        ("backbone_widths", [32, 64, 128], "4 whole numbers"),
        ("backbone_widths", [32, 64, -128, 256], "backbone_widths"),
        ("e2_layers", [16, "M", 10**9, "M"], "e2_layers"),
        ("e2_hidden", 128, "e2_hidden"),
        ("e2_dropout", 2.0, "e2_dropout"),
        ("attention_kernels", [3, 4], "odd"),
        ("num_classes", [5], "num_classes"),
        ("name", 5, "name"),
    ],
)
def test_out_of_range_configuration_is_refused_without_building_it(tmp_path: Path, field: str, value, hint: str) -> None:
    # Without a config digest (an older file) the ranges refuse it; with one, the digest does.
    path = _edited(tmp_path, "old.pt", lambda p: p["config"].__setitem__(field, value), digest=False)
    with pytest.raises(CheckpointError, match="configuration is invalid") as caught:
        load_checkpoint(path)
    assert hint in str(caught.value) and "\n" not in str(caught.value)
    path = _edited(tmp_path, "new.pt", lambda p: p["config"].__setitem__(field, value))
    with pytest.raises(CheckpointError, match="new.pt is damaged or was modified: its configuration no longer matches"):
        load_checkpoint(path)


def test_a_large_configuration_within_range_is_refused_before_allocating(tmp_path: Path, monkeypatch) -> None:
    # Widths within range that the weights do not have: checked on the meta device, so the
    # 1.3 GB these FC layers would take is never asked for.
    from models import checkpoint

    def edit(p):
        p["config"].update(e2_hidden=[8192, 8192], e2_pool=16)

    path = _edited(tmp_path, "wide.pt", edit, digest=False)
    built = []
    real = checkpoint.CascadeNet

    def counting(config):
        model = real(config)
        built.append(next(model.parameters()).device)  # where its weights are
        return model

    monkeypatch.setattr(checkpoint, "CascadeNet", counting)
    with pytest.raises(CheckpointError, match="does not match the network its configuration describes"):
        load_checkpoint(path)
    assert built == [torch.device("meta")]


def test_a_network_that_cannot_be_built_is_a_checkpoint_error(tmp_path: Path, monkeypatch) -> None:
    from models import checkpoint

    def refuse(config):
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: not enough memory\nmore")

    save_checkpoint(tiny_model(), tmp_path / "w.pt")
    monkeypatch.setattr(checkpoint, "CascadeNet", refuse)
    with pytest.raises(CheckpointError, match="cannot be built .*not enough memory") as caught:
        load_checkpoint(tmp_path / "w.pt")
    assert "\n" not in str(caught.value)


def test_input_size_edit_changes_nothing_silently(tmp_path: Path) -> None:
    # 33 is refused by range; 96 is a valid size, so only the config digest can catch it.
    path = _edited(tmp_path, "resized.pt", lambda p: p["config"].__setitem__("input_size", 96))
    with pytest.raises(CheckpointError, match="configuration no longer matches the digest"):
        load_checkpoint(path)


def test_config_digest_is_written_and_canonical(tmp_path: Path) -> None:
    from models.checkpoint import config_sha256

    model = tiny_model()
    save_checkpoint(model, tmp_path / "w.pt")
    payload = torch.load(tmp_path / "w.pt", weights_only=True)
    assert payload["config_sha256"] == config_sha256(model.config.to_dict())
    # Key order and tuple-versus-list do not change it (the file stores lists or tuples).
    config = model.config.to_dict()
    reordered = {k: list(v) if isinstance(v, tuple) else v for k, v in reversed(config.items())}
    assert config_sha256(reordered) == config_sha256(config)
    with pytest.raises(CheckpointError, match="JSON"):
        config_sha256({"bad": object()})


def test_checkpoint_without_a_config_digest_still_loads(tmp_path: Path) -> None:
    path = _edited(tmp_path, "old.pt", lambda p: None, digest=False)
    model, meta = load_checkpoint(path)
    assert "config_sha256" not in meta and model.config.input_size == 64


def test_saved_weights_are_readable_by_other_accounts(tmp_path: Path) -> None:
    import stat

    from models.cascade import build_model
    from models.checkpoint import save_checkpoint
    from models.config import COMPACT

    path = tmp_path / "w.pt"
    save_checkpoint(build_model(COMPACT.with_input_size(64), seed=0), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # mkstemp's 0600 would lock out the app's user


def test_replace_when_done_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    from models.atomic_files import replace_when_done

    path = tmp_path / "state.json"
    path.write_bytes(b"old")
    with pytest.raises(OSError), replace_when_done(path) as handle:
        handle.write(b"half of the ne")
        raise OSError(28, "No space left on device")
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["state.json"]
    with replace_when_done(path, fsync=True) as handle:
        handle.write(b"new")
    assert path.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["state.json"]


@pytest.mark.parametrize("fsync", [True, False])
def test_replace_when_done_fsyncs_the_whole_file_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fsync: bool
) -> None:
    """A power cut after the rename must find the new bytes on the disk, not an empty file."""
    import models.atomic_files as atomic_files

    calls: list[tuple[str, int]] = []
    real_replace = os.replace
    monkeypatch.setattr(atomic_files, "fsync_file", lambda fd: calls.append(("fsync", os.fstat(fd).st_size)))

    def replacing(source, target) -> None:
        calls.append(("replace", Path(source).stat().st_size))
        real_replace(source, target)

    monkeypatch.setattr(atomic_files.os, "replace", replacing)
    path = tmp_path / "state.json"
    with atomic_files.replace_when_done(path, fsync=fsync) as handle:
        handle.write(b"new content")
    size = len(b"new content")
    assert calls == ([("fsync", size)] if fsync else []) + [("replace", size)]
    assert path.read_bytes() == b"new content"
