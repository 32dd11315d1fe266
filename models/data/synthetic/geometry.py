"""Shapes of one face in one expression, in face coordinates (see `face.py`).

Every shape is an (N, 3) array of x, y and depth z (towards the camera); the camera in
`camera.py` uses z for small yaw turns. Nothing here draws: `render.py` rasterises.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.data.synthetic.expressions import Actions
from models.data.synthetic.face import SIDE_SIGN, FaceParams
from models.data.synthetic.palsy import RestAsymmetry

# Largest movements of a healthy face at full effort (face units).
BROW_RAISE = 0.13
ALA_LIFT = 0.1
ALA_WIDEN = 0.035
SMILE_LATERAL = 0.12
SMILE_LIFT = 0.08
JAW_GAP = 0.22
CHEEK_PUFF = 0.18


def surface_z(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Depth of the face surface: a flattened ellipsoid with the nose standing out."""
    base = 0.8 * np.sqrt(np.clip(1.0 - (x / 1.05) ** 2 - (y / 1.75) ** 2, 0.0, 1.0))
    nose = 0.3 * np.exp(-((x / 0.16) ** 2)) * np.clip((y + 0.15) / 0.5, 0.0, 1.0) * (y < 0.45)
    return base + nose


def _with_z(xy: np.ndarray, z: float | None = None) -> np.ndarray:
    """Attach depth to (N, 2) points: the surface depth, or a constant."""
    zs = surface_z(xy[:, 0], xy[:, 1]) if z is None else np.full(len(xy), z)
    return np.column_stack([xy, zs])


@dataclass
class EyeShape:
    """One eye: the visible opening (None when closed), lid covers, iris and lines."""

    opening: np.ndarray | None
    upper_cover: np.ndarray
    lower_cover: np.ndarray
    upper_lid: np.ndarray
    lower_lid: np.ndarray
    crease: np.ndarray
    iris_centre: np.ndarray  # (3,)
    iris_radius: float
    closure: float


@dataclass
class FaceGeometry:
    """All shapes of one rendered face (pairs are (subject's right, subject's left))."""

    outline: np.ndarray
    neck: np.ndarray
    clothing: np.ndarray
    ears: tuple[np.ndarray, np.ndarray]
    back_hair: np.ndarray | None
    hair_cap: np.ndarray | None
    hair_part: np.ndarray | None
    eyes: tuple[EyeShape, EyeShape]
    brows: tuple[np.ndarray, np.ndarray]
    nose: np.ndarray
    nostrils: tuple[np.ndarray, np.ndarray]  # centre (x, y, z) per side
    nostril_size: tuple[float, float]
    ala_creases: tuple[np.ndarray, np.ndarray]
    upper_lip: np.ndarray
    lower_lip: np.ndarray
    inner_mouth: np.ndarray | None
    teeth: np.ndarray | None
    inner_details: list[tuple[str, np.ndarray]]  # ("tongue" | "lower_teeth", polygon), colour only
    mouth_line: np.ndarray
    chin_y: float
    folds: tuple[np.ndarray, np.ndarray]
    fold_strength: tuple[float, float]
    # Wrinkle/shading cues: strength per side (0..1)
    forehead_lines: tuple[float, float] = (0.0, 0.0)
    crows_feet: tuple[float, float] = (0.0, 0.0)
    nose_wrinkles: float = 0.0
    glabella: float = 0.0
    cheek_puff: tuple[float, float] = (0.0, 0.0)


def _lower_half_width(
    face: FaceParams, y: np.ndarray, chin_y: float, puff: tuple[float, float], side: int
) -> np.ndarray:
    t = np.clip((y + 0.1) / (chin_y + 0.1), 0.0, 1.0)
    n = face.jaw_power
    w = (1.0 - t**n) ** (1.0 / n) * (1.0 - face.chin_taper * t**2)
    bulge = CHEEK_PUFF * puff[side] * np.exp(-(((y - (face.mouth_y - 0.08)) / 0.3) ** 2))
    return w + bulge


