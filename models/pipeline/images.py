"""Safe image loading (every photo becomes an RGB uint8 array, or an InputError naming the
file) and PNG writing.

- The pixel count is read from the header and checked BEFORE any pixel is decoded, so a
  decompression bomb (a small file that expands to gigapixels) is refused cheaply. A JPEG
  over the limit (a 50 MP phone photo), up to LARGE_JPEG_PIXELS, is decoded at 1/2, 1/4 or
  1/8 of its size instead (the JPEG decoder's draft mode: the full size is never in memory).
- A PNG whose image data ends before its last row is refused as truncated (Pillow would paint
  the missing rows black).
- A file over MAX_FILE_BYTES is refused by its size, before a byte is read.
- EXIF orientation is applied (phones store portrait photos sideways plus a tag); EXIF that
  cannot be read leaves the photo as decoded, never refuses it.
- Greyscale, 16-bit, float, palette, CMYK and alpha images are converted to RGB uint8;
  alpha is composited over white.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import warnings
import zlib
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from models.atomic_files import replace_when_done
from models.errors import InputError

# 40 megapixels: far above any camera the rig uses (a 24 MP DSLR is 6000 x 4000), far below
# what would exhaust memory (RGB uint8 at 40 MP is 120 MB).
MAX_PIXELS = 40_000_000
# A patient photo needs some pixels: below this on the shorter side (a thumbnail, a strip)
# it cannot show a face the network or the measures could read.
MIN_PHOTO_SIDE = 64
# JPEGs up to this are decoded reduced to fit MAX_PIXELS (50 MP phones: 8660 x 5773); the JPEG
# decoder scales while decoding, so memory stays that of the reduced image.
LARGE_JPEG_PIXELS = 120_000_000
# What to do about a photo file that is empty or damaged (`palsy assess`, training sets).
RETAKE = "retake or copy the photo again"
# .jfif, .jpe and .jif are JPEG under other names (browsers on Windows save many JPEGs as
# .jfif): left out, rest.jfif was skipped and the patient graded without a rest photo.
IMAGE_SUFFIXES: tuple[str, ...] = (
    ".jpg", ".jpeg", ".jfif", ".jpe", ".jif", ".png", ".bmp", ".tif", ".tiff", ".webp",
)
# 400 MB: above the largest uncompressed photo MAX_PIXELS allows (16-bit RGBA, 8 bytes a pixel:
# 320 MB). A larger file named as a photo is a video or a disk image renamed, and is refused by
# its size: read whole first, a 2 GB one took 2 GB of memory and over a minute.
MAX_FILE_BYTES = 400_000_000
# EXIF orientation -> the turn that makes the photo upright (the table of ImageOps.exif_transpose)
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

log = logging.getLogger(__name__)


class ImageError(InputError):
    """A photo that cannot be used: `fault` says what is wrong with it, `advice` what to do
    (empty when the fault says it); the message is both. Kept apart so that a caller with its
    own next step (the photo folder's "replace the file and press Retry") gives that one
    instead of stacking two."""

    def __init__(self, fault: str, advice: str = "") -> None:
        super().__init__(f"{fault}; {advice}" if advice else fault)
        self.fault = fault
        self.advice = advice


class ImageTooLargeError(ImageError):
    """The image's header declares more pixels than MAX_PIXELS."""


def load_image(
    path: str | os.PathLike,
    max_pixels: int = MAX_PIXELS,
    min_side: int = 0,
    *,
    label: str | None = None,
    purpose: str = "assessing",
    large_jpeg_pixels: int | None = LARGE_JPEG_PIXELS,
) -> np.ndarray:
    """Read a photo as an H x W x 3 RGB uint8 array, upright per its EXIF orientation.

    Raises ImageError (with the file name, or `label` when given: a data set names the whole
    path, its file names repeat) for a missing, empty, corrupt, truncated or non-image file,
    an entry that is no regular file (a named pipe, a broken link), a file over MAX_FILE_BYTES,
    or one whose shorter side is below `min_side` (patient photos: MIN_PHOTO_SIDE), and
    ImageTooLargeError when the header declares more than `max_pixels` pixels (checked before
    any pixel is decoded; "resize it below the limit before `purpose`"). A JPEG of up to
    `large_jpeg_pixels` is decoded reduced by 2, 4 or 8 to fit instead; None refuses it too.
    (Training sets need not refuse it: a mask of that size is over `max_pixels` itself.)
    """
    path = Path(path)
    name = label or path.name
    if not path.is_file():
        if not path.exists() and not path.is_symlink():
            raise ImageError(f"image not found: {path}")
        raise ImageError(f"{name} is {what_it_is(path)}, not a photo", "put the photo file there")
    size = path.stat().st_size
    if size == 0:
        raise ImageError(f"{name} is an empty file (0 bytes)", RETAKE)
    if size > MAX_FILE_BYTES:
        raise ImageError(f"{name} is too large a file for a photo ({size / 1e6:,.0f} MB, limit "
                         f"{MAX_FILE_BYTES / 1e6:.0f} MB)", "check that it is the photo, and save it as JPEG or PNG")
    try:
        with warnings.catch_warnings():
            # Our own limit below replaces Pillow's DecompressionBombWarning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            data = path.read_bytes()  # once: the decoder and the PNG completeness check share it
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size  # header only: nothing decoded yet
                limit = max_pixels
                # an MPO (a phone JPEG with a second image appended: a preview, an HDR gain map)
                # is a JPEG to the decoder, and only its first image is read
                if width * height > max_pixels and image.format in ("JPEG", "MPO") and large_jpeg_pixels:
                    limit = max(max_pixels, large_jpeg_pixels)
                    if width * height <= limit:
                        reduce_jpeg_to_fit(image, max_pixels)
                if image.size[0] * image.size[1] > max_pixels:
                    raise ImageTooLargeError(
                        f"{name} is too large ({width} x {height} = {width * height / 1e6:.0f} megapixels, "
                        f"limit {limit / 1e6:.0f})", f"resize it below the limit before {purpose}"
                    )
                if min(width, height) < min_side:
                    raise ImageError(
                        f"{name} is too small ({width} x {height} pixels; at least {min_side} on each side)",
                        "use the camera's full-size photo, not a thumbnail",
                    )
                image.load()
                if image.format == "PNG":
                    check_png_complete(data, name)
                return to_rgb_array(upright(image, name))
    except InputError:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow refuses far larger images (over twice its own limit) in Image.open, before our
        # check sees the size: the same words, from the pixel count its message gives.
        pixels = bomb_pixels(exc)
        size = f"{pixels / 1e6:.0f} megapixels" if pixels is not None else "too many pixels to decode safely"
        raise ImageTooLargeError(
            f"{name} is too large ({size}, limit {max_pixels / 1e6:.0f})", f"resize it below the limit before {purpose}"
        ) from exc
    except UnidentifiedImageError as exc:
        raise ImageError(f"{name} is not an image file Palsy Grader can read (use JPEG or PNG)") from exc
    except PermissionError as exc:  # an OSError too, but the file may be perfectly good
        raise ImageError(f"{name} cannot be opened: permission denied", "check the file's permissions") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        # Truncated or damaged data surfaces as OSError/SyntaxError/ValueError from the decoders;
        # their words ("image file is truncated") are for the log, not the user.
        log.info("decoding %s failed: %s: %s", path, exc.__class__.__name__, exc)
        raise ImageError(f"{name} is damaged or truncated and cannot be decoded", RETAKE) from exc
    except MemoryError:
        raise  # the machine's fault, not the file's
    except Exception as exc:
        # a damaged file can make a decoder raise almost anything (struct.error, IndexError):
        # one line for the user, never a traceback; the traceback goes to the log
        log.warning("decoding %s failed", path, exc_info=True)
        raise ImageError(f"{name} is damaged and cannot be decoded", RETAKE) from exc


def what_it_is(path: Path) -> str:
    """A non-regular directory entry in words: a folder, a named pipe, a broken link, ..."""
    try:
        mode = path.stat().st_mode
    except OSError:  # a link to nothing, or a loop of links
        return "a broken link" if path.is_symlink() else "unreadable"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def upright(image: Image.Image, name: str) -> Image.Image:
    """`image` turned as its EXIF orientation says. Not `ImageOps.exif_transpose`: it rewrites
    the whole EXIF block, and one mistyped tag (a camera's, a photo tool's) made it raise for a
    photo that decodes and shows fine (audit: a traceback in `palsy assess`). Only the
    orientation tag is read; EXIF that cannot be read leaves the photo as decoded."""
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        turn = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    except Exception:  # EXIF is a camera's free-form block: any parser error is possible
        log.warning("the EXIF data of %s cannot be read; the photo is used as stored, unrotated", name, exc_info=True)
        return image
    return image.transpose(turn) if turn is not None else image


def reduce_jpeg_to_fit(image: Image.Image, max_pixels: int) -> None:
    """Set an opened, not yet decoded JPEG to decode at the smallest reduction (2, 4 or 8)
    whose size fits `max_pixels`; leave it as it is when none does."""
    width, height = image.size
    for factor in (2, 4, 8):
        if -(-width // factor) * -(-height // factor) <= max_pixels:
            # Pillow picks the largest reduction that keeps the size >= the one asked for.
            image.draft(image.mode, (width // factor, height // factor))
            return


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by colour type
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def png_image_bytes(width: int, height: int, bit_depth: int, colour_type: int, interlaced: bool) -> int | None:
    """How many bytes a PNG's image data inflates to (each row: a filter byte, then its pixels),
    or None for a colour type PNG does not define."""
    channels = _PNG_CHANNELS.get(colour_type)
    if channels is None:
        return None
    bits = bit_depth * channels
    passes = _ADAM7 if interlaced else ((0, 0, 1, 1),)
    total = 0
    for x0, y0, dx, dy in passes:
        columns = (width - x0 + dx - 1) // dx if width > x0 else 0
        rows = (height - y0 + dy - 1) // dy if height > y0 else 0
        if columns and rows:
            total += rows * (1 + (columns * bits + 7) // 8)
    return total


def _png_parts(data: bytes) -> tuple[bytes, list[bytes]] | None:
    """(IHDR body, the IDAT chunks' bodies) of a PNG, or None when its chunks cannot be walked."""
    if not data.startswith(_PNG_SIGNATURE):
        return None
    at, header, idat = len(_PNG_SIGNATURE), None, []
    while at + 8 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        kind = data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        if len(body) < length:
            return None
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        at += 12 + length
    return (header, idat) if header is not None and len(header) >= 13 and idat else None


def check_png_complete(data: bytes, name: str) -> None:
    """ImageError when a PNG's image data is corrupt or ends before its last row. Pillow stops
    quietly at the end of a complete zlib stream that holds half the rows, and paints the rest
    black (audit: a photo graded with its bottom half missing). The data is inflated in 1 MiB
    steps and only counted, so this costs one more pass over the compressed bytes, never the
    image's memory."""
    parts = _png_parts(data)
    if parts is None:
        return  # Pillow has read it; nothing here to measure it by
    header, idat = parts
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    expected = png_image_bytes(width, height, header[8], header[9], header[12] == 1)
    if expected is None:
        return
    inflate = zlib.decompressobj()
    total = 0
    try:
        for body in idat:
            pending = body
            while pending and not inflate.eof:
                total += len(inflate.decompress(pending, 1 << 20))
                pending = inflate.unconsumed_tail
            if inflate.eof or total >= expected:
                break
        if not inflate.eof and total < expected:
            total += len(inflate.flush())
    except zlib.error as exc:
        log.info("inflating the image data of %s failed: %s", name, exc)
        raise ImageError(f"{name} is damaged and cannot be decoded (its image data is corrupt)", RETAKE) from exc
    if total < expected:
        shown = 100 * total // expected
        raise ImageError(f"{name} is truncated: its image data ends early ({shown}% of the rows)", RETAKE)


def bomb_pixels(exc: Exception) -> int | None:
    """The pixel count Pillow's DecompressionBombError gives ("... (N pixels) exceeds ..."), or
    None when its message does not say."""
    found = re.search(r"(\d+) pixels", str(exc))
    return int(found.group(1)) if found else None


def to_rgb_array(image: Image.Image) -> np.ndarray:
    """Convert any Pillow image mode to an H x W x 3 RGB uint8 array."""
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return _grey_to_rgb(_high_depth_to_uint8(np.asarray(image)))
    if mode == "1":
        return _grey_to_rgb(np.asarray(image.convert("L")))
    if mode == "L":
        return _grey_to_rgb(np.asarray(image))
    if mode == "P":
        image = image.convert("RGBA") if "transparency" in image.info else image.convert("RGB")
        mode = image.mode
    if mode in ("LA", "La", "PA", "RGBA", "RGBa"):
        rgba = np.asarray(image.convert("RGBA")).astype(np.float32)
        alpha = rgba[..., 3:4] / 255.0
        rgb = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
        return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    if mode != "RGB":
        image = image.convert("RGB")
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))


def _high_depth_to_uint8(values: np.ndarray) -> np.ndarray:
    """16-bit / 32-bit integer or float greyscale to uint8 by the type's range.

    Integer data (16-bit files, and the 'I' mode Pillow opens many 16-bit PNGs in) is scaled
    by 65535 unless it exceeds that; floats are taken as 0..1 (or 0..255 when above 1).
    """
    is_float = values.dtype.kind == "f"
    values = values.astype(np.float64)
    top = float(values.max()) if values.size else 0.0
    if is_float:
        scale = 1.0 if top <= 1.0 else 255.0 if top <= 255.0 else top
    else:
        scale = 65535.0 if top <= 65535.0 else top
    return np.clip(values / scale * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _grey_to_rgb(grey: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2).astype(np.uint8))


def write_png(path: str | os.PathLike, array: np.ndarray, compression: int = 3) -> Path:
    """Write an RGB (H x W x 3) or single-channel uint8 array as PNG; returns the path.

    Encoded in memory and written by Python through a temporary file renamed over the
    target: any path works (OpenCV's imwrite crashed on a non-UTF-8 folder name), a full
    disk is an OSError without libpng printing to stderr, and a crash leaves the old file or
    the new one, never half of one.
    """
    import cv2

    path = Path(path)
    image = cv2.cvtColor(array, cv2.COLOR_RGB2BGR) if array.ndim == 3 else array
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, compression])
    if not ok:
        raise OSError(f"could not encode {path.name} as PNG")
    with replace_when_done(path) as handle:
        handle.write(encoded.tobytes())
    return path
