"""Reader for the parsing data set layout (DESIGN §4, a contract).

`ROOT/images/NAME.jpg|png`, `ROOT/masks/NAME.png`, `ROOT/classes.json`, optional
`ROOT/splits.csv`. A data set class may stand for several project classes (`maps_to`);
`allowed_matrix()` turns that into a boolean (n_dataset_classes x 11) matrix used by the
partial-label loss and, inverted, by the evaluation rule for coarse sets.

FASSEG has no split of its own. `fasseg_split` holds out a deterministic validation part
from its file name alone, by person for V3 (multi-pose) and by image for V2 (frontal), so
that `fasseg/` and `fasseg_fine/` (same stems) keep the very same photos out of training.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from models.errors import InputError
from models.labels import CLASS_INDEX, CLASSES, IGNORE_INDEX, NUM_CLASSES

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")

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
    """An RGB uint8 image; InputError when it cannot be decoded."""
    data = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if data is None:
        raise InputError(f"cannot read image {path}; is it a valid JPEG/PNG file?")
    return cv2.cvtColor(data, cv2.COLOR_BGR2RGB)


def read_mask(path: Path) -> np.ndarray:
    """A single-channel uint8 label mask; InputError when it is missing or not single-channel."""
    data = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if data is None:
        raise InputError(f"cannot read mask {path}")
    if data.ndim != 2 or data.dtype != np.uint8:
        raise InputError(f"mask {path} must be a single-channel 8-bit PNG of class indices")
    return data


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

    @classmethod
    def open(cls, root: str | Path) -> ParsingDataset:
        """Read `classes.json`, list image/mask pairs and the split of each name."""
        root = Path(root)
        spec_path = root / "classes.json"
        if not spec_path.is_file():
            raise InputError(f"{root} is not a parsing data set: classes.json is missing (see DESIGN §4)")
        try:
            spec = json.loads(spec_path.read_text(encoding="utf-8-sig"))  # a BOM (Windows editors) is fine
            classes = [str(c) for c in spec["classes"]]
            maps_to = {str(k): [str(x) for x in v] for k, v in spec.get("maps_to", {}).items()}
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise InputError(f"{spec_path} is malformed ({exc}); it needs 'classes' and 'maps_to'") from exc
        for name in classes:
            targets = maps_to.setdefault(name, [name])
            unknown = [t for t in targets if t not in CLASS_INDEX]
            if unknown:
                raise InputError(f"{spec_path}: class {name!r} maps to unknown project classes {unknown}")
        images = {}
        for path in sorted((root / "images").glob("*")):
            if path.suffix.lower() in IMAGE_SUFFIXES and (root / "masks" / (path.stem + ".png")).is_file():
                images[path.stem] = path
        if not images:
            raise InputError(f"{root} holds no image/mask pairs (images/NAME.jpg with masks/NAME.png)")
        splits: dict[str, str] = {}
        split_file = root / "splits.csv"
        if split_file.is_file():
            try:
                with split_file.open(newline="", encoding="utf-8-sig") as handle:  # Excel's BOM is fine
                    for line, row in enumerate(csv.DictReader(handle), start=2):
                        name, split = row.get("name"), row.get("split")
                        if name is None or split is None:
                            raise InputError(f"{split_file} line {line}: needs the columns name,split")
                        splits[name.strip()] = split.strip()
            except UnicodeDecodeError as exc:
                raise InputError(f"{split_file} is not UTF-8 text; save it as CSV UTF-8") from exc
        else:
            for name in images:
                rule = fasseg_split(name)
                if rule is not None:
                    splits[name] = rule
        return cls(
            root=root,
            classes=classes,
            maps_to=maps_to,
            ignore_index=int(spec.get("ignore_index", IGNORE_INDEX)),
            names=sorted(images),
            splits=splits,
            _images=images,
        )

    @property
    def is_project_label_set(self) -> bool:
        """True when every data set class is exactly the project class of the same index."""
        return self.classes == list(CLASSES) and all(self.maps_to[c] == [c] for c in CLASSES)

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
        return self.root / "masks" / f"{name}.png"

    def load(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(RGB uint8 image, uint8 mask of data set class indices; ignore_index kept)."""
        image = read_image(self.image_path(name))
        mask = read_mask(self.mask_path(name))
        if mask.shape != image.shape[:2]:
            raise InputError(f"{self.root.name}/{name}: mask {mask.shape} and image {image.shape[:2]} differ in size")
        return image, mask