def _dome(width: float, top: float, n: int = 40) -> np.ndarray:
    """The skull's upper outline from (width, -0.1) over `top` to (-width, -0.1): a
    super-ellipse, fuller than an ellipse, as a cranium is."""
    theta = np.linspace(0.0, np.pi, n)
    c, s = np.cos(theta), np.sin(theta)
    x = width * np.sign(c) * np.abs(c) ** 0.8
    y = -0.1 - (-0.1 - top) * s**0.75
    return np.column_stack([x, y])


def _outline(face: FaceParams, chin_y: float, puff: tuple[float, float]) -> np.ndarray:
    dome = _dome(1.0, face.skull_top)
    ux = dome[:, 0] * (1.0 - (1.0 - face.temple_width) * np.clip(-0.1 - dome[:, 1], 0, 1) * 0.6)
    uy = dome[:, 1]
    ys = np.linspace(-0.1, chin_y, 36)
    down = -_lower_half_width(face, ys, chin_y, puff, 0)  # image-left side (subject's right)
    up = _lower_half_width(face, ys[::-1], chin_y, puff, 1)  # image-right side, back up
    xs = np.concatenate([ux, down, up])  # the upper arc runs image-right -> image-left
    yy = np.concatenate([uy, ys, ys[::-1]])
    return _with_z(np.column_stack([xs, yy]), 0.0)


def _ear(face: FaceParams, side: int, chin_y: float) -> np.ndarray:
    s = SIDE_SIGN[side]
    yc = 0.5 * (face.ear_top + face.ear_bottom)
    ry = 0.5 * (face.ear_bottom - face.ear_top)
    wface = (
        float(_lower_half_width(face, np.array([yc]), chin_y, (0.0, 0.0), side)[0])
        if yc > -0.1
        else 1.0
    )
    xc = s * (wface + 0.38 * face.ear_width)
    a = np.linspace(0, 2 * np.pi, 28, endpoint=False)
    # Wider at the top (helix) than at the lobe.
    rx = face.ear_width * 0.5 * (1.0 - 0.25 * np.clip(np.sin(a), 0, 1))
    pts = np.column_stack([xc + s * rx * np.cos(a) + 0.03 * s * np.sin(a), yc + ry * np.sin(a)])
    return _with_z(pts, -0.3)


def _eye(face: FaceParams, acts: Actions, rest: RestAsymmetry, side: int, bell: float) -> EyeShape:
    s = SIDE_SIGN[side]
    ex, ey = s * face.eye_x, face.eye_y
    hw = face.eye_half_width
    scale = face.natural_eye_scale[side]
    widen = acts.get("eye_widen", side)
    squint = acts.get("squint", side)
    closure = float(np.clip(acts.get("eye_close", side), 0.0, 1.0))
    h_up = (
        face.eye_half_height
        * 1.25
        * scale
        * (1 + rest.eye_widen[side])
        * (1 + 0.4 * widen)
        * (1 - 0.35 * squint)
    )
    h_lo = face.eye_half_height * 0.8 * scale * (1 + rest.lid_sag[side]) * (1 - 0.3 * squint)
    u = np.linspace(-1.0, 1.0, 25)  # medial -> lateral
    x = ex + s * hw * u
    base = ey - face.eye_tilt * 0.5 * u
    upper_open = base - h_up * (1 - u**2) ** 0.75 * (1 - 0.12 * u)
    lower_open = base + h_lo * (1 - u**2) ** 0.9
    closed = base + 0.45 * h_lo * (1 - u**2) ** 0.9
    upper = upper_open + (closed - upper_open) * closure
    lower = lower_open + (closed - lower_open) * closure
    r = face.iris_radius * scale
    top = float(upper.min()) - 2.6 * r
    bottom = float(lower.max()) + 2.6 * r
    upper_xy = np.column_stack([x, upper])
    lower_xy = np.column_stack([x, lower])
    upper_cover = np.vstack([upper_xy, [[x[-1] + s * 0.02, top], [x[0] - s * 0.02, top]]])
    lower_cover = np.vstack([lower_xy, [[x[-1] + s * 0.02, bottom], [x[0] - s * 0.02, bottom]]])
    opening = None
    if float((lower - upper).max()) > 1e-3:
        opening = _with_z(np.vstack([upper_xy, lower_xy[::-1]]))
    crease_y = base - (face.eye_half_height * 1.25 * scale + 0.045) * (1 - u**2) ** 0.6
    crease = np.column_stack([x, crease_y])[3:-3]
    # Bell's phenomenon: an eye that tries to close but cannot rolls upwards.
    iris_y = ey - 0.15 * face.eye_half_height - bell * 1.0 * r
    iris = np.array([ex + s * 0.01, iris_y, float(surface_z(np.array([ex]), np.array([ey]))[0])])
    return EyeShape(
        opening=opening,
        upper_cover=_with_z(upper_cover),
        lower_cover=_with_z(lower_cover),
        upper_lid=_with_z(upper_xy),
        lower_lid=_with_z(lower_xy),
        crease=_with_z(crease),
        iris_centre=iris,
        iris_radius=r,
        closure=closure,
    )


