"""Draw the application icon: a face outline whose one half droops (the palsy the app grades).

    PYTHONPATH=. python scripts/make_icon.py [--out resources/icons]

Writes `app.png` (256 px, the Qt window icon), `app.ico` (16-256 px, the Windows executable)
and `app.icns` (the macOS bundle). Each size is drawn at four times its side and scaled
down, with strokes never thinner than about a pixel and a half, so 16 px stays legible.
The patient's left is the viewer's right, as in the app's photos: that half is tinted and
its brow, eye and mouth corner droop.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)
SUPERSAMPLE = 4

BACKGROUND = (29, 86, 112, 255)  # deep teal
HEALTHY = (236, 244, 246, 255)  # the healthy half: near white
AFFECTED = (246, 197, 104, 255)  # the affected half: amber
INK = (22, 62, 82, 255)  # features, a darker teal


def _stroke(size: int, fraction: float) -> int:
    """A stroke width in supersampled pixels: `fraction` of the side, at least ~1.5 final pixels."""
    return max(round(fraction * size * SUPERSAMPLE), round(1.5 * SUPERSAMPLE))


def draw_icon(size: int) -> Image.Image:
    """The icon as an RGBA image of `size` x `size` pixels."""
    side = size * SUPERSAMPLE

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return round(x0 * side), round(y0 * side), round(x1 * side), round(y1 * side)

    def point(x: float, y: float) -> tuple[int, int]:
        return round(x * side), round(y * side)

    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(box(0.02, 0.02, 0.98, 0.98), radius=round(0.22 * side), fill=BACKGROUND)

    # The face: an oval, its healthy half (viewer's left) pale, its affected half amber.
    face = box(0.20, 0.12, 0.80, 0.90)
    draw.ellipse(face, fill=HEALTHY)
    affected = Image.new("L", (side, side), 0)
    ImageDraw.Draw(affected).ellipse(face, fill=255)
    ImageDraw.Draw(affected).rectangle(box(0, 0, 0.5, 1), fill=0)
    image.paste(Image.new("RGBA", (side, side), AFFECTED), (0, 0), affected)

    line = _stroke(size, 0.036)
    # Healthy half: arched brow, eye, mouth corner lifted.
    draw.arc(box(0.27, 0.30, 0.46, 0.46), start=205, end=335, fill=INK, width=line)
    draw.ellipse(box(0.33, 0.445, 0.41, 0.525), fill=INK)
    draw.arc(box(0.30, 0.54, 0.70, 0.76), start=90, end=160, fill=INK, width=line)
    # Affected half: brow lower and sloping down, eye left open (round), mouth corner sagging.
    draw.line([point(0.55, 0.405), point(0.72, 0.445)], fill=INK, width=line)
    draw.ellipse(box(0.575, 0.465, 0.675, 0.565), outline=INK, width=line)
    draw.line([point(0.50, 0.76), point(0.665, 0.785)], fill=INK, width=line)

    return image.resize((size, size), Image.Resampling.LANCZOS)


def write_icons(out: Path) -> list[Path]:
    """Write app.png, app.ico and app.icns into `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "app.png", out / "app.ico", out / "app.icns"]
    draw_icon(256).save(written[0], optimize=True)
    ico = [draw_icon(s) for s in ICO_SIZES]
    ico[-1].save(written[1], sizes=[(s, s) for s in ICO_SIZES], append_images=ico[:-1])
    icns = [draw_icon(s) for s in ICNS_SIZES]
    icns[-1].save(written[2], append_images=icns[:-1])
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("resources/icons"), help="folder to write the icons into")
    args = parser.parse_args(argv)
    for path in write_icons(args.out):
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
