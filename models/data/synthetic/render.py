"""Rasterise a `FaceGeometry` into an RGB photo and its exact label mask.

Each region is a filled polygon on a `Canvas` (mask at the output resolution with
pixel-centre sampling, photo antialiased at twice the resolution and reduced by area
averaging, so both agree). Shading (`shading.py`), optical blur and sensor noise are
applied to the photo only.
"""

from __future__ import annotations

import cv2
import numpy as np

from models.data.synthetic.camera import Camera, FrameParams
from models.data.synthetic.canvas import (
    BROW_CLASS,
    CLOTHING,
    EYE_CLASS,
    HAIR,
    INNER_MOUTH,
    LOWER_LIP,
    NOSE,
    ONE,
    SKIN,
    SUPERSAMPLE,
    TO_PROJECT,
    UPPER_LIP,
    Canvas,
    at_depth,
    bgr,
    mix,
    noise,
    scaled,
)
from models.data.synthetic.face import SIDE_SIGN, FaceParams
from models.data.synthetic.geometry import FaceGeometry
from models.data.synthetic.shading import redness, shading_gain


def _draw_eye(cv: Canvas, face: FaceParams, geom: FaceGeometry, side: int, skin) -> None:
    eye = geom.eyes[side]
    s = SIDE_SIGN[side]
    sclera = mix((238, 234, 228), skin, 0.08)
    if eye.opening is not None:
        cv.fill(eye.opening, sclera, EYE_CLASS[side])
        r = eye.iris_radius
        c = eye.iris_centre.copy()
        c[0] += cv.camera.frame.gaze[0]
        c[1] += cv.camera.frame.gaze[1]
        cv.disc(c, r, scaled(face.iris_rgb, 0.6))
        cv.disc(c, r * 0.86, face.iris_rgb)
        cv.disc(c + np.array([0.0, 0.25 * r, 0.0]), r * 0.5, scaled(face.iris_rgb, 1.25))
        cv.disc(c, r * 0.42, (12, 10, 10))
        cv.disc(c + np.array([-0.3 * r * s, -0.35 * r, 0.0]), r * 0.16, (250, 250, 250))
    cv.fill(eye.upper_cover, skin, SKIN)
    cv.fill(eye.lower_cover, skin, SKIN)
    lash = mix(face.brow_rgb, (15, 12, 10), 0.6)
    cv.line(eye.upper_lid, lash, 0.018 if face.sex == "female" else 0.013)
    if eye.closure < 0.99:
        cv.line(eye.lower_lid, scaled(skin, 0.75), 0.006)
    # Eye socket shadow under the brow and the lid crease.
    ex = s * face.eye_x
    cv.shade_blob((ex, face.eye_y - 0.05), (face.eye_half_width * 1.3, 0.13), 0, -0.22, broad=True)
    cv.shade_blob(
        (ex - s * 0.03, face.eye_y + 0.1),
        (face.eye_half_width * 0.9, 0.04),
        0,
        -0.06 - 0.1 * face.age,
    )
    if eye.opening is not None:
        # The upper lid shades the top of the eyeball.
        top = float(eye.upper_lid[:, 1].mean())
        cv.shade_blob((ex, top), (face.eye_half_width * 0.9, 0.025), 0, -0.25)
    cv.shade_line(eye.crease, -0.35 * (1 - 0.5 * eye.closure), 0.012)