def _brow(face: FaceParams, acts: Actions, rest: RestAsymmetry, side: int) -> np.ndarray:
    s = SIDE_SIGN[side]
    u = np.linspace(0.0, 1.0, 18)
    raise_ = acts.get("brow_raise", side)
    lower = acts.get("brow_lower", side)
    x = s * (face.brow_medial_x + (face.brow_lateral_x - face.brow_medial_x) * u)
    yc = (
        face.eye_y
        - face.brow_gap
        + face.natural_brow_dy[side]
        + rest.brow_ptosis[side]
        - face.brow_arch * np.sin(np.pi * np.clip(u * 1.1, 0, 1))
        - face.eye_tilt * 0.5 * u
        - BROW_RAISE * raise_ * (0.85 + 0.3 * np.sin(np.pi * u))
        + 0.04 * lower * (1.0 - u)
    )
    th = (
        face.brow_thickness
        * (1.0 - 0.55 * u**1.5)
        * (0.75 + 0.25 * np.sqrt(np.clip(u / 0.08, 0, 1)))
    )
    top = np.column_stack([x, yc - th / 2])
    bottom = np.column_stack([x, yc + th / 2])[::-1]
    return _with_z(np.vstack([top, bottom]))


def _nose(face: FaceParams, acts: Actions, rest: RestAsymmetry):
    halves = []
    creases = []
    nostrils = []
    sizes = []
    nb = face.nose_bottom
    aw = face.ala_half_width
    bw = face.bridge_half_width
    for side in (0, 1):
        s = SIDE_SIGN[side]
        w = acts.get("nose_wrinkle", side)
        lift = ALA_LIFT * w - rest.ala_droop[side]
        widen = ALA_WIDEN * w - 0.5 * rest.ala_droop[side]
        pts = [
            (s * bw * 0.75, face.eye_y + 0.02),
            (s * bw * 0.9, (face.eye_y + nb) * 0.45),
            (s * bw * 1.15, nb - 0.2 - 0.4 * lift),
            (s * (aw * 0.8 + 0.5 * widen), nb - 0.12 - lift),
            (s * (aw + widen), nb - 0.05 - lift),
            (s * (aw * 0.95 + widen), nb - 0.005 - lift),
            (s * (aw * 0.7 + 0.5 * widen), nb + 0.015 - 0.9 * lift),
            (s * aw * 0.3, nb + 0.02 - 0.5 * lift),
            (s * 0.06, nb + 0.035 - 0.3 * lift),
        ]
        halves.append(np.array(pts))
        centre = np.array([s * aw * 0.6, nb - 0.05 - lift])
        creases.append(_with_z(centre + (np.array(pts[2:7]) - centre) * 0.85))
        nostrils.append(np.array([s * (aw * 0.5 + 0.3 * widen), nb - 0.005 - 0.85 * lift]))
        sizes.append(0.05 + 0.2 * widen)
    right, left = halves
    poly = np.vstack(
        [
            left,
            [
                [
                    0.0,
                    nb
                    + 0.04
                    - 0.15 * (acts.get("nose_wrinkle", 0) + acts.get("nose_wrinkle", 1)) * ALA_LIFT,
                ]
            ],
            right[::-1],
        ]
    )
    nostril_pts = tuple(_with_z(n[None, :])[0] for n in nostrils)
    return _with_z(poly), nostril_pts, (sizes[0], sizes[1]), (creases[0], creases[1])


