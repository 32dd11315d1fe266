"""Tiny training runs: the loss goes down, resuming continues exactly, stage 2 freezes E1."""

import json

import pytest
import torch

from models.checkpoint import read_checkpoint
from models.errors import InputError
from models.train.loop import LoopSettings, resolve_device, resume_checkpoint
from models.train.stages import DataSpec, train_grading, train_parsing
from tests.train.loop_helpers import CancelAfter

CPU = torch.device("cpu")

# one torch thread: deterministic and fair on the shared CPU
pytestmark = pytest.mark.usefixtures("one_thread")




def _records(path):
    return [json.loads(line) for line in path.read_text().splitlines() if '"loss"' in line]


def test_tiny_parsing_run_lowers_the_loss(tiny_patients, tmp_path):
    settings = LoopSettings(stage="parsing", steps=30, lr=2e-3, log_every=5, seed=0)
    log = tmp_path / "log.jsonl"
    _, summary = train_parsing(
        [DataSpec(tiny_patients, split="all")], tmp_path / "p.pt", settings, CPU, input_size=64, batch_size=4, log_path=log
    )
    losses = [r["loss"] for r in _records(log)]
    assert summary["steps"] == 30 and len(losses) == 6
    assert losses[-1] < 0.7 * losses[0]
    payload = read_checkpoint(tmp_path / "p.pt")
    assert payload["config"]["input_size"] == 64 and payload["train_state"]["step"] == 30


def test_resume_continues_exactly(tiny_patients, tmp_path):
    spec = [DataSpec(tiny_patients, split="all")]
    straight, _ = train_parsing(spec, tmp_path / "a.pt", LoopSettings("parsing", steps=4, seed=1), CPU, input_size=64, batch_size=2)
    # Cancelled after two of four steps, then resumed with the same budget.
    _, first = train_parsing(
        spec, tmp_path / "b.pt", LoopSettings("parsing", steps=4, seed=1), CPU, input_size=64, batch_size=2, progress=CancelAfter(2)
    )
    assert first["cancelled"] and first["steps"] == 2
    payload = read_checkpoint(tmp_path / "b.pt")
    assert payload["train_state"]["step"] == 2
    resumed, summary = train_parsing(
        spec, tmp_path / "b.pt", LoopSettings("parsing", steps=4, seed=1), CPU, batch_size=2, resume=tmp_path / "b.pt"
    )
    assert summary["steps"] == 4
    for (name, a), (_, b) in zip(straight.state_dict().items(), resumed.state_dict().items(), strict=True):
        assert torch.allclose(a.float(), b.float(), atol=1e-5), name


def test_resume_needs_a_training_state(tmp_path):
    from models.cascade import build_model
    from models.checkpoint import save_checkpoint

    save_checkpoint(build_model("compact"), tmp_path / "final.pt")
    with pytest.raises(InputError, match="training state"):
        resume_checkpoint(tmp_path / "final.pt")


def test_stage2_freezes_e1_and_trains_e2(tiny_patients, tmp_path):
    spec = [DataSpec(tiny_patients, split="all")]
    stage1, _ = train_parsing(spec, tmp_path / "s1.pt", LoopSettings("parsing", steps=2), CPU, input_size=64, batch_size=2)
    e1_before = {k: v.clone() for k, v in stage1.e1.state_dict().items()}
    e2_before = {k: v.clone() for k, v in stage1.e2.state_dict().items()}
    model, summary = train_grading(
        tiny_patients, tmp_path / "s2.pt", LoopSettings("grading", steps=3), CPU, init=tmp_path / "s1.pt", batch_size=4
    )
    assert summary["data"]["patients"] == 12  # the train split only
    for k, v in model.e1.state_dict().items():
        assert torch.equal(v, e1_before[k]), k  # BatchNorm statistics included
    assert any(not torch.equal(v, e2_before[k]) for k, v in model.e2.state_dict().items())


def test_cascaded_grading_requires_init(tiny_patients, tmp_path):
    with pytest.raises(InputError, match="--init"):
        train_grading(tiny_patients, tmp_path / "x.pt", LoopSettings("grading", steps=1), CPU)


def test_grading_with_the_ordinal_term_records_its_weight(tiny_patients, tiny_weights, tmp_path):
    from models.checkpoint import load_checkpoint

    train_grading(tiny_patients, tmp_path / "s2.pt", LoopSettings("grading", steps=2), CPU, init=tiny_weights,
                  batch_size=4, ordinal_weight=5.0)
    _, meta = load_checkpoint(tmp_path / "s2.pt")
    assert meta["training"]["ordinal_weight"] == 5.0
    with pytest.raises(InputError, match="ordinal-weight"):
        train_grading(tiny_patients, tmp_path / "x.pt", LoopSettings("grading", steps=1), CPU, init=tiny_weights,
                      ordinal_weight=-1.0)


