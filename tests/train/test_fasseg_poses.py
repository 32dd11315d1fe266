"""benchmarks/fasseg_poses.py: FASSEG hold-out photos grouped by pose."""

from __future__ import annotations

from tests.scripts import load_script


def _module():
    return load_script("benchmarks/fasseg_poses.py")


def test_pose_groups_follow_set_series_and_pan() -> None:
    group = _module().pose_group
    assert group("v2_train_03", "V2", "frontal") == "V2 frontal"
    assert group("v3_personne04146_pan0", "V3", "0") == "V3 series 1, pan 0-15"
    assert group("v3_personne04245_panm15", "V3", "-15") == "V3 series 2, pan 0-15"
    assert group("v3_personne04148_panp30", "V3", "+30") == "V3 series 1, pan 30-60"
    assert group("v3_personne04250_panp60", "V3", "+60") == "V3 series 2, pan 30-60"
    assert group("v3_personne04240_panm90", "V3", "-90") == "V3 series 2, pan 75-90"
    assert group("v3_personne04151_panp75", "V3", "+75") == "V3 series 1, pan 75-90"