def _mouth(face: FaceParams, acts: Actions, rest: RestAsymmetry):
    t = np.linspace(-1.0, 1.0, 31)  # subject's right commissure -> left commissure
    w = (t + 1.0) / 2.0

    def blend(v0: float, v1: float) -> np.ndarray:
        return v0 * (1 - w) + v1 * w

    corners = []
    upper_lift = []
    drops = []
    purse = []
    for side in (0, 1):
        s = SIDE_SIGN[side]
        smile = acts.get("smile", side)
        pu = acts.get("purse", side)
        cx = s * (
            face.mouth_half_width * (1 - 0.14 * pu)
            + SMILE_LATERAL * smile
            - 0.3 * rest.mouth_droop[side]
        )
        cy = (
            face.mouth_y - SMILE_LIFT * smile + rest.mouth_droop[side] + face.natural_mouth_dy[side]
        )
        corners.append((cx, cy))
        upper_lift.append(0.025 * acts.get("upper_lip_raise", side) + 0.012 * smile)
        drops.append(JAW_GAP * acts.jaw * (0.45 + 0.55 * acts.get("lip_depress", side)))
        purse.append(pu)
    x = blend(corners[0][0], corners[1][0])
    base = blend(corners[0][1], corners[1][1])
    pu = blend(*purse)
    line = base + 0.012 * (1 - t**2)
    lift = blend(*upper_lift) * (1 - t**2) ** 0.8
    drop = blend(*drops) * (1 - t**2) ** 0.75
    cb = face.cupid_bow
    bow = (
        1
        + cb * 0.45 * np.exp(-(((np.abs(t) - 0.28) / 0.14) ** 2))
        - cb * 0.6 * np.exp(-((t / 0.1) ** 2))
    )
    ut = face.upper_lip * (1 + 0.35 * pu)
    lt = face.lower_lip * (1 + 0.3 * pu) * (1 - 0.35 * np.clip(drop / JAW_GAP, 0, 1))
    upper_inner = line - lift
    upper_outer = upper_inner - ut * (1 - t**2) ** 0.5 * bow
    lower_inner = line + drop
    lower_outer = lower_inner + lt * (1 - t**2) ** 0.55
    upper_lip = np.vstack(
        [np.column_stack([x, upper_outer]), np.column_stack([x, upper_inner])[::-1]]
    )
    lower_lip = np.vstack(
        [np.column_stack([x, lower_inner]), np.column_stack([x, lower_outer])[::-1]]
    )
    gap = lower_inner - upper_inner
    inner = None
    teeth = None
    inner_extra: list[tuple[str, np.ndarray]] = []
    if float(gap.max()) > 0.004:
        inner = _with_z(
            np.vstack([np.column_stack([x, upper_inner]), np.column_stack([x, lower_inner])[::-1]])
        )
        k = np.abs(t) < 0.8
        tooth_edge = upper_inner + np.minimum(0.06, 0.7 * gap)
        teeth = _with_z(
            np.vstack(
                [
                    np.column_stack([x[k], upper_inner[k]]),
                    np.column_stack([x[k], tooth_edge[k]])[::-1],
                ]
            )
        )
        # Tongue and lower teeth show behind a wide opening (colour only: inner mouth).
        k = (np.abs(t) < 0.55) & (gap > 0.08)
        if k.sum() >= 3:
            rise = np.minimum(0.05, 0.35 * gap[k])
            tongue = np.vstack(
                [
                    np.column_stack([x[k], lower_inner[k]]),
                    np.column_stack([x[k], lower_inner[k] - rise])[::-1],
                ]
            )
            inner_extra = [("tongue", _with_z(tongue))]
            rise = np.minimum(0.03, 0.2 * gap[k])
            low = np.vstack(
                [
                    np.column_stack([x[k], lower_inner[k]]),
                    np.column_stack([x[k], lower_inner[k] - rise])[::-1],
                ]
            )
            inner_extra.append(("lower_teeth", _with_z(low)))
    mouth_line = _with_z(np.column_stack([x, line + 0.5 * (drop - lift)]))
    chin_shift = float(np.mean(drops))
    return (
        _with_z(upper_lip),
        _with_z(lower_lip),
        inner,
        teeth,
        inner_extra,
        mouth_line,
        corners,
        chin_shift,
    )


