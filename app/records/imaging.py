"""Photo bytes in and out of the store: encoded PNG/JPEG as given, or RGB arrays encoded as PNG.

Arrays are H x W (grey) or H x W x 3/4 uint8 in RGB order; convert OpenCV's BGR frames
first. Stored frames are never mirrored (DESIGN §3). Pillow and numpy load lazily.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from models.errors import InputError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
PDF_MAGIC = b"%PDF-"

log = logging.getLogger(__name__)


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
        check_photo_pixels(data, "the photo", "it was not saved; resize it below the limit or capture it again.")
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


def photo_pixels(data: bytes) -> tuple[int, int] | None:
    """(width, height) a PNG/JPEG's header declares, read without decoding a pixel; None when
    Pillow cannot read the header (the signature checks and the decoding judge such a file)."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                return img.size
    except Image.DecompressionBombError as exc:  # Pillow refuses far larger headers itself
        from models.pipeline.images import bomb_pixels

        return (bomb_pixels(exc) or 2**62, 1)  # (pixels, 1): the count is all Pillow says
    except Exception:  # noqa: BLE001 - a damaged header can raise anything; decoding says why
        return None


def check_photo_pixels(data: bytes, name: str, advice: str) -> None:
    """InputError naming `name` when the photo's header declares more pixels than `palsy assess`
    accepts (models.pipeline.images.MAX_PIXELS), before anything is decoded; `advice` ends it."""
    from models.pipeline.images import MAX_PIXELS, ImageTooLargeError

    size = photo_pixels(data)
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        shown = f"{size[0]} x {size[1]} = " if size[1] > 1 else ""
        raise ImageTooLargeError(
            f"{name} is too large ({shown}{size[0] * size[1] / 1e6:.0f} megapixels, limit {MAX_PIXELS / 1e6:.0f})", advice
        )


def decode_image(data: bytes, name: str = "the stored photo") -> Any:
    """An H x W x 3 uint8 RGB numpy array from PNG/JPEG bytes, upright per its EXIF orientation
    and converted as `palsy assess` reads a file (`models.pipeline.images.to_rgb_array`: 16-bit
    scaled to 8, alpha over white), so a stored photo shows and analyses as it did when it was
    assessed; InputError naming `name` (the file's path) when the header declares more pixels
    than assessing accepts (checked before decoding) or the bytes cannot be decoded (damaged,
    truncated, not an image)."""
    import warnings

    from PIL import Image

    from models.pipeline.images import ImageError, check_png_complete, to_rgb_array, upright

    check_photo_pixels(data, name, "it cannot be shown or analysed.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit above
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                if img.format == "PNG":  # rows missing at the end decode black without a word
                    check_png_complete(data, name)
                return to_rgb_array(upright(img, name))  # one mistyped EXIF tag does not make it "damaged"
    except ImageError as exc:  # its advice (copy the photo again) is for a file the user holds
        raise InputError(f"{exc.fault}.") from None
    except Image.DecompressionBombError:
        raise InputError(f"{name} is too large to decode safely.") from None
    except Exception as exc:  # noqa: BLE001 - damaged data raises OSError, SyntaxError, ValueError, ...
        # the decoder's words ("image file is truncated") are for the log, not the user
        log.info("decoding %s failed: %s: %s", name, exc.__class__.__name__, exc)
        raise InputError(f"{name} cannot be decoded: it is damaged or not a PNG/JPEG photo.") from None
