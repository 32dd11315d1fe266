"""Photos that are not faces yet pass the centre's skin-and-texture test (a beach, a beige brick
wall, a wooden door) and a photo too long to be a camera frame are refused as "no face found",
not graded; real faces the cascade misses are still graded from the frame centre."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from models.data.synthetic import make_patient, render_patient
from models.labels import EXPRESSIONS
from models.pipeline import face
from models.pipeline.assess import assess
from models.pipeline.demo_patient import DEMO_SIZE
from models.pipeline.face import NoFaceError, crop_face
from models.pipeline.loader import load_model
from models.resources import default_weights_path
from tests.assess.conftest import write_rgb

pytestmark = pytest.mark.skipif(not default_weights_path().is_file(), reason="needs the shipped demo weights")


def scene(kind: str, height: int = 300, width: int = 400) -> np.ndarray:
    """A no-face photo a clinic could drop in by mistake (as the bad-input audit made them)."""
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    if kind == "beach":  # sky over textured beige sand
        dunes = 18 * np.sin(xx / 22 + 3 * np.sin(yy / 35)) + 10 * np.sin(yy / 9)
        img = np.array([210, 185, 140], np.float32) + dunes[..., None] + rng.normal(0, 7, (height, width, 3))
        sky = np.array([120, 170, 230], np.float32) + (yy[..., None] / height) * 40
        img = np.where((yy < height * 0.3)[..., None], sky, img)
    elif kind == "brick_wall":  # beige bricks, darker mortar
        img = np.full((height, width, 3), (196, 160, 125), np.float32)
        img[((yy % 15) < 2) | (((xx + 15 * ((yy // 15) % 2)) % 30) < 2)] = (150, 140, 130)
        img += rng.normal(0, 9, (height, width, 3))
    else:  # a wooden door: grain stripes
        grain = 14 * np.sin(xx / 2 + 4 * np.sin(yy / 50))
        img = np.array([170, 120, 80], np.float32) + grain[..., None] + rng.normal(0, 5, (height, width, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def demo_photos(size: int = DEMO_SIZE, seed: int = 7, grade: str | None = "III", side: str | None = "left") -> dict:
    """The demo patient's six photos (or another synthetic patient's)."""
    return {e: rgb for e, (rgb, _) in render_patient(make_patient(seed, grade=grade, side=side), size=size).items()}


def squashed(rgb: np.ndarray, width: int = 3200, height: int = 80) -> np.ndarray:
    """The photo squashed into a banner (a mis-exported or stretched image)."""
    import cv2

    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def demo_model():
    return load_model(None, "cpu")


@pytest.mark.parametrize("kind", ["beach", "brick_wall", "wood"])
def test_a_scene_that_passes_the_skin_test_is_refused_not_graded(kind, demo_model):
    photo = scene(kind)
    assert not crop_face(photo, 64).detected  # the centre fallback took it: only the parse can tell
    photos = {**demo_photos(), "rest": photo}
    with pytest.raises(NoFaceError, match=r"no face found in rest\.jpg \(none detected, .*nose 0\.00%") as refused:
        assess(photos, demo_model, names={"rest": "rest.jpg"})
    assert refused.value.expression == "rest" and refused.value.photo == "rest.jpg"  # the GUI names the step


def test_a_photo_too_long_to_be_a_camera_frame_is_refused():
    strip = squashed(demo_photos()["rest"])
    assert face.looks_like_face_region(strip)[0]  # its centre passed for a face
    with pytest.raises(NoFaceError, match=r"no face found in rest\.png \(the photo is 3200 x 80 pixels, longer than 3:1"):
        crop_face(strip, 64, name="rest.png")
    assert not crop_face(squashed(demo_photos()["rest"], 900, 300), 64).detected  # 3:1 is still a frame


@pytest.mark.parametrize(("seed", "size", "grade", "side"), [(7, DEMO_SIZE, "III", "left"), (2, 256, None, None),
                                                             (15, 256, None, None), (32, 256, None, None)])
def test_real_faces_the_cascade_misses_are_still_graded_from_the_centre(seed, size, grade, side, demo_model, monkeypatch):
    monkeypatch.setattr(face, "_search", lambda *args, **kwargs: [])  # the cascade finds nothing
    result = assess(demo_photos(size, seed, grade, side), demo_model)
    assert set(result.expressions) == set(EXPRESSIONS)
    assert not any(r.crop.detected for r in result.expressions.values())
    assert [f.code for f in result.flags].count("face_not_detected") == len(EXPRESSIONS)


@pytest.mark.parametrize(("kind", "file"), [("beach", "rest.jpg"), ("strip", "rest.png")])
def test_palsy_assess_refuses_with_one_line_and_exit_2(kind, file, capsys, tmp_path: Path):
    folder = tmp_path / "patient"
    photos = demo_photos()
    for expression, rgb in photos.items():
        if expression != "rest":
            write_rgb(folder / f"{expression}.png", rgb)
    write_rgb(folder / file, scene("beach") if kind == "beach" else squashed(photos["rest"]))
    out = tmp_path / "out"
    code = main(["assess", str(folder), "--out", str(out), "--weights", str(default_weights_path()), "--device", "cpu"])
    _, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith(f"palsy: error: no face found in {file} (")
    assert not (out / "assessment.json").exists()
