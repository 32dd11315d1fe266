"""Photo bytes in and out of the store: encoded PNG/JPEG as given, or RGB arrays encoded as PNG.

Arrays are H x W (grey) or H x W x 3/4 uint8 in RGB order; convert OpenCV's BGR frames
first. Stored frames are never mirrored (DESIGN §3). Pillow and numpy load lazily.
"""

from __future__ import annotations

import io
from typing import Any

from models.errors import InputError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
PDF_MAGIC = b"%PDF-"


def image_format(data: bytes) -> str | None:
    """'png' or 'jpg' from the file signature, else None."""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpg"
    return None


def to_image_bytes(image: Any) -> tuple[bytes, str]:
    """(encoded bytes, extension) for encoded PNG/JPEG bytes or a uint8 RGB array."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        data = bytes(image)
        kind = image_format(data)
        if kind is None:
            raise InputError("the photo is neither a PNG nor a JPEG file; capture it again.")
        return data, kind
    import numpy as np

    array = np.asarray(image)
    if array.dtype != np.uint8 or array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise InputError(
            f"a photo array must be uint8 H x W or H x W x 3/4 (RGB), got {array.dtype} {array.shape}."
        )
    if array.size == 0:
        raise InputError("the photo is empty (zero pixels).")
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array)).save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue(), "png"


def decode_image(data: bytes) -> Any:
    """An H x W x 3 uint8 RGB numpy array from PNG/JPEG bytes."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            return np.asarray(img.convert("RGB"))
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"the stored photo cannot be decoded ({exc}).") from None