def _highest_brow(face: FaceParams) -> float:
    """The highest y any brow point can reach (fully raised, with natural asymmetry)."""
    return (
        face.eye_y
        - face.brow_gap
        - face.brow_arch
        - abs(face.eye_tilt) * 0.5
        - BROW_RAISE * 1.15
        - face.brow_thickness / 2
        - max(abs(v) for v in face.natural_brow_dy)
    )


def _hair(face: FaceParams) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """(hair behind the head, hair cap over the skull, parting line) for the face's style."""
    style = face.hair_style
    if style == "bald":
        # A rim of hair above and behind the ears; the face hides its middle.
        rim = np.array(
            [
                [-1.05, -0.05],
                [-1.06, -0.45],
                [-0.97, -0.72],
                [0.97, -0.72],
                [1.06, -0.45],
                [1.05, -0.05],
            ]
        )
        return _with_z(rim, -0.5), None, None
    vol = {"buzz": 0.015, "slicked": min(face.hair_volume, 0.06)}.get(style, face.hair_volume)
    top = face.skull_top - vol
    wid = 1.0 + vol * (1.0 if style == "curly" else 0.6)
    arc = _dome(wid, top, 48)  # image-right -> image-left over the top
    hl = face.hairline_y - (0.05 if style == "slicked" else 0.0)
    rec = face.hair_recession
    part = face.hair_part
    temple_y = {"buzz": -0.34, "curly": -0.26}.get(style, -0.3)
    if style == "fringe":
        hairline = [
            (-1.02, temple_y),
            (-0.88, -0.6),
            (-0.6, hl + 0.02),
            (-0.2, hl - 0.01),
            (0.15, hl + 0.03),
            (0.55, hl - 0.06),
            (0.86, -0.64),
            (1.02, temple_y),
        ]
    elif style == "curtain":
        hairline = [
            (-1.02, temple_y),
            (-0.92, -0.55),
            (-0.62, -0.76),
            (part, hl - 0.05),
            (0.62, -0.76),
            (0.92, -0.55),
            (1.02, temple_y),
        ]
    else:
        hairline = [
            (-1.02, temple_y),
            (-0.9, temple_y - 0.06),
            (-0.84, -0.62),
            (-0.55, hl - rec),
            (-0.25, hl - 0.35 * rec + 0.02),
            (0.0, hl),
            (0.25, hl - 0.35 * rec + 0.02),
            (0.55, hl - rec),
            (0.84, -0.62),
            (0.9, temple_y - 0.06),
            (1.02, temple_y),
        ]
    line = np.array(hairline)
    # Hair never hides a brow, even fully raised: keep the hairline above the brows' reach.
    over_brows = np.abs(line[:, 0]) <= 0.85
    line[over_brows, 1] = np.minimum(line[over_brows, 1], _highest_brow(face) - 0.05)
    cap = np.vstack([arc, line])  # the arc over the skull, then the hairline back
    part_line = None
    if style in ("short", "slicked", "medium", "long", "curtain"):
        y0 = float(np.interp(part, line[:, 0], line[:, 1]))
        part_line = _with_z(
            np.array([[part, y0 - 0.01], [part * 0.8, 0.5 * (y0 + top)], [part * 0.4, top + 0.2]]),
            0.3,
        )
    back = None
    lengths = {
        "short": -0.05,
        "fringe": 0.55,
        "medium": 0.75,
        "long": 2.6,
        "curtain": 2.6,
        "curly": 0.35,
    }
    if style in lengths:
        length = lengths[style]
        spread = {
            "short": 0.06,
            "fringe": 0.16,
            "medium": 0.18,
            "long": 0.3,
            "curtain": 0.3,
            "curly": 0.12,
        }[style]
        y_side = np.linspace(-0.1, length, 12)
        w_side = wid + spread * np.clip((y_side + 0.1) / 0.6, 0, 1)
        if style == "curly":
            w_side = (
                wid * np.sqrt(np.clip(1.0 - ((y_side + 0.1) / (length + 0.3)) ** 2, 0.3, 1.0))
                + 0.05
            )
        down = np.column_stack([w_side, y_side])
        up = np.column_stack([-w_side, y_side])[::-1]
        back = np.vstack([arc[::-1], down, up])
    return (_with_z(back, -0.5) if back is not None else None), _with_z(cap, 0.25), part_line