def test_end_to_end_trains_both_encoders(tiny_patients, tmp_path):
    from models.cascade import build_model

    reference = build_model(__import__("models.config", fromlist=["x"]).get_config("compact").with_input_size(64), seed=0)
    model, _ = train_grading(
        tiny_patients, tmp_path / "e.pt", LoopSettings("end-to-end", steps=2), CPU, cascaded=False, input_size=64, batch_size=4
    )
    changed = [k for k, v in model.e1.state_dict().items() if not torch.equal(v, reference.e1.state_dict()[k])]
    assert changed


def test_budget_and_device_errors():
    with pytest.raises(InputError, match="budget"):
        LoopSettings(stage="parsing")
    assert resolve_device("cpu") == CPU
    with pytest.raises(InputError):
        resolve_device("tpu")


def test_data_spec_parsing(tmp_path):
    assert DataSpec.parse(f"{tmp_path}:2.5").weight == 2.5
    assert DataSpec.parse(str(tmp_path)).path == tmp_path
    with pytest.raises(InputError):
        DataSpec.parse(f"{tmp_path}:0")


def test_the_grading_step_trains_e2_at_the_size_it_grades_at():
    from models.cascade import CascadeNet
    from models.config import get_config
    from models.train.stages import grading_step

    net = CascadeNet(get_config("compact").with_input_size(64).with_grading_size(32))
    net.freeze_e1()
    net.train()
    seen = []
    net.e2.register_forward_pre_hook(lambda module, args: seen.append(tuple(args[0].shape[-2:]) + tuple(args[1].shape[-2:])))
    loss, metrics = grading_step(lambda rng: (torch.rand(2, 3, 64, 64), torch.tensor([0, 5]), None))(net, None, CPU)
    loss.backward()
    assert seen == [(32, 32, 4, 4)]  # the photo at 32 px and z of E1 at 32 px (stride 8), as `assess` grades
    assert all(p.grad is None for p in net.e1.parameters())
    assert all(p.grad is not None for p in net.e2.parameters())
    assert 0.0 <= metrics["batch_accuracy"] <= 1.0


@pytest.mark.parametrize("cache_variants", [0, 2])
def test_grading_trains_channels_last_and_saves_the_default_layout(tiny_patients, tiny_weights, tmp_path, monkeypatch, cache_variants):
    import models.train.stages as stages

    layouts = []
    name = "cached_grading_step" if cache_variants else "grading_step"
    original = getattr(stages, name)

    def recording(*args, **kwargs):
        step = original(*args, **kwargs)

        def wrapped(model, rng, device):
            layouts.append(model.e2.features[0].weight.is_contiguous(memory_format=torch.channels_last))
            return step(model, rng, device)

        return wrapped

    monkeypatch.setattr(stages, name, recording)
    model, _ = train_grading(tiny_patients, tmp_path / "s2.pt", LoopSettings("grading", steps=2), CPU, init=tiny_weights,
                             batch_size=2, cache_variants=cache_variants)
    assert stages.GRADING_CHANNELS_LAST and layouts == [True, True]  # fp32, yet channels-last while training
    assert model.e2.features[0].weight.is_contiguous()  # and back to the default layout afterwards


class InterruptAt:
    """A progress object that raises KeyboardInterrupt (Ctrl-C) when the loop reports `step`."""

    def __init__(self, step: int) -> None:
        self.step = step

    def update(self, stage, step, fraction, metrics) -> None:
        if step == self.step:
            raise KeyboardInterrupt

    def cancelled(self) -> bool:
        return False


def test_ctrl_c_keeps_the_steps_done(tiny_patients, tmp_path):
    spec = [DataSpec(tiny_patients, split="all")]
    settings = LoopSettings("parsing", steps=6, seed=1, log_every=1, checkpoint_every_s=3600)
    with pytest.raises(KeyboardInterrupt):
        train_parsing(spec, tmp_path / "c.pt", settings, CPU, input_size=64, batch_size=2, progress=InterruptAt(3),
                      log_path=tmp_path / "c.jsonl")
    assert read_checkpoint(tmp_path / "c.pt")["train_state"]["step"] == 3  # not lost until the next timed save
    assert '"interrupted"' in (tmp_path / "c.jsonl").read_text()
    _, summary = train_parsing(spec, tmp_path / "c.pt", settings, CPU, batch_size=2, resume=tmp_path / "c.pt")
    assert summary["steps"] == 6
