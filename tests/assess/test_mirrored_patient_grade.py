"""`assess` and `palsy evaluate` grade a mirrored patient as the patient: E2 is mirror-averaged."""

from __future__ import annotations

import numpy as np
import torch

from models.cascade import CascadeNet, build_model
from models.config import get_config
from models.pipeline.assess import assess
from tests.assess.fakes import cartoon_photo
from tests.assess.masks import paint_patient


def _net() -> CascadeNet:
    """A small random cascade with spread-out grade logits (see tests/models/test_mirror_averaged_grade.py)."""
    net = build_model(get_config("compact").with_input_size(64), seed=4).eval()
    with torch.no_grad():
        net.e2.classifier[-1].weight.mul_(300.0)
    return net


def test_assess_gives_a_mirrored_patient_the_same_network_grade() -> None:
    photos = {e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}
    mirrored = {e: np.ascontiguousarray(p[:, ::-1]) for e, p in photos.items()}
    net = _net()
    result, result_m = assess(photos, net), assess(mirrored, net)
    for e in photos:  # the crops are exact mirrors, so any difference is the network's
        assert np.array_equal(result_m.expressions[e].photo, result.expressions[e].photo[:, ::-1])
    assert np.allclose(result.probabilities, result_m.probabilities, atol=1e-6)
    assert result.grade == result_m.grade
    for e in photos:
        assert np.allclose(result.expressions[e].probabilities, result_m.expressions[e].probabilities, atol=1e-6)
    # A single pass grades the mirror differently: the check above can fail.
    single, single_m = assess(photos, net, mirror=False), assess(mirrored, net, mirror=False)
    assert float(np.abs(single.probabilities - single_m.probabilities).max()) > 1e-4