def build_geometry(
    face: FaceParams, acts: Actions, rest: RestAsymmetry, bell: tuple[float, float] = (0.0, 0.0)
) -> FaceGeometry:
    """Place every shape of `face` performing `acts` with the rest asymmetry `rest`."""
    upper_lip, lower_lip, inner, teeth, inner_extra, mouth_line, corners, chin_shift = _mouth(
        face, acts, rest
    )
    chin_y = face.chin_y + 0.75 * chin_shift
    puff = (acts.get("cheek_puff", 0), acts.get("cheek_puff", 1))
    outline = _outline(face, chin_y, puff)
    nw = face.neck_width
    neck = np.array(
        [
            [-nw, 0.6],
            [nw, 0.6],
            [nw * 1.02, 1.6],
            [nw * 1.15, 2.4],
            [-nw * 1.15, 2.4],
            [-nw * 1.02, 1.6],
        ]
    )
    clothing = np.array(
        [
            [-4.0, 4.0],
            [-4.0, 2.25],
            [-1.5, 1.98],
            [-nw - 0.12, 1.78],
            [0.0, 2.05 + 0.2 * (face.sex == "female")],
            [nw + 0.12, 1.78],
            [1.5, 1.98],
            [4.0, 2.25],
            [4.0, 4.0],
        ]
    )
    back_hair, cap, part_line = _hair(face)
    nose, nostrils, nostril_size, ala_creases = _nose(face, acts, rest)
    folds = []
    strengths = []
    for side in (0, 1):
        s = SIDE_SIGN[side]
        cx, cy = corners[side]
        start = np.array(
            [
                s * (face.ala_half_width + 0.03),
                face.nose_bottom - 0.06 - ALA_LIFT * acts.get("nose_wrinkle", side),
            ]
        )
        end = np.array([cx + s * 0.06, cy + 0.07])
        mid = 0.5 * (start + end) + np.array([s * 0.05, 0.0])
        k = np.linspace(0, 1, 12)[:, None]
        curve = (1 - k) ** 2 * start + 2 * (1 - k) * k * mid + k**2 * end
        folds.append(_with_z(curve))
        smile = acts.get("smile", side) + 0.6 * acts.get("nose_wrinkle", side)
        strengths.append((0.35 + 0.45 * face.age + 0.6 * smile) * (1.0 - rest.fold_flatten[side]))
    return FaceGeometry(
        outline=outline,
        neck=_with_z(neck, -0.2),
        clothing=_with_z(clothing, -0.2),
        ears=(_ear(face, 0, chin_y), _ear(face, 1, chin_y)),
        back_hair=back_hair,
        hair_cap=cap,
        hair_part=part_line,
        eyes=(_eye(face, acts, rest, 0, bell[0]), _eye(face, acts, rest, 1, bell[1])),
        brows=(_brow(face, acts, rest, 0), _brow(face, acts, rest, 1)),
        nose=nose,
        nostrils=nostrils,
        nostril_size=nostril_size,
        ala_creases=ala_creases,
        upper_lip=upper_lip,
        lower_lip=lower_lip,
        inner_mouth=inner,
        teeth=teeth,
        inner_details=inner_extra,
        mouth_line=mouth_line,
        chin_y=chin_y,
        folds=(folds[0], folds[1]),
        fold_strength=(strengths[0], strengths[1]),
        forehead_lines=(acts.get("brow_raise", 0), acts.get("brow_raise", 1)),
        crows_feet=(
            acts.get("squint", 0) + 0.3 * acts.get("eye_close", 0),
            acts.get("squint", 1) + 0.3 * acts.get("eye_close", 1),
        ),
        nose_wrinkles=0.5 * (acts.get("nose_wrinkle", 0) + acts.get("nose_wrinkle", 1)),
        glabella=0.5 * (acts.get("brow_lower", 0) + acts.get("brow_lower", 1)),
        cheek_puff=puff,
    )