def _draw_nose(cv: Canvas, face: FaceParams, geom: FaceGeometry, skin) -> None:
    nose_col = mix(skin, (200, 110, 100), 0.06)
    cv.fill(geom.nose, nose_col, NOSE)
    nb = face.nose_bottom
    for side in (0, 1):
        s = SIDE_SIGN[side]
        n = geom.nostrils[side]
        _, pb = cv._pts(n[None, :])
        ax = geom.nostril_size[side] * cv.unit * SUPERSAMPLE
        ang = np.rad2deg(cv.camera.frame.roll) + s * 25
        cv2.ellipse(
            cv.colour,
            (int(pb[0, 0] / ONE), int(pb[0, 1] / ONE)),
            (max(1, int(ax * 0.6)), max(1, int(ax * 0.28))),
            ang,
            0,
            360,
            bgr(scaled(skin, 0.35)),
            -1,
            cv2.LINE_AA,
        )
        # Shadow along the side of the bridge, deeper on the side away from the light.
        away = max(0.0, -s * cv.camera.frame.light_dir[0])
        crease = geom.ala_creases[side]
        outer = crease[1] + np.array([s * 0.06, 0.0, 0.0])
        cv.shade_poly(
            np.vstack(
                [
                    at_depth([(s * face.bridge_half_width * 0.7, face.eye_y + 0.02)]),
                    crease[:2],
                    outer[None, :],
                    at_depth([(s * face.bridge_half_width * 1.8, face.eye_y + 0.02)]),
                ]
            ),
            -0.08 - 0.3 * away,
        )
        cv.shade_line(geom.ala_creases[side], -0.35, 0.016)
    cv.shade_blob((0.0, nb + 0.07), (face.ala_half_width * 0.8, 0.035), 0, -0.22)  # under the nose
    cv.shade_blob((0.0, nb - 0.07), (0.06, 0.045), 0, 0.16)  # tip highlight
    cv.shade_blob((0.0, (face.eye_y + nb) * 0.5), (0.03, 0.16), 0, 0.08)  # bridge highlight
    for k in range(3):
        y = face.eye_y + 0.03 + 0.05 * k
        w = face.bridge_half_width * (1.6 + 0.3 * k)
        cv.shade_line(
            at_depth(
                [(-w, y + 0.012), (-0.3 * w, y - 0.008), (0.3 * w, y - 0.008), (w, y + 0.012)]
            ),
            -0.4 * geom.nose_wrinkles,
            0.01,
        )


def _draw_mouth(cv: Canvas, face: FaceParams, geom: FaceGeometry) -> None:
    lip = face.lip_rgb
    if geom.inner_mouth is not None:
        cv.fill(geom.inner_mouth, (70, 22, 28), INNER_MOUTH)
        for name, poly in geom.inner_details:
            cv.fill(poly, (150, 62, 68) if name == "tongue" else (205, 198, 182), None)
        if geom.teeth is not None:
            cv.fill(geom.teeth, (228, 222, 206), None)
            n = len(geom.teeth) // 2
            top, bottom = geom.teeth[:n], geom.teeth[n:][::-1]
            for i in range(2, n - 1, 3):
                cv.line(np.vstack([top[i], bottom[i]]), (196, 188, 172), 0.006)
    cv.fill(geom.upper_lip, scaled(lip, 0.9), UPPER_LIP)
    cv.fill(geom.lower_lip, lip, LOWER_LIP)
    if geom.inner_mouth is None:
        cv.line(geom.mouth_line, scaled(lip, 0.45), 0.01)
    top = float(geom.upper_lip[:, 1].min())
    for k in (-1, 1):
        cv.shade_line(
            at_depth([(0.035 * k, face.nose_bottom + 0.05), (0.045 * k, top + 0.005)]), -0.12, 0.012
        )
    ly = float(geom.lower_lip[:, 1].mean())
    cv.shade_blob(
        (0.0, ly + 0.01), (face.mouth_half_width * 0.45, 0.025), 0, 0.12
    )  # lower-lip sheen
    cv.shade_blob(
        (0.0, ly + face.lower_lip * 0.9 + 0.04), (face.mouth_half_width * 0.6, 0.04), 0, -0.14
    )
    for side in (0, 1):
        cv.shade_line(geom.folds[side], -0.32 * geom.fold_strength[side], 0.024)


def _draw_brows_and_wrinkles(cv: Canvas, face: FaceParams, geom: FaceGeometry) -> None:
    for side in (0, 1):
        s = SIDE_SIGN[side]
        cv.fill(geom.brows[side], face.brow_rgb, BROW_CLASS[side])
        # Forehead lines appear on the side whose frontalis contracts.
        top = float(geom.brows[side][:, 1].min())
        for k in range(3):
            y = top - 0.09 - 0.075 * k
            xs = np.linspace(0.0, 0.62, 8) * s
            pts = at_depth(np.column_stack([xs, y - 0.02 * np.sin(np.linspace(0, np.pi, 8))]))
            cv.shade_line(pts, -0.32 * geom.forehead_lines[side] - 0.12 * face.age, 0.012)
        cf = geom.crows_feet[side]
        xc = s * (face.eye_x + face.eye_half_width + 0.04)
        for k in (-1, 0, 1):
            pts = at_depth([(xc, face.eye_y + 0.03 * k), (xc + s * 0.08, face.eye_y + 0.06 * k)])
            cv.shade_line(pts, -0.3 * cf - 0.1 * face.age, 0.01)
    for k in (-1, 1):
        x = 0.04 * k
        cv.shade_line(
            at_depth([(x, face.eye_y - face.brow_gap + 0.02), (x * 1.3, face.eye_y - 0.06)]),
            -0.3 * geom.glabella,
            0.012,
        )


