"""Reader for the parsing data set layout (DESIGN §4, a contract).

`ROOT/images/NAME.jpg|png`, `ROOT/masks/NAME.png`, `ROOT/classes.json`, optional
`ROOT/splits.csv`. A data set class may stand for several project classes (`maps_to`);
`allowed_matrix()` turns that into a boolean (n_dataset_classes x 11) matrix used by the
partial-label loss and, inverted, by the evaluation rule for coarse sets. What a set holds but
cannot use (an image without a mask, a splits.csv name without an image, an image splits.csv
does not list, counted as train) is said in a warning, never dropped without a word.

FASSEG has no split of its own. `fasseg_split` holds out a deterministic validation part
from its file name alone, by person for V3 (multi-pose) and by image for V2 (frontal), so
that `fasseg/` and `fasseg_fine/` (same stems) keep the very same photos out of training.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from models.clutter import is_clutter
from models.counted import counted
from models.errors import InputError
from models.labels import CLASS_INDEX, CLASSES, IGNORE_INDEX, NUM_CLASSES
from models.pipeline.images import MAX_PIXELS, ImageTooLargeError, bomb_pixels, load_image
from models.user_warnings import print_warning

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
SPLITS = ("train", "val", "test")  # the parts a splits.csv or labels.csv may name

# Held-out FASSEG photos: V3 person 04 (both series, all 13 pans = 26 photos) and the V2
# frontal images 03, 08 and 13. Chosen once, by person for V3 so that no face seen in
# training is scored; written down here so the rule never drifts.
FASSEG_VAL_V3_PERSONS = frozenset({"04"})
FASSEG_VAL_V2_IMAGES = frozenset({"03", "08", "13"})
_V3 = re.compile(r"^v3_personne(\d\d)\d{3}_pan")
_V2 = re.compile(r"^v2_train_(\d+)$")


def fasseg_split(name: str) -> str | None:
    """'train' or 'val' for a FASSEG file stem (either copy), None for a non-FASSEG name."""
    m = _V3.match(name)
    if m:
        return "val" if m.group(1) in FASSEG_VAL_V3_PERSONS else "train"
    m = _V2.match(name)
    if m:
        return "val" if m.group(1).zfill(2) in FASSEG_VAL_V2_IMAGES else "train"
    return None


def read_image(path: Path) -> np.ndarray:
    """An RGB uint8 image, upright per its EXIF orientation (as OpenCV's IMREAD_COLOR turned it
    before: the masks beside it were drawn on that view). The assessment's checks apply
    (`models.pipeline.images.load_image`): a header that declares more than MAX_PIXELS is refused
    before any pixel is decoded, and a truncated or damaged file is refused, never graded half
    grey; InputError naming the file."""
    return load_image(path, label=str(path), purpose="training or evaluating with it")


def read_mask(path: Path, max_pixels: int = MAX_PIXELS, photo_shape: tuple[int, ...] | None = None) -> np.ndarray:
    """A single-channel uint8 label mask; InputError when it is missing or not single-channel.

    The header is read first (Pillow, nothing decoded) and a mask declaring more than
    `max_pixels` pixels, or more than its photo's (`photo_shape`, H x W), is refused: a 389 KB
    PNG decoded to 20000 x 20000 took 815 MB. The file is read by Python and decoded from memory
    (the pixels `cv2.imread` gave): OpenCV cannot open a path with non-ASCII characters on
    Windows (C:/Users/José/masks/rest.png). A palette PNG (Pillow mode "P", what annotation
    tools such as CVAT or labelme write) gives its palette indices, the class values; its
    colours are not read."""
    try:
        encoded = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read mask {path} ({exc.strerror or exc})") from None
    if not encoded:
        raise InputError(f"cannot read mask {path}")
    mode = _check_mask_header(path, encoded, max_pixels, photo_shape)
    if mode == "P":  # a palette PNG, as annotation tools write class indices: OpenCV would expand the colours
        data = _palette_indices(encoded, path)
    else:
        try:
            data = cv2.imdecode(np.frombuffer(encoded, np.uint8), cv2.IMREAD_UNCHANGED)
        except cv2.error:  # a damaged file: imread answered None
            data = None
    if data is None:
        raise InputError(f"cannot read mask {path}")
    if data.ndim != 2 or data.dtype != np.uint8:
        what = "a colour image: export the class indices from the annotation tool" if data.ndim != 2 \
            else f"{data.dtype.itemsize * 8}-bit: save it as 8-bit"
        raise InputError(f"mask {path} must be a single-channel 8-bit PNG of class indices (greyscale, or a palette "
                         f"PNG whose indices are the classes); it is {what}")
    return data


def _palette_indices(encoded: bytes, path: Path | str) -> np.ndarray | None:
    """The palette indices of a palette PNG as a uint8 array; None when it cannot be decoded.
    A grey palette whose greys are not its indices is refused: a greyscale mask that a PNG
    optimiser stored as a palette shows its classes as the greys, an annotation tool's
    indices are the classes, and the file cannot say which it is."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the header was checked
            with Image.open(io.BytesIO(encoded)) as image:
                image.load()
                if image.mode != "P":
                    return None
                indices = np.asarray(image, dtype=np.uint8).copy()
                palette = image.getpalette() or []
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    colours = {int(i): tuple(palette[3 * int(i): 3 * int(i) + 3]) for i in np.unique(indices)}
    # an optimiser's palette: every used entry a grey of its own (one grey for all says nothing)
    greys = {c[0] for c in colours.values() if len(c) == 3 and c[0] == c[1] == c[2]}
    if len(greys) == len(colours) > 1 and any(c[0] != i for i, c in colours.items()):
        raise InputError(f"mask {path} is a palette PNG whose grey palette shows other values than its indices "
                         "(a greyscale mask stored as a palette by an image optimiser?): save it as an 8-bit "
                         "greyscale PNG of class indices")
    return indices


