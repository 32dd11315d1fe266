"""`assess`: fusion, flags, progress/cancel, quality, face crop and the model loader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from models.config import MAX_PHOTOS_PER_PASS
from models.errors import CheckpointError, InputError
from models.labels import EXPRESSIONS, GRADES
from models.pipeline.assess import SCHEMA, assess
from models.pipeline.face import FaceCropSettings, NoFaceError, crop_face
from models.pipeline.loader import clear_model_cache, load_model, wrap_model
from models.pipeline.progress import Cancelled
from models.pipeline.quality import QualityThresholds, check_quality, roll_from_mask, sharpness
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_face, paint_patient
from tests.doubles import RecordingProgress


def _photos(function=(0.35, 1.0)) -> dict[str, np.ndarray]:
    return {e: cartoon_photo(m) for e, m in paint_patient(function).items()}


def test_oracle_pipeline_measures_the_painted_patient() -> None:
    result = assess(_photos((0.35, 1.0)), wrap_model(OracleNet()))
    assert result.grade == "II"  # the oracle's E2 always prefers II
    assert result.probabilities.shape == (6,) and result.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert result.measured.grade in ("IV", "V")
    assert result.affected_side == "left"
    assert {f.code for f in result.flags} >= {"grade_disagreement"}
    for name, r in result.expressions.items():
        assert r.mask.shape == (256, 256) and r.mask.dtype == np.uint8
        assert set(r.attention) == {"spatial_3", "spatial_5", "spatial_7", "channel"}
        assert r.quality.get("one_face").passed, name
    assert set(result.timings_ms) >= {"crop", "e1", "e2", "measures", "total"}


def test_fusion_is_the_mean_of_expression_probabilities() -> None:
    net = OracleNet(grade_logits=(0.0, 0.0, 0.0, 0.0, 0.0, 0.0))
    result = assess(_photos(), wrap_model(net))
    assert np.allclose(result.probabilities, 1.0 / 6.0, atol=1e-6)
    assert any(f.code == "low_confidence" for f in result.flags)


def test_the_patient_is_the_mean_of_every_expression_rest_included(monkeypatch: pytest.MonkeyPatch) -> None:
    """DESIGN §7 step 3: the patient's probabilities are the mean over all expressions, rest
    included. The oracle grades every photo alike, so here each expression gets its own row."""
    import models.pipeline.assess as assess_module

    real = assess_module.parse_and_grade
    rest = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]  # rest says grade I; every other expression leans to III
    others = [[0.45 - 0.01 * k, 0.0, 0.55 + 0.01 * k, 0.0, 0.0, 0.0] for k in range(5)]
    rows = iter([rest, *others])  # the photos go through in EXPRESSIONS order, rest first

    def graded(net, images, e1_out=None, mirror=True):
        masks, probabilities = real(net, images, e1_out, mirror)
        return masks, torch.tensor([next(rows) for _ in range(len(probabilities))], dtype=torch.float32)

    monkeypatch.setattr(assess_module, "parse_and_grade", graded)
    result = assess(_photos(), wrap_model(OracleNet()))
    assert list(result.expressions) == list(EXPRESSIONS) and EXPRESSIONS[0] == "rest"
    assert np.allclose(result.expressions["rest"].probabilities, rest)
    expected = np.mean([rest, *others], axis=0)
    assert np.allclose(result.probabilities, expected, atol=1e-6)
    assert np.allclose(result.probabilities, np.mean([r.probabilities for r in result.expressions.values()], axis=0))
    assert result.grade == "I"  # without rest the mean would lean to III


def test_missing_rest_still_grades_and_flags() -> None:
    photos = _photos()
    del photos["rest"]
    result = assess(photos, wrap_model(OracleNet()))
    assert result.grade == "II"
    assert result.measured.grade is None
    codes = [f.code for f in result.flags]
    assert "missing_rest" in codes and "grade_disagreement" not in codes


def test_several_frames_per_expression_are_averaged() -> None:
    photos = {"rest": [cartoon_photo(paint_face("rest"))] * 2, "open_mouth": cartoon_photo(paint_face("open_mouth"))}
    result = assess(photos, wrap_model(OracleNet()))
    assert result.expressions["rest"].frames == 2
    assert any(f.code == "missing_expressions" for f in result.flags)


def test_progress_is_reported_and_cancel_stops_between_steps() -> None:
    progress = RecordingProgress()
    assess(_photos(), wrap_model(OracleNet()), progress)
    fractions = [f for f, _ in progress.reports]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    with pytest.raises(Cancelled):
        assess(_photos(), wrap_model(OracleNet()), RecordingProgress(cancel_after=3))


def test_unknown_expression_is_refused() -> None:
    with pytest.raises(InputError, match="unknown expression"):
        assess({"smile": cartoon_photo(paint_face())}, wrap_model(OracleNet()))



@pytest.mark.parametrize("logit", [float("nan"), float("inf")])
def test_non_finite_network_output_gives_no_grade(logit: float) -> None:
    # NaN probabilities were graded "I" (argmax of NaN) with no low-confidence flag (NaN < 0.5 is False)
    net = OracleNet(grade_logits=(logit, 0.0, 0.0, 0.0, 0.0, 0.0))
    with pytest.raises(CheckpointError, match="NaN or infinite values .*no grade is given"):
        assess(_photos(), wrap_model(net))


def test_untrained_network_gives_a_complete_assessment() -> None:
    from models.cascade import build_model
    from models.config import COMPACT

    net = build_model(COMPACT.with_input_size(64), seed=0)
    result = assess(_photos(), wrap_model(net))
    body = result.to_dict()
    assert body["schema"] == SCHEMA
    assert body["grade"] in GRADES
    assert set(body["expressions"]) == set(EXPRESSIONS)
    assert result.expressions["rest"].mask.shape == (64, 64)
    # Its masks are the mirror-averaged ones, E1 run on the crop and on its mirror (batch sizes
    # differ here, so allow a pixel of float noise).
    import torch

    from models.mirror_parsing import parse_masks

    rest = result.expressions["rest"]
    crop = torch.from_numpy(rest.photo).permute(2, 0, 1)[None].float() / 255.0
    with torch.inference_mode():
        assert (rest.mask != parse_masks(net.e1, crop)[0].numpy()).sum() <= 1
        assert (rest.mask != parse_masks(net.e1, crop, mirror=False)[0].numpy()).sum() > 500


def test_a_network_grading_at_its_own_size_is_assessed_at_that_size() -> None:
    import torch

    from models.cascade import CascadeNet, build_model
    from models.config import COMPACT

    full = build_model(COMPACT.with_input_size(64), seed=0)
    net = CascadeNet(full.config.with_grading_size(32))
    net.load_state_dict(full.state_dict())
    result = assess(_photos(), wrap_model(net))
    rest = result.expressions["rest"]
    assert rest.mask.shape == (64, 64)  # E1 parses at the input size
    crop = torch.from_numpy(rest.photo).permute(2, 0, 1)[None].float() / 255.0
    with torch.inference_mode():
        small = torch.nn.functional.interpolate(crop, size=(32, 32), mode="area")
        expected = torch.softmax(net.e2(small, net.e1.encode(small)), 1)[0].numpy()
        at_input = torch.softmax(full.eval().e2(crop, full.e1.encode(crop)), 1)[0].numpy()
    assert np.allclose(rest.probabilities, expected, atol=1e-4)
    assert np.abs(rest.probabilities - at_input).max() > 10 * np.abs(rest.probabilities - expected).max()


def test_face_crop_on_a_cartoon_and_refusal_of_noise() -> None:
    photo = np.zeros((300, 400, 3), np.uint8)
    photo[22:278, 72:328] = cartoon_photo(paint_face())
    crop = crop_face(photo, 128)
    assert crop.detected and crop.image.shape == (128, 128, 3)
    x, y, w, h = crop.box
    assert abs((x + w / 2) - 200) < 20 and abs((y + h / 2) - 150) < 30
    noise = np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8)
    with pytest.raises(NoFaceError, match="no face found in noise.png"):
        crop_face(noise, 128, name="noise.png")
    with pytest.raises(NoFaceError):
        crop_face(np.full((200, 200, 3), (230, 190, 150), np.uint8), 128)


def test_face_crop_falls_back_to_the_centre_on_skin_with_texture() -> None:
    rng = np.random.default_rng(1)
    skin = np.full((240, 320, 3), (205, 160, 130), np.int16) + rng.integers(-25, 25, (240, 320, 1))
    crop = crop_face(np.clip(skin, 0, 255).astype(np.uint8), 64)
    assert not crop.detected and "used the centre" in crop.warning
    assert crop.crop_box == (40, 0, 240, 240)


def test_settings_ranges_are_enforced() -> None:
    with pytest.raises(ValueError, match="crop_scale"):
        FaceCropSettings(crop_scale=9.0)
    with pytest.raises(ValueError, match="max_roll_degrees"):
        QualityThresholds(max_roll_degrees=90.0)
    with pytest.raises(ValueError, match="min_brightness must be below"):
        QualityThresholds(min_brightness=128.0, max_brightness=128.0)


def test_quality_checks_catch_blur_darkness_offset_and_roll() -> None:
    import cv2

    frame = np.zeros((400, 400, 3), np.uint8)
    face = cv2.resize(cartoon_photo(paint_face()), (200, 200), interpolation=cv2.INTER_NEAREST)
    rng = np.random.default_rng(0)
    frame[100:300, 100:300] = np.clip(face.astype(int) + rng.integers(-30, 30, face.shape), 0, 255)
    box = [(110, 110, 180, 180)]
    good = check_quality(frame, box, estimate_roll=False)
    assert good.get("sharpness").passed and good.get("centring").passed and good.get("face_size").passed
    blurred = check_quality(cv2.GaussianBlur(frame, (0, 0), 6), box, estimate_roll=False)
    assert not blurred.get("sharpness").passed
    assert sharpness(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)) > blurred.get("sharpness").value
    dark = check_quality((frame // 6).astype(np.uint8), box, estimate_roll=False)
    assert not dark.get("exposure").passed and "too dark" in dark.get("exposure").message
    off = check_quality(frame, [(0, 0, 180, 180)], estimate_roll=False)
    assert not off.get("centring").passed
    none = check_quality(frame, [], estimate_roll=False)
    assert not none.passed and none.failed[0] == "one_face"
    two = check_quality(frame, box * 2, estimate_roll=False)
    assert not two.get("one_face").passed
    tilted = roll_from_mask(paint_face(roll_degrees=-12.0))  # OpenCV's positive angle is anticlockwise
    assert tilted == pytest.approx(12.0, abs=2.0)
    rolled = check_quality(frame, box, roll_degrees=tilted)
    assert not rolled.get("head_roll").passed
    assert rolled.to_dict()["checks"]["head_roll"]["value"] == pytest.approx(tilted, abs=0.1)
    # A roll the other way is as tilted: the check is on the roll's size, not its sign.
    other_way = roll_from_mask(paint_face(roll_degrees=12.0))
    assert other_way == pytest.approx(-12.0, abs=2.0)
    assert not check_quality(frame, box, roll_degrees=other_way).get("head_roll").passed
    assert check_quality(frame, box, roll_degrees=-2.0).get("head_roll").passed
    # A mid-grey mean made of clipped black and white pixels is badly exposed all the same.
    clipped = frame.copy()
    clipped[100:300, 100:300] = (np.indices((200, 200)).sum(0) % 2 * 255)[..., None].astype(np.uint8)
    exposure = check_quality(clipped, box, estimate_roll=False).get("exposure")
    assert exposure.value == pytest.approx(127.5, abs=1.0)
    assert not exposure.passed and "100% of the face is clipped to black or white" in exposure.message


def test_loader_caches_by_path_and_checksum(small_weights: Path, tmp_path: Path) -> None:
    clear_model_cache()
    first = load_model(small_weights, "cpu")
    assert load_model(small_weights, "cpu") is first
    assert first.info.sha256 and first.info.config == "compact"
    copy = tmp_path / "copy.pt"
    copy.write_bytes(small_weights.read_bytes())
    assert load_model(copy, "cpu") is not first
    with pytest.raises(CheckpointError, match="not found"):
        load_model(tmp_path / "missing.pt", "cpu")
    clear_model_cache()


def test_without_a_cascade_every_photo_uses_the_centre_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import models.pipeline.face as face

    monkeypatch.setattr(face, "_cascade", lambda name: None)
    crop = crop_face(cartoon_photo(paint_face()), 64, name="rest.png")
    assert not crop.detected
    assert crop.warning == "rest.png: face detector unavailable; used the centre of the frame - check the crop"
    from models.pipeline.quality import roll_from_eyes

    assert roll_from_eyes(cartoon_photo(paint_face()), (40, 40, 170, 170)) is None


def test_many_frames_run_in_chunks() -> None:
    photos = {"rest": [cartoon_photo(paint_face("rest"))] * (MAX_PHOTOS_PER_PASS + 2)}
    result = assess(photos, wrap_model(OracleNet()))
    assert result.expressions["rest"].frames == MAX_PHOTOS_PER_PASS + 2
    assert result.expressions["rest"].probabilities.argmax() == 1


def test_crop_stays_inside_the_frame() -> None:
    from models.pipeline.face import square_in_frame

    # a square of twice the face box, centred on the face, moved inside the frame
    assert square_in_frame((140, 100, 120, 120), 2.0, 400, 300) == (80, 40, 240, 240)  # fits: centred
    assert square_in_frame((-30, 10, 100, 100), 2.0, 400, 300) == (0, 0, 200, 200)
    assert square_in_frame((250, 150, 100, 100), 2.0, 400, 300) == (200, 100, 200, 200)
    assert square_in_frame((-50, -50, 250, 250), 2.0, 400, 300) == (0, 0, 300, 300)  # shrunk to the shorter side


def test_nested_and_tiny_false_detections_are_dropped() -> None:
    from models.pipeline.face import _plausible

    big = (80, 70, 230, 230)
    assert _plausible([big, (95, 80, 113, 113)]) == [big]  # nested: the same face
    assert _plausible([big, (16, 182, 91, 91)]) == [big]  # far smaller: a false alarm
    assert _plausible([big, (320, 60, 200, 200)]) == [big, (320, 60, 200, 200)]  # a second person


def test_measured_function_from_a_small_network_is_marked_approximate() -> None:
    small = assess(_photos(), wrap_model(OracleNet(size=128)))
    assert any("approximate" in n for n in small.measured.notes)
    full = assess(_photos(), wrap_model(OracleNet(size=256)))
    assert not any("approximate" in n for n in full.measured.notes)


def test_a_large_input_size_puts_fewer_photos_through_e1_at_once(monkeypatch) -> None:
    """The attention's N x N matrices grow with the fourth power of the input size: where
    `photos_per_pass` says one photo at a time (1024 px), six photos are six passes."""
    from models.pipeline import assess as assess_module

    net = wrap_model(OracleNet())
    seen: list[int] = []
    forward = net.model.e1.forward

    def counting(batch, *args, **kwargs):
        seen.append(batch.shape[0])
        return forward(batch, *args, **kwargs)

    monkeypatch.setattr(net.model.e1, "forward", counting)
    photos = {e: [cartoon_photo(paint_face(e))] for e in EXPRESSIONS}
    assess(photos, net)
    assert seen and max(seen) == 6
    seen.clear()
    monkeypatch.setattr(assess_module, "photos_per_pass", lambda size: 1)
    result = assess(photos, net)
    assert seen and set(seen) == {1} and len(result.expressions) == 6