def render_geometry(
    geom: FaceGeometry, face: FaceParams, frame: FrameParams, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw `geom` seen through `frame`: (RGB uint8 size x size x 3, mask uint8 size x size)."""
    camera = Camera(frame, size)
    cv = Canvas(camera, size, face.background_rgb)
    skin = face.skin_rgb
    cv.fill(geom.clothing, face.clothing_rgb, CLOTHING)
    if geom.back_hair is not None:
        cv.fill(geom.back_hair, scaled(face.hair_rgb, 0.8), HAIR)
    cv.fill(geom.neck, scaled(skin, 0.93), SKIN)
    for side in (0, 1):
        ear = geom.ears[side]
        cv.fill(ear, scaled(skin, 0.97), SKIN)
        centre = ear.mean(axis=0)
        inner = centre + (ear - centre) * 0.55
        inner[:, 0] += SIDE_SIGN[side] * 0.01
        cv.fill(inner, scaled(skin, 0.82), None)
    cv.fill(geom.outline, skin, SKIN)
    # The head's shadow on the neck: the outline moved down, minus the face itself.
    cv.shade_poly(geom.outline + np.array([0.0, 0.16, 0.0]), -0.35, broad=True)
    cv.shade_poly(geom.outline, 0.0, broad=True)
    # Cheekbone highlights and soft jaw shadow, cheek puff highlights.
    for side in (0, 1):
        s = SIDE_SIGN[side]
        cv.shade_blob((s * 0.55, 0.1), (0.22, 0.12), -s * 20, 0.08, broad=True)
        cv.shade_blob(
            (s * 0.7, face.mouth_y - 0.1), (0.18, 0.22), 0, 0.14 * geom.cheek_puff[side], broad=True
        )
        cv.shade_blob((s * 0.85, face.mouth_y + 0.2), (0.25, 0.35), 0, -0.12, broad=True)
        cv.shade_blob(
            (s * 0.75, -0.05), (0.12, 0.25), 0, -0.08, broad=True
        )  # temples/cheek hollows
        cv.tint_blob((s * 0.55, 0.25), (0.2, 0.14), face.blush)
    cv.shade_blob((0.0, face.mouth_y + 0.38), (0.16, 0.09), 0, 0.08, broad=True)  # chin
    cv.shade_blob((0.0, -0.62), (0.35, 0.15), 0, 0.08, broad=True)  # forehead
    for side in (0, 1):
        _draw_eye(cv, face, geom, side, skin)
    _draw_nose(cv, face, geom, skin)
    _draw_brows_and_wrinkles(cv, face, geom)
    _draw_mouth(cv, face, geom)
    if geom.hair_cap is not None:
        cv.fill(geom.hair_cap, face.hair_rgb, HAIR)
        if geom.hair_part is not None:
            cv.line(geom.hair_part, mix(face.hair_rgb, skin, 0.35), 0.012)
        if face.hair_style != "buzz":
            # Hairline shadow on the forehead.
            cv.shade_poly(geom.hair_cap, -0.12)
    gain = shading_gain(cv, face, frame, geom, rng)
    image = cv2.resize(cv.colour, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32)
    wb = np.asarray(frame.white_balance, np.float32) * frame.exposure
    image += redness(cv)
    image *= gain[:, :, None]
    image *= wb[None, None, :]
    if frame.blur_sigma > 0:
        sigma = frame.blur_sigma * size / 256.0
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    if frame.noise_sigma > 0:
        image += noise(rng, size, size * 3).reshape(size, size, 3) * frame.noise_sigma
    rgb = np.clip(image, 0, 255).astype(np.uint8)
    mask = TO_PROJECT[cv.label]
    return rgb, mask
