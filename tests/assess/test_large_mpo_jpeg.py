"""A large phone JPEG that carries a second image (MPF: a preview, an iPhone HDR gain map, a
Samsung depth map) opens as format "MPO"; it was refused as too large where the same JPEG
without it was read reduced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from models.pipeline.images import load_image


def test_a_large_mpo_jpeg_is_read_reduced_like_a_plain_jpeg(tmp_path: Path) -> None:
    rgb = np.zeros((1000, 1600, 3), np.uint8)
    rgb[:, :800] = (200, 40, 40)
    path = tmp_path / "rest.jpg"
    Image.fromarray(rgb).save(path, format="MPO", save_all=True, append_images=[Image.new("RGB", (160, 100))], quality=90)
    with Image.open(path) as image:
        assert image.format == "MPO"
    out = load_image(path, max_pixels=500_000)  # 1.6 MP: decoded at 1/2 (0.4 MP) to fit
    assert out.shape == (500, 800, 3)
    assert np.abs(out[250, 200].astype(int) - (200, 40, 40)).max() <= 8 and out[250, 600].max() <= 8