def _check_mask_header(path: Path, encoded: bytes, max_pixels: int, photo_shape: tuple[int, ...] | None) -> str:
    """Refuse a mask whose header declares too many pixels, before any pixel is decoded;
    returns its Pillow mode ("L", "P", "RGB", ...)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our limit replaces it
            with Image.open(io.BytesIO(encoded)) as header:
                width, height = header.size
                mode = header.mode
    except Image.DecompressionBombError as exc:
        pixels = bomb_pixels(exc)
        size = f"{pixels / 1e6:.0f} megapixels" if pixels is not None else "too many pixels to decode safely"
        raise ImageTooLargeError(f"mask {path} is too large ({size}, limit {max_pixels / 1e6:.0f}); "
                                 "a mask must have its photo's size: redraw or resize it") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"cannot read mask {path} (not a PNG Palsy Grader can read)") from exc
    if width * height > max_pixels:
        raise ImageTooLargeError(f"mask {path} is too large ({width} x {height} = {width * height / 1e6:.0f} megapixels, "
                                 f"limit {max_pixels / 1e6:.0f}); a mask must have its photo's size: redraw or resize it")
    if photo_shape is not None and width * height > int(photo_shape[0]) * int(photo_shape[1]):
        raise InputError(f"mask {path} is {width} x {height} pixels, larger than its photo ({photo_shape[1]} x "
                         f"{photo_shape[0]}); a mask must match its photo's size")
    return mode


def _integer(value: object) -> int | None:
    """`value` as an int when it is a whole number (JSON 255 or 255.0), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _names(value: object) -> list[str] | None:
    """A JSON list of strings as a list, else None (a bare string is not a list of one)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _read_spec(spec: object, spec_path: Path) -> tuple[list[str], dict[str, list[str]], int]:
    """(classes, maps_to with every class filled in, ignore_index) of a classes.json, each
    checked: a typo in a key or a class name would otherwise train a class under another
    meaning without a word, and a bad ignore value would crash the loss mid-run."""
    if not isinstance(spec, dict):
        raise InputError(f"{spec_path} is malformed (a {type(spec).__name__}, not an object); it needs 'classes' and 'maps_to'")
    classes = _names(spec.get("classes"))
    if not classes:
        raise InputError(f"{spec_path}: 'classes' must be a non-empty list of class names in index order")
    if len(classes) > 255:
        raise InputError(f"{spec_path}: {len(classes)} classes do not fit 8-bit masks (255 at most)")
    seen: set[str] = set()
    for name in classes:
        if name in seen:
            raise InputError(f"{spec_path}: class {name!r} is listed twice in 'classes'; give each class one index")
        seen.add(name)
    raw_maps = spec.get("maps_to", {})
    if not isinstance(raw_maps, dict):
        raise InputError(f"{spec_path}: 'maps_to' must be an object {{\"data set class\": [\"project class\", ...]}}")
    maps_to: dict[str, list[str]] = {}
    for key, value in raw_maps.items():
        if key not in seen:
            close = difflib.get_close_matches(key, classes, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"{spec_path}: maps_to key {key!r} is not one of its classes {classes}{hint}")
        targets = _names(value)
        if targets is None:
            raise InputError(f"{spec_path}: maps_to[{key!r}] must be a list of project class names, got {json.dumps(value)[:60]}")
        if not targets:
            raise InputError(f"{spec_path}: maps_to[{key!r}] is an empty list; name the project classes it stands for "
                             f"({', '.join(CLASSES)})")
        maps_to[key] = targets
    for name in classes:
        targets = maps_to.setdefault(name, [name])
        unknown = [t for t in targets if t not in CLASS_INDEX]
        if unknown:
            raise InputError(f"{spec_path}: class {name!r} maps to unknown project classes {unknown}"
                             + ("" if name in raw_maps else "; give it a maps_to entry"))
    raw_ignore = spec.get("ignore_index", IGNORE_INDEX)
    ignore_index = _integer(raw_ignore)
    if ignore_index is None or not 0 <= ignore_index <= 255:
        raise InputError(f"{spec_path}: ignore_index {json.dumps(raw_ignore)[:40]} is not an integer from 0 to 255 "
                         "(the mask value of unlabelled pixels; 255 is usual)")
    if ignore_index < len(classes):
        raise InputError(f"{spec_path}: ignore_index {ignore_index} is the index of class {classes[ignore_index]!r}; "
                         f"give a value no class uses ({len(classes)} to 255; 255 is usual)")
    return classes, maps_to, ignore_index


def masks_by_stem(folder: Path) -> dict[str, Path]:
    """The PNG masks of a folder by stem, each also under its lower-cased stem, for
    `find_mask` (a parsing set's masks/, a patient's masks/)."""
    if not folder.is_dir():
        return {}
    masks = [path for path in sorted(folder.iterdir()) if path.suffix.lower() == ".png" and path.is_file()]
    found = {path.stem: path for path in masks}
    for path in masks:
        found.setdefault(path.stem.lower(), path)
    return found


def find_mask(masks: dict[str, Path], stem: str) -> Path | None:
    """The mask of an image or photo named `stem`, whatever the case of its stem and
    extension (images/REST.JPG with masks/rest.png or masks/REST.PNG), as photos are found;
    a mask of the exact name wins over one that differs in case."""
    return masks.get(stem) or masks.get(stem.lower())


def check_mask_values(mask: np.ndarray, where: Path, n_classes: int, ignore: tuple[int, ...] = (IGNORE_INDEX,),
                      fix: str = "fix the mask or the set's classes.json") -> None:
    """InputError naming `where` when the mask holds a value that is neither a class index
    (0..n_classes-1) nor one of the `ignore` values: no guess is made about what it stands for."""
    bad = mask[(mask >= n_classes) & ~np.isin(mask, ignore)]
    if bad.size:
        raise InputError(f"{where}: mask value {int(bad[0])} is not a class of this set (0..{n_classes - 1}, "
                         f"{' or '.join(map(str, ignore))} = ignore); {fix}")


def _pairs(root: Path) -> tuple[dict[str, Path], dict[str, Path], list[Path]]:
    """(image by name, mask by name, images without a mask; masks found by `find_mask`).
    InputError for two images of one name (face0.jpg and face0.png, or FACE0.png: one mask
    for both, and one of them silently won)."""
    found = masks_by_stem(root / "masks")
    images: dict[str, Path] = {}
    masks: dict[str, Path] = {}
    without: list[Path] = []
    seen: dict[str, Path] = {}  # lower-cased stem -> the first image of that name
    for path in sorted((root / "images").glob("*")):
        if path.suffix.lower() not in IMAGE_SUFFIXES or is_clutter(path):
            continue  # not macOS's ._0.jpg (AppleDouble metadata): "an image without a mask"
        mask = find_mask(found, path.stem)
        twin = seen.setdefault(path.stem.lower(), path)
        if twin != path:
            both = f", with one mask for both (masks/{mask.name})" if mask is not None else ""
            raise InputError(f"images/{twin.name} and images/{path.name} in {root} are both image {path.stem!r}{both}; "
                             "keep one of them, or rename the other and give it its own mask")
        if mask is None:
            without.append(path)
            continue
        images[path.stem] = path
        masks[path.stem] = mask
    return images, masks, without


SHOWN = 3  # names a warning gives


def _warn(message: str) -> None:
    """One line on stderr, as the other data warnings (`palsy: warning: ...`), once per process:
    a command opens one set several times (split, scores, summary)."""
    print_warning(message, once=True)


def _first_few(names: Iterable[str]) -> str:
    """The first SHOWN names, comma-separated, with ', ...' when there are more."""
    names = list(names)
    return ", ".join(names[:SHOWN]) + (", ..." if len(names) > SHOWN else "")


def read_csv_rows(path: Path, required: frozenset[str], expected: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row by column name) of each data row of a CSV file the user made
    (labels.csv, splits.csv): read as UTF-8 with or without a byte-order mark (Excel's "CSV
    UTF-8" writes one, which would otherwise stick to the first column's name); separated by
    commas, or by semicolons when the header line holds semicolons and no comma (`csv_delimiter`);
    header names stripped and lower-cased; rows of empty fields skipped. A header without the
    `required` columns, a row too short to reach them, another encoding (Excel's plain "CSV" is
    cp1252) or a broken CSV is an InputError naming the file and line; `expected` spells
    the columns for the message."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            text = handle.read()
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
        header = [name.strip().lower() for name in next(reader, [])]
        missing = required - set(header)
        if missing:
            hint = "; separate its columns with commas or with semicolons, not both" if any(";" in h for h in header) else ""
            raise InputError(f"{path} line 1: lacks the columns {sorted(missing)}; expected {expected}{hint}")
        rows = []
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue  # a blank line (Excel adds some at the end)
            row = dict(zip(header, fields, strict=False))
            if not required <= set(row):
                raise InputError(f"{path} line {reader.line_num}: {len(fields)} field(s) where {len(header)} columns "
                                 f"are named; expected {expected}")
            rows.append((reader.line_num, row))
        return rows
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text (byte {exc.start}); save it as \"CSV UTF-8\" "
                         "(in Excel: Save As > CSV UTF-8 (Comma delimited))") from None
    except csv.Error as exc:
        raise InputError(f"{path} is not a readable CSV file ({exc})") from None


def csv_delimiter(text: str) -> str:
    """The column separator of a user's CSV: ";" when its header line holds semicolons and no
    comma, as Excel writes "CSV" (even "CSV UTF-8 (Comma delimited)") wherever the regional
    list separator is ";" (German, French, Dutch...); else ",". The header is enough: the
    column names hold neither, and csv.Sniffer guesses from the data rows, which may."""
    header = text.split("\n", 1)[0]
    return ";" if ";" in header and "," not in header else ","


def _read_splits(split_file: Path) -> dict[str, str]:
    """name -> split of a splits.csv (read as `read_csv_rows` reads it); a split other than
    train, val or test, whatever its case and spaces, is refused with its line: `validation`
    or a typo would otherwise leave those images out of every part."""
    splits: dict[str, str] = {}
    for line, row in read_csv_rows(split_file, frozenset({"name", "split"}), "name,split"):
        raw = row["split"].strip()
        if raw.lower() not in SPLITS:
            raise InputError(f"{split_file} line {line}: split {raw!r} of {row['name'].strip()!r} "
                             f"is not one of {', '.join(SPLITS)}")
        splits[row["name"].strip()] = raw.lower()
    return splits


@dataclass
class ParsingDataset:
    """One folder in the parsing layout. Use `ParsingDataset.open(root)`."""

    root: Path
    classes: list[str]
    maps_to: dict[str, list[str]]
    ignore_index: int
    names: list[str]
    splits: dict[str, str] = field(default_factory=dict)
    _images: dict[str, Path] = field(default_factory=dict, repr=False)
    _masks: dict[str, Path] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, root: str | Path) -> ParsingDataset:
        """Read `classes.json`, list image/mask pairs and the split of each name. A warning
        (stderr) names images left out for want of a mask, splits.csv names without a pair,
        and images splits.csv does not list (counted as train); two images of one name are
        refused."""
        root = Path(root)
        spec_path = root / "classes.json"
        if not spec_path.is_file():
            raise InputError(f"{root} is not a parsing data set: classes.json is missing; give a folder holding images/, "
                             "masks/ and classes.json, or a patient set (labels.csv)")
        try:
            spec = json.loads(spec_path.read_text(encoding="utf-8-sig"))  # a BOM (Windows editors) is fine
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{spec_path} is malformed ({exc}); it needs 'classes' and 'maps_to'") from exc
        classes, maps_to, ignore_index = _read_spec(spec, spec_path)
        images, masks, without = _pairs(root)
        if not images:
            example = f"images/{without[0].name} has no masks/{without[0].stem}.png" if without else "images/ holds no photo"
            raise InputError(f"{root} holds no image/mask pairs ({example}; expected images/NAME.jpg|png with masks/NAME.png)")
        if without:  # dropped without a word, the set looked whole
            _warn(f"{root}: {counted(len(without), 'image')} without a mask left out ("
                  f"{_first_few(f'images/{p.name}' for p in without)}); each image needs masks/NAME.png")
        splits: dict[str, str] = {}
        split_file = root / "splits.csv"
        if split_file.is_file():
            splits = _read_splits(split_file)
            unpaired = {p.stem for p in without}
            unknown = [name for name in splits if name not in images and name not in unpaired]
            if unknown:
                _warn(f"{split_file}: {counted(len(unknown), 'name')} without an image/mask pair ignored "
                      f"({_first_few(unknown)}); a name is the image's file name without its extension")
            unlisted = [name for name in sorted(images) if name not in splits]
            if unlisted:  # labels.csv refuses a gapped split column; a parsing set keeps loading as it did
                _warn(f"{split_file}: {counted(len(unlisted), 'image')} not listed, counted as train "
                      f"({_first_few(unlisted)}); give each image a row name,split")
        else:
            for name in images:
                rule = fasseg_split(name)
                if rule is not None:
                    splits[name] = rule
        return cls(
            root=root,
            classes=classes,
            maps_to=maps_to,
            ignore_index=ignore_index,
            names=sorted(images),
            splits=splits,
            _images=images,
            _masks=masks,
        )

    @property
    def has_split(self) -> bool:
        """Whether the set defines (or we define for it) a validation part."""
        return any(s != "train" for s in self.splits.values())

    def split_names(self, split: str) -> list[str]:
        """Names in `split` ('train', 'val', 'test', or 'all'); names without a split count as train."""
        if split == "all":
            return list(self.names)
        return [n for n in self.names if self.splits.get(n, "train") == split]

    def allowed_matrix(self) -> np.ndarray:
        """Boolean (n_dataset_classes x NUM_CLASSES): row d marks the project classes class d allows."""
        matrix = np.zeros((len(self.classes), NUM_CLASSES), dtype=bool)
        for d, name in enumerate(self.classes):
            for target in self.maps_to[name]:
                matrix[d, CLASS_INDEX[target]] = True
        return matrix

    def project_to_dataset(self) -> np.ndarray:
        """For evaluation: (NUM_CLASSES,) the data set class whose list holds each project class.

        Raises InputError when the lists do not partition the project classes, since then a
        prediction cannot be scored unambiguously on this set.
        """
        matrix = self.allowed_matrix()
        counts = matrix.sum(axis=0)
        if not np.all(counts == 1):
            bad = [CLASSES[i] for i in np.flatnonzero(counts != 1)]
            raise InputError(
                f"{self.root.name}: its maps_to lists do not partition the project classes ({bad} appear "
                "in zero or several lists), so it cannot be scored; use it for training only"
            )
        return matrix.argmax(axis=0).astype(np.int64)

    def image_path(self, name: str) -> Path:
        return self._images[name]

    def mask_path(self, name: str) -> Path:
        return self._masks.get(name, self.root / "masks" / f"{name}.png")

    def load(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(RGB uint8 image, uint8 mask of data set class indices; ignore_index kept).

        A mask value that is neither a class of classes.json nor an ignore value (its
        ignore_index, or 255) is an InputError naming the mask, in training as in evaluation:
        no guess is made about what it stands for."""
        image = read_image(self.image_path(name))
        mask = read_mask(self.mask_path(name), photo_shape=image.shape[:2])
        if mask.shape != image.shape[:2]:
            raise InputError(f"{self.root.name}/{name}: mask {mask.shape} and image {image.shape[:2]} differ in size")
        ignore = tuple(dict.fromkeys((self.ignore_index, IGNORE_INDEX)))
        check_mask_values(mask, self.mask_path(name), len(self.classes), ignore)
        return image, mask
