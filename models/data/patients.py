"""Reader for the patient data set layout (DESIGN §4, a contract).

`ROOT/labels.csv` with `patient_id,grade,side[,split]`, photos `ROOT/PATIENT_ID/EXPRESSION.jpg|png`
(or `EXPRESSION_N.*`; any suffix `palsy assess` reads, `models.pipeline.images.IMAGE_SUFFIXES`),
optional masks `ROOT/PATIENT_ID/masks/EXPRESSION[_N].png` in the project label set (a frame's own
`masks/EXPRESSION_N.png`, else `masks/EXPRESSION.png` for the expression's first frame only:
`PatientDataset.photos`). Splits are by patient, never by image: the `split` column when
present, else a deterministic 2/3 : 1/6 : 1/6 train/val/test split stratified by grade
(`assign_splits`). labels.csv is UTF-8 text, with or without the byte-order mark Excel writes,
separated by commas or, as Excel writes under many regional settings, by semicolons
(`models.data.parsing.read_csv_rows`).

Photos are read as `palsy assess` reads them (`read_photo`: Pillow, EXIF orientation, alpha over
white, at least MIN_PHOTO_SIDE pixels a side, damaged or truncated files refused), so training,
scoring and the app see the same pixels. A patient's folder is found by its name after Unicode
NFC normalisation and stripping of surrounding spaces (macOS writes "Müller" decomposed, a
copy may keep "P-10 " with its trailing space).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.atomic_files import replace_file
from models.clutter import is_clutter
from models.data.parsing import (
    SPLITS,
    check_mask_values,
    csv_delimiter,
    find_mask,
    masks_by_stem,
    read_csv_rows,
    read_mask,
)
from models.errors import InputError
from models.folder_names import folder_name_problem
from models.labels import CLASSES, EXPRESSIONS, GRADES, SIDES, grade_index
from models.photo_formats import refused_unreadable_photos, unreadable_photo_problem
from models.pipeline.images import IMAGE_SUFFIXES, MIN_PHOTO_SIDE, load_image
from models.pipeline.patient_dir import find_expression_photos, frame_of

REQUIRED = frozenset({"patient_id", "grade", "side"})  # labels.csv columns
# A photo's file stem (lower case): the expression, then an optional frame number (`rest_2`).
PHOTO_STEM = re.compile(r"^(?P<expr>[a-z_]+?)(?:_(?P<n>\d+))?$")
CHECK_THREADS = 4  # at most, photos decoded at once by `check_files` (Pillow releases the GIL)
# A photo whose pixels span at most this many grey levels is blank (a black or white frame): two
# patients may both have one without being one person, so it is not compared.
BLANK_RANGE = 8
SHARED_FIX = ("keep one ID per person (one row and one folder), or give both rows the same split in a split "
              "column of labels.csv (docs/train.md, \"Patient splits\"); a placeholder picture standing in for a "
              "missing expression is no photo: remove it (a patient may lack an expression)")


@dataclass(frozen=True)
class Patient:
    """One row of labels.csv."""

    patient_id: str
    grade: int  # class index 0-5 (grade I-VI)
    side: str  # left / right / none
    split: str


@dataclass(frozen=True)
class SharedPhoto:
    """One photo, pixel for pixel (`photo_digest`), in the folders of two listed patients."""

    first: str  # patient id
    first_split: str
    second: str
    second_split: str
    first_photo: str  # "PATIENT/NAME" as in the data set
    second_photo: str

    def describe(self) -> str:
        return (f"{self.first} ({self.first_split}) and {self.second} ({self.second_split}) have an identical photo "
                f"({self.first_photo} = {self.second_photo})")


@dataclass(frozen=True)
class PatientSample:
    """One expression photo labelled with its patient's grade (a stage-2 sample)."""

    patient_id: str
    expression: str
    image: Path
    mask: Path | None
    grade: int
    side: str


def read_photo(path: Path) -> np.ndarray:
    """A patient photo as `palsy assess` reads it (`load_image` with its size limits: header
    checked before decoding, EXIF orientation applied, alpha over white, at least
    MIN_PHOTO_SIDE pixels a side, a large phone JPEG decoded reduced: its mask, if any, is
    over the pixel limit too and refused as too large); InputError naming the whole path."""
    return load_image(path, min_side=MIN_PHOTO_SIDE, label=str(path), purpose="training or scoring with it")


def photo_digest(image: np.ndarray) -> str:
    """The sha256 of a decoded photo's size and pixels (`read_photo`: upright, RGB): equal for
    a copy and for one saved again without loss (the PNG of a JPEG's pixels), whose file bytes
    differ."""
    digest = hashlib.sha256(str(image.shape).encode())
    digest.update(np.ascontiguousarray(image).data)
    return digest.hexdigest()


def check_mask_size(image: np.ndarray, photo: Path, mask: np.ndarray, mask_path: Path) -> None:
    """InputError when a mask's size differs from its photo's (as shown upright): its labels
    would land on the wrong pixels. A masks/EXPRESSION.png paired with the expression's first
    frame (`PatientDataset.photos`) may have been drawn on another frame: the message says how
    to name it for that one."""
    if image.shape[:2] != mask.shape[:2]:
        (ih, iw), (mh, mw) = image.shape[:2], mask.shape[:2]
        swapped = " (width and height swapped: the photo has an EXIF rotation tag; draw the mask on the upright photo)" \
            if (ih, iw) == (mw, mh) else ""
        pairing = ""
        if mask_path.stem.lower() != photo.stem.lower():  # masks/rest.png with rest_1.png, the first frame
            expression = mask_path.stem
            pairing = (f"; masks/{mask_path.name} goes with the expression's first frame, {photo.name}: name it "
                       f"masks/{expression}_N.png if it was drawn on {expression}_N (masks/{expression}_2.png for "
                       f"{expression}_2)")
        raise InputError(f"{mask_path} is {mw} x {mh} pixels but its photo {photo} is {iw} x {ih} as shown upright "
                         f"(EXIF orientation applied){swapped}; a mask must match its photo's size{pairing}")


def read_labelled_photo(photo: Path, mask_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A patient photo and its mask in the project's classes: InputError naming a mask value
    outside them, or a mask whose size differs from the photo's."""
    image = read_photo(photo)
    mask = read_mask(mask_path)
    check_mask_values(mask, mask_path, len(CLASSES), fix=f"the project's classes are {', '.join(CLASSES)}; fix the mask or remove it")
    check_mask_size(image, photo, mask, mask_path)
    return image, mask


def folder_key(name: str) -> str:
    """A folder name as patient ids are matched: NFC-normalised, surrounding spaces stripped."""
    return unicodedata.normalize("NFC", name).strip()


def case_key(name: str) -> str:
    """A folder name as a case-insensitive file system (macOS, Windows) may match it:
    `folder_key`, each character upper-cased on its own (as NTFS and APFS compare names: "ß"
    stays "ß", so "Strauß" and "Strauss" are two folders, where `str.casefold` would make them
    one). Two patient ids with one key can share one folder there."""
    return "".join(upper if len(upper := char.upper()) == 1 else char for char in folder_key(name))


def _stable_key(seed: int, text: str) -> str:
    return hashlib.sha256(f"{seed}:{text}".encode()).hexdigest()


_CYCLE = ("train", "train", "train", "train", "val", "test")


def assign_splits(patients: dict[str, int], seed: int = 0, rare_grades_train: bool = True) -> dict[str, str]:
    """Deterministic subject-wise split, 2/3 train, 1/6 val, 1/6 test, stratified by grade.

    Within a grade, patients are ordered by a seeded hash of their id (independent of the
    order of labels.csv) and take the cycle train x4, val, test, started at an offset that
    depends on the grade, so that even small grade groups add up to the 4:1:1 proportions.
    A grade the cycle would leave without a training patient gives its first patient to train
    instead: by the offset alone a clinic's lone grade V patient always went to val, a lone VI
    to test and both of two grade V patients out of train, so the network never saw its
    rarest grades. Every other split is the cycle's, unchanged: the demo and synthetic sets'
    (and so the shipped card's figures), and those of clinic runs already under way (their
    training patients are fingerprinted; a moved patient would refuse their folder).
    A set of 3 patients or more gets at least one patient in every split (`fill_empty_splits`):
    the cycle alone can leave a small set without a test patient (6 patients: 5 / 1 / 0), and
    a split the rare-grade rule empties takes a patient of another grade then, never a grade's
    last training patient while another can go.
    `rare_grades_train=False` is the rule before that change (`PatientDataset.moved_by_split_rule`),
    its fill included.
    """
    return fill_empty_splits(cycle_splits(patients, seed, rare_grades_train), patients,
                             order=lambda pid: _stable_key(seed, pid), keep_last_trained=rare_grades_train)


def cycle_splits(patients: dict[str, int], seed: int = 0, rare_grades_train: bool = True) -> dict[str, str]:
    """`assign_splits` before `fill_empty_splits`: each grade's cycle, and the rare-grade rule."""
    result: dict[str, str] = {}
    by_grade: dict[int, list[str]] = {}
    for pid, grade in patients.items():
        by_grade.setdefault(grade, []).append(pid)
    for grade, ids in by_grade.items():
        ids.sort(key=lambda pid: _stable_key(seed, pid))
        cycle = [_CYCLE[(rank + grade) % len(_CYCLE)] for rank in range(len(ids))]
        if rare_grades_train and "train" not in cycle:  # 1 patient of grade V or VI, 2 of grade V
            cycle[0] = "train"
        result.update(zip(ids, cycle, strict=True))
    return result


def fill_empty_splits(splits: dict[str, str], grades: dict[str, int], order: Callable[[str], Any],
                      keep_last_trained: bool = True) -> dict[str, str]:
    """`splits` (patient id -> split) with each empty split (train, then val, then test) given one
    patient of the largest split, when there are 3 patients or more: of that split's most common
    grade (`grades`: id -> grade index; the lowest grade on a tie), the patient last in `order`.
    That choice would take a grade's last training patient when every grade in train has only
    one (a clinic's 8 patients: one of each grade in train, a second V and VI in test, val
    empty; grade I's only one went to val): the other held-out split gives one of its own then,
    when it holds 2 or more; only when it holds fewer does the grade lose it (`grade_gaps`
    warns). `keep_last_trained=False` is the fill before 2026-12-07 (`assign_splits`'s
    `rare_grades_train=False`).
    A set whose splits are all taken is returned unchanged: every set of more than a handful
    of patients, so large sets keep their 2/3 : 1/6 : 1/6 proportions."""
    if len(splits) < len(SPLITS):
        return dict(splits)
    result = dict(splits)
    for empty in SPLITS:
        members = {s: [pid for pid in result if result[pid] == s] for s in SPLITS}
        if members[empty]:
            continue
        donor = max(SPLITS, key=lambda s: (len(members[s]), -SPLITS.index(s)))
        grade = _most_common_grade(members[donor], grades)
        if keep_last_trained and donor == "train" and sum(grades[pid] == grade for pid in members[donor]) == 1:
            # every grade in train has one patient: the other held-out split gives one if it can spare it
            other = next(s for s in SPLITS if s not in (empty, "train"))
            if len(members[other]) >= 2:
                donor = other
                grade = _most_common_grade(members[donor], grades)
        result[max((pid for pid in members[donor] if grades[pid] == grade), key=order)] = empty
    return result


def _most_common_grade(ids: list[str], grades: dict[str, int]) -> int:
    """The grade most of `ids` have (`grades`: id -> grade index), the lowest on a tie."""
    counts: dict[int, int] = {}
    for pid in ids:
        counts[grades[pid]] = counts.get(grades[pid], 0) + 1
    return max(counts, key=lambda g: (counts[g], -g))


def _read_labels(labels: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row by column name) of each data row of labels.csv (`read_csv_rows`);
    InputError for a row with more values than the header names (`_check_row_lengths`)."""
    rows = read_csv_rows(labels, REQUIRED, "patient_id,grade,side[,split]")
    _check_row_lengths(labels)
    return rows


def _check_row_lengths(labels: Path) -> None:
    """InputError naming the first row of labels.csv with a value beyond the header's columns,
    which `read_csv_rows` drops: `,train` typed at the end of a row without a split column in
    the header was cut off without a word, and the automatic split could hold that very patient
    out. Empty values past the header (a spreadsheet's trailing separators) lose nothing."""
    import csv
    import io

    text = labels.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    header = [name.strip().lower() for name in next(reader, [])]
    for fields in reader:
        if any(field.strip() for field in fields[len(header):]):
            fix = ("remove the extra value, or put quotes around a value holding a comma" if "split" in header else
                   "add a split column to the header (train, val or test for every row) or remove the extra value")
            raise InputError(f"{labels} line {reader.line_num} has {len(fields)} values, the header names "
                             f"{len(header)} ({','.join(header)}): {fix}")


def listed_patient_ids(labels: Path) -> list[str]:
    """The patient ids of a labels.csv in row order, each once (InputError when it cannot be read)."""
    ids = [row["patient_id"].strip() for _, row in _read_labels(labels)]
    return list(dict.fromkeys(pid for pid in ids if pid))


class PatientDataset:
    """A patient folder; `samples(split)` lists the expression photos of that split's patients."""

    def __init__(self, root: str | Path, split_seed: int = 0) -> None:
        self.root = Path(root)
        self._photos: dict[str, list[tuple[str, Path, Path | None]]] = {}  # folder listings, read once
        self._unrecognised: dict[str, list[str]] = {}  # files of a patient folder that are no expression photo
        self._folders: dict[str, list[Path]] | None = None  # subfolders of root by folder_key
        self.shared_photos: list[SharedPhoto] = []  # of the last `check_files`: identical photos of two patients
        labels = self.root / "labels.csv"
        if not labels.is_file():
            found = labels_found_instead(self.root) or "labels.csv is missing"
            raise InputError(f"{self.root} is not a patient data set: {found}; give a folder holding labels.csv "
                             "(patient_id,grade,side) and a folder of expression photos for each patient")
        rows = []
        seen: dict[str, tuple[int, tuple[int, str, str]]] = {}  # patient id -> (line, its values)
        by_case: dict[str, tuple[int, str]] = {}  # case_key -> (line, patient id as written there)
        for line, row in _read_labels(labels):
            patient_id = row["patient_id"].strip()
            if not patient_id:
                raise InputError(f"{labels} line {line}: the patient_id is empty")
            problem = folder_name_problem(patient_id)
            if problem is not None:
                raise InputError(f"{labels} line {line}: patient_id {patient_id!r} is not a plain folder name: {problem}; "
                                 f"each patient's photos are in a folder of that name inside {self.root}")
            try:
                grade = grade_index(row["grade"])
            except ValueError as exc:
                raise InputError(f"{labels} line {line}: {exc}") from None
            side = (row.get("side") or "none").strip().lower()
            if side not in SIDES:
                raise InputError(f"{labels} line {line}: side {row.get('side', '').strip()!r} is not one of {', '.join(SIDES)}")
            split = (row.get("split") or "").strip().lower()
            if split and split not in SPLITS:
                raise InputError(f"{labels} line {line}: split {row.get('split', '').strip()!r} is not one of {', '.join(SPLITS)}")
            earlier = seen.get(patient_id)
            if earlier is not None and earlier[1] != (grade, side, split):
                raise InputError(f"{labels} line {line}: patient {patient_id} is already listed on line {earlier[0]} "
                                 "with another grade, side or split; keep one row per patient")
            alike = by_case.setdefault(case_key(patient_id), (line, patient_id))
            if alike[1] != patient_id:  # macOS and Windows open one folder for both: one person in two rows
                raise InputError(f"{labels} line {line}: patient_id {patient_id!r} and {alike[1]!r} on line {alike[0]} "
                                 "differ only in upper/lower case or Unicode form; on macOS and "
                                 "Windows they are one folder, so the same photos would count twice (or in two "
                                 "splits); keep one row per patient")
            if earlier is None:
                seen[patient_id] = (line, (grade, side, split))
                rows.append((patient_id, grade, side, split))
        if not rows:
            raise InputError(f"{labels} lists no patients")
        auto = assign_splits({pid: g for pid, g, _, _ in rows}, split_seed)
        has_column = any(split for *_, split in rows)
        blank = [pid for pid, *_, split in rows if not split]
        if has_column and blank:  # read as train, they silently left the test split
            raise InputError(f"{labels}: {len(blank)} patient(s) have an empty split while others have one, first "
                             f"{blank[0]}; give each train, val or test, or empty the whole column for the automatic split")
        self.split_source = "the split column of labels.csv" if has_column else "automatic: 2/3 : 1/6 : 1/6 by grade"
        # Patients the automatic split holds out (val, test) that releases before the rare-grade
        # rule (2026-12-06) trained on: weights trained then have seen them.
        before = {} if has_column else assign_splits({pid: g for pid, g, _, _ in rows}, split_seed, rare_grades_train=False)
        self.moved_by_split_rule = sorted(pid for pid, split in before.items() if split == "train" != auto[pid])
        self.patients = {
            pid: Patient(pid, grade, side, split if has_column else auto[pid])
            for pid, grade, side, split in rows
        }

    def patient_ids(self, split: str = "all") -> list[str]:
        """Patient ids of `split` ('train', 'val', 'test' or 'all'), sorted."""
        return sorted(p.patient_id for p in self.patients.values() if split == "all" or p.split == split)

    def photos(self, patient_id: str) -> list[tuple[str, Path, Path | None]]:
        """(expression, image path, mask path or None) for each photo of a patient (the folder
        is listed once: a clinic's start asks for it several times). Photo and mask names are
        matched whatever their case (REST.JPG with masks/rest.png), as `palsy assess` reads them.
        A photo's mask is masks/ of its own name (rest_2.png: masks/rest_2.png); failing that,
        an expression's first frame (the unnumbered photo, else the lowest N) takes
        masks/EXPRESSION.png, as DESIGN §4 writes it: a mask is drawn on one photo, so the other
        frames have none. InputError for a photo named as an expression in a format the app
        cannot read (rest.heic) with no readable photo of its frame: left out, the patient
        trained without it (beside rest.png it is listed in `ignored()`); and for two photos of
        one frame (rest.png and REST.jpg, a retake beside the old one), with the words of
        `find_expression_photos`, which `palsy assess` refuses the folder with: both were
        trained, paired with one mask."""
        if patient_id in self._photos:
            return list(self._photos[patient_id])
        folder = self.folder(patient_id)
        masks = masks_by_stem(folder / "masks")
        listed: list[tuple[str, int, Path]] = []  # (expression, frame number, path); 0: no number
        unrecognised: list[str] = []
        files = [p for p in sorted(folder.glob("*")) if not is_clutter(p) and p.is_file()]  # not .DS_Store, masks/
        refused = refused_unreadable_photos(files, frame_of)
        if refused:  # an iPhone's rest.heic: left out, the patient trained without it
            problem = unreadable_photo_problem(refused[0], label=str(refused[0]))
            raise InputError(f"{problem}, or move it out of the patient folder")
        for path in files:
            m = PHOTO_STEM.match(path.stem.lower())  # REST.JPG as `palsy assess` reads it
            if path.suffix.lower() not in IMAGE_SUFFIXES or not m or m.group("expr") not in EXPRESSIONS:
                unrecognised.append(path.name)  # notes.txt; rest.heic beside rest.png
                continue
            listed.append((m.group("expr"), int(m.group("n") or 0), path))
        if listed:  # rest.png beside REST.jpg (or rest_0.png): refused as `palsy assess` refuses them
            find_expression_photos(folder)
        first: dict[str, Path] = {}  # expression -> its first frame (lowest number, the unnumbered photo first)
        for expression, _, path in sorted(listed, key=lambda item: (item[0], item[1], item[2].name)):
            first.setdefault(expression, path)
        found = []
        for expression, _, path in listed:
            mask = find_mask(masks, path.stem)
            if mask is None and first[expression] == path:  # DESIGN §4: masks/EXPRESSION.png, drawn on one photo
                mask = find_mask(masks, expression)
            found.append((expression, path, mask))
        self._photos[patient_id] = found
        self._unrecognised[patient_id] = unrecognised
        return list(found)

    def _folder_index(self) -> dict[str, list[Path]]:
        if self._folders is None:
            self._folders = {}
            if self.root.is_dir():
                for path in sorted(self.root.iterdir()):
                    if path.is_dir() and not is_clutter(path):
                        self._folders.setdefault(folder_key(path.name), []).append(path)
        return self._folders

    def folder(self, patient_id: str) -> Path:
        """The folder of a patient, as named on disk: the one folder of ROOT whose name matches
        PATIENT_ID after NFC normalisation and stripping (`folder_key`), "Müller" written
        decomposed or "P-10 " included; InputError when two do (even when one of them is
        spelled exactly as labels.csv: either may hold the photos). On a case-insensitive file
        system (macOS, Windows) a folder that differs in case only is the patient's too, and
        its real name is returned. `ROOT/PATIENT_ID` when there is none."""
        index = self._folder_index()
        key = folder_key(patient_id)
        near = index.get(key, [])
        if len(near) > 1:
            names = [repr(p.name) for p in near]
            if len({folder_key(n) for n in names}) < len(names):  # "Müller" composed and decomposed look alike
                names = [f"{repr(p.name)} ({ascii(p.name)})" for p in near]
            raise InputError(f"{len(near)} folders of {self.root} may be patient {patient_id!r}: "
                             f"{', '.join(names)}; keep one")
        if near:
            return near[0]
        exact = self.root / patient_id
        if exact.is_dir():  # found by a case-insensitive file system: the name on disk differs in case
            cased = [p for paths in index.values() for p in paths if case_key(p.name) == case_key(key)]
            if len(cased) == 1:
                return cased[0]
        return exact

    def ignored(self) -> dict[str, list[str]]:
        """What the data set holds but training and scoring leave out, each list sorted:
        'folders' without a row in labels.csv, 'files' in a listed patient's folder that are
        no expression photo ("PATIENT/open_mouth (1).png"), 'missing' expressions of listed
        patients ("PATIENT: puff_cheeks")."""
        used = {self.folder(pid) for pid in self.patient_ids()}  # as named on disk
        folders = sorted(p.name for paths in self._folder_index().values() for p in paths if p not in used)
        files, missing = [], []
        for pid in self.patient_ids():
            have = {expression for expression, _, _ in self.photos(pid)}
            files += [f"{pid}/{name}" for name in self._unrecognised.get(pid, [])]
            if have:
                absent = [e for e in EXPRESSIONS if e not in have]
                if absent:
                    missing.append(f"{pid}: {', '.join(absent)}")
        return {"folders": folders, "files": files, "missing": missing}

    def check_photos(self) -> None:
        """InputError when a patient of labels.csv has no expression photos (no folder, or none
        in it): the first one is named, with what the set holds instead (`_found_instead`),
        rather than the patient silently dropped from training or from the figures (the rule
        `palsy train clinic` applies, docs/train.md)."""
        without = [pid for pid in self.patient_ids() if not self.photos(pid)]
        if without:
            first = without[0]
            found = self._found_instead(first)
            raise InputError(f"{len(without)} patient(s) of {self.root}/labels.csv have no expression photos, first "
                             f"{first} (expected {self.folder(first)}/rest.jpg ...); {found}")

    def _found_instead(self, patient_id: str) -> str:
        """What the set holds in place of a patient's photos, and what to do: "add the folder"
        sent users the wrong way when the photos were one level down (a dated subfolder) or the
        folder was named with leading zeros a spreadsheet dropped from labels.csv (0042, 42)."""
        folder = self.folder(patient_id)
        if folder.is_dir():
            below = _subfolders_with_photos(folder)
            if below:
                more = f" (and {len(below) - 1} more: keep one visit's photos)" if len(below) > 1 else ""
                return (f"its photos are one level down, in {below[0]}{more}: move them up into {folder}, as each "
                        "patient's photos are read from its own folder only")
            return (f"{folder} holds no photo named as an expression ({', '.join(EXPRESSIONS)}; .jpg or .png): name "
                    "them so, or remove the row")
        unused = self.ignored()["folders"]
        zeros = [name for name in unused if _same_number(folder_key(name), folder_key(patient_id))]
        if zeros:
            return _zeros_hint(zeros[0], folder_key(patient_id))
        import difflib

        by_case = {name.casefold(): name for name in unused}
        close = difflib.get_close_matches(folder_key(patient_id).casefold(), list(by_case), n=1, cutoff=0.75)
        if close:
            return f"a folder {by_case[close[0]]!r} is there: rename it to match labels.csv"
        return "add the folder or remove the row"

    def check_files(self, progress: Callable[[int, int], None] | None = None,
                    splits: tuple[str, ...] = SPLITS, threads: int | None = None,
                    keep: Callable[[str, PatientSample, np.ndarray, np.ndarray | None], None] | None = None) -> int:
        """Open and decode every photo and mask of the listed patients of `splits` (all by
        default), as training and scoring will read them (`read_photo`, `read_labelled_photo`);
        returns the number of photos. InputError listing the files that cannot be used (how
        many, the first few named, in the order of `samples`): found before any training, not
        after it. `threads` photos are decoded at once (default min(CHECK_THREADS, CPUs): Pillow
        releases the GIL while decoding). `progress(done, total)` after each photo.
        `keep(split, sample, image, mask)` is called with each photo decoded (mask None where
        the sample has none), so that a caller can keep what it needs of the one decode
        (`models/train/decoded_photos.py`).

        Each photo's decoded pixels are hashed too (`photo_digest`): one person listed under two
        IDs puts the same photos in two folders, copied or exported again (a PNG of a JPEG's
        pixels); a lossy re-compression changes the pixels and is not found. Two patients of
        different splits with an identical photo are refused (InputError naming both and what
        to do): the network would be scored on a face it was
        trained on, and the test figures would overstate it. Two of one split are listed in
        `self.shared_photos` (the caller warns: that person counts twice). Blank frames (pixel
        range at most BLANK_RANGE) are not compared: two patients may both have one."""
        import os
        from concurrent.futures import ThreadPoolExecutor

        samples = [(split, s) for split in SPLITS if split in splits for s in self.samples(split)]
        workers = max(1, min(len(samples), threads or min(CHECK_THREADS, os.cpu_count() or 1)))

        def problem(item: tuple[str, PatientSample]) -> tuple[str | None, str | None]:
            """(what is wrong with the photo or None, its `photo_digest` or None when blank)."""
            split, sample = item
            try:
                if sample.mask is None:
                    image, mask = read_photo(sample.image), None
                else:
                    image, mask = read_labelled_photo(sample.image, sample.mask)
            except InputError as exc:
                return " ".join(str(exc).split()), None
            blank = int(image.max()) - int(image.min()) <= BLANK_RANGE
            if keep is not None:
                keep(split, sample, image, mask)
            return None, None if blank else photo_digest(image)

        problems = []
        digests: dict[str, list[tuple[str, PatientSample]]] = {}
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check-photos")
        try:
            for done, (item, (found, digest)) in enumerate(zip(samples, pool.map(problem, samples), strict=True), 1):
                if found is not None:
                    problems.append(found)
                if digest is not None:
                    digests.setdefault(digest, []).append(item)
                if progress is not None:
                    progress(done, len(samples))
        finally:  # Ctrl-C: the photos not started are dropped, not decoded first
            pool.shutdown(wait=False, cancel_futures=True)
        if problems:
            more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
            which = "" if set(SPLITS) <= set(splits) else " " + " and ".join(s for s in SPLITS if s in splits)
            raise InputError(f"{len(problems)} of the {len(samples)}{which} photos of {self.root} (or their masks) cannot "
                             f"be used: {'; '.join(problems[:3])}{more}; fix or remove them before training")
        self.shared_photos = _shared_photos(digests)
        leaks = [shared for shared in self.shared_photos if shared.first_split != shared.second_split]
        if leaks:
            more = f"; and {len(leaks) - 2} more pairs" if len(leaks) > 2 else ""
            raise InputError(f"{'; '.join(shared.describe() for shared in leaks[:2])}{more}: one person under two IDs in "
                             f"two splits: the held-out figures would not be of unseen people; {SHARED_FIX}")
        return len(samples)

    def samples(self, split: str = "all", patient_ids: list[str] | None = None) -> list[PatientSample]:
        """Every expression photo of the chosen patients, each labelled with the patient's grade."""
        ids = patient_ids if patient_ids is not None else self.patient_ids(split)
        out = []
        for pid in ids:
            patient = self.patients[pid]
            for expression, image, mask in self.photos(pid):
                out.append(PatientSample(pid, expression, image, mask, patient.grade, patient.side))
        return out


def _subfolders_with_photos(folder: Path) -> list[Path]:
    """The subfolders of a patient folder (masks/ aside) holding photos named as expressions:
    a dated visit folder (P008/2024-03-01/rest.jpg), which the patient's photos are not read from."""
    return [sub for sub in sorted(folder.iterdir())
            if sub.is_dir() and sub.name.lower() != "masks" and not is_clutter(sub)
            and any(frame_of(path) and path.suffix.lower() in IMAGE_SUFFIXES for path in sub.iterdir())]


def _zeros_hint(found: str, expected: str) -> str:
    """What to do about folder `found` holding the number of the folder `expected` by labels.csv:
    the zeros are the folder's (a spreadsheet dropped them from the ID), or labels.csv's (a
    folder renamed or made by a script without them), where saving the column as text is no
    remedy."""
    if len(found) > len(expected):
        return (f"a folder {found!r} is there, the same number with leading zeros, which a spreadsheet drops "
                f"from an ID: write the ID as {found} in labels.csv (save the column as text)")
    return (f"a folder {found!r} is there, the same number without the leading zeros: rename the folder "
            f"{expected} or write the ID as {found} in labels.csv")


def _same_number(folder: str, patient_id: str) -> bool:
    """Whether a folder name and a patient id are one number written with other leading zeros
    (folder 0042, id 42: Excel reads an ID column as numbers)."""
    return folder != patient_id and all(name.isascii() and name.isdigit() for name in (folder, patient_id)) \
        and int(folder) == int(patient_id)


_UNPACK_ZIP = "unpack it first and give the unpacked folder that holds labels.csv"


def labels_found_instead(root: Path) -> str | None:
    """Where labels.csv is, for a `--data` that lacks it: a .zip the set arrived in, given itself
    or lying in the folder it was downloaded into ("unpack it first"), or the folder above the set
    (a subfolder holding labels.csv is named); None when neither."""
    if _is_zip(root):
        return f"{root.name} is a .zip archive: {_UNPACK_ZIP}"
    if not root.is_dir():
        return None
    entries = [entry for entry in sorted(root.iterdir()) if not is_clutter(entry)]
    below = [sub / "labels.csv" for sub in entries if sub.is_dir() and (sub / "labels.csv").is_file()]
    if below:
        return f"this folder holds no labels.csv but {below[0]} is one level down{_more(below)}: give that folder"
    zips = [entry for entry in entries if _is_zip(entry)]
    return f"this folder holds {zips[0].name}{_more(zips)}: {_UNPACK_ZIP}" if zips else None


def _is_zip(path: Path) -> bool:
    return path.suffix.lower() == ".zip" and path.is_file()


def _more(found: list[Path]) -> str:
    return f" (and {len(found) - 1} more)" if len(found) > 1 else ""


def not_a_patient_set(root: str | Path, use: str) -> InputError:
    """The refusal of a `--data` without labels.csv: `use` says what the folder should be; what
    was found instead (the folder above the set, a .zip) is named when there is such a thing."""
    found = labels_found_instead(Path(root))
    return InputError(f"{root} is not a patient data set (labels.csv missing); {use}" + (f"; {found}" if found else ""))


PATIENT_DIGEST_PREFIX = "palsy-patient:"


def patient_digest(patient_id: str) -> str:
    """The sha256 by which a checkpoint's training record names a patient: it can tell whether
    a patient was trained on without the file carrying the clinic's patient ids in clear
    (weights travel between clinics; an id such as a record number is identifying)."""
    return hashlib.sha256(f"{PATIENT_DIGEST_PREFIX}{patient_id}".encode()).hexdigest()


def split_digests(dataset: PatientDataset) -> dict[str, list[str]]:
    """Each split's patients as sorted `patient_digest`s (a checkpoint's training record)."""
    return {split: sorted(patient_digest(pid) for pid in dataset.patient_ids(split)) for split in SPLITS}


def write_splits_csv(dataset: PatientDataset, path: Path) -> None:
    """`patient_id,grade,split` of every patient, sorted by split then id: the split a run
    used, in the form labels.csv's split column takes, to pin it for later runs."""
    import csv

    rows = sorted(dataset.patients.values(), key=lambda p: (SPLITS.index(p.split), p.patient_id))
    temp = path.with_name(path.name + ".partial")
    with temp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient_id", "grade", "split"])
        writer.writerows([p.patient_id, GRADES[p.grade], p.split] for p in rows)
    replace_file(temp, path)  # retried while an antivirus holds the file (Windows)


def _shared_photos(digests: dict[str, list[tuple[str, PatientSample]]]) -> list[SharedPhoto]:
    """One SharedPhoto per pair of patients with an identical photo (the first such photo),
    in the order the photos were listed."""
    pairs: dict[tuple[str, str], SharedPhoto] = {}
    for items in digests.values():
        for i, (split_a, a) in enumerate(items):
            for split_b, b in items[i + 1:]:
                if a.patient_id != b.patient_id and (a.patient_id, b.patient_id) not in pairs:
                    pairs[(a.patient_id, b.patient_id)] = SharedPhoto(
                        a.patient_id, split_a, b.patient_id, split_b,
                        f"{a.patient_id}/{a.image.name}", f"{b.patient_id}/{b.image.name}")
    return list(pairs.values())


# `held_out_seen` for weights whose own training is recorded but not their start weights'.
START_UNKNOWN = ("these weights were fine-tuned from other weights (--init), and their record does not say what those "
                 "trained on (a clinic run before 2026-12-07, or start weights without a record of their own): whether "
                 "this set's held-out patients were among them is unknown")


@dataclass(frozen=True)
class TrainedOn:
    """Which of some patients weights trained on, as far as their training record tells."""

    ids: frozenset[str]  # named as trained by the weights' own run or by a run they started from
    named: bool  # the weights' own record names what they trained on
    complete: bool  # so does every start record down the chain: `ids` is all of it


def trained_on(training: Any, ids: Iterable[str]) -> TrainedOn:
    """Those of `ids` that weights with this training record trained on: the patients their own
    run names (a clinic run's `splits`, by digest; the demo recipe's synthetic set) and, for a
    run that started from other weights (`init_sha256`), what those trained on: their record,
    kept as `init_training`, followed down the chain. Incomplete where a record names nothing
    (a checkpoint without one, a clinic run before 2026-12-07 that did not keep its start's):
    what those weights saw is unknown, not held out."""
    wanted = set(ids)
    own = _own_trained(training, wanted)
    if own is None:
        return TrainedOn(frozenset(), named=False, complete=False)
    if not training.get("init_sha256"):  # from scratch
        return TrainedOn(frozenset(own), named=True, complete=True)
    start = trained_on(training.get("init_training"), wanted)
    return TrainedOn(frozenset(own | start.ids), named=True, complete=start.complete)


def _own_trained(training: Any, ids: set[str]) -> set[str] | None:
    """Those of `ids` one training record names as trained, its start weights' aside; None when
    it names no training patients."""
    if not isinstance(training, dict):
        return None
    splits = training.get("splits")
    if isinstance(splits, dict) and isinstance(splits.get("train"), list):
        listed = set(splits["train"])
        return {pid for pid in ids if patient_digest(pid) in listed}
    synthetic = _synthetic_training_ids(training)
    return None if synthetic is None else synthetic & ids


def _synthetic_training_ids(training: dict) -> set[str] | None:
    """The ids of the `palsy synth` patients a demo run trained on (all of them, whatever their
    split column says), from its recipe (`train_seed`, `train_patients`) and the recipes of the
    earlier runs it took stages from (`source_recipe`); None when none names one."""
    from models.data.synthetic.dataset import plan_patients  # it imports this module

    stages = [stage for stage in training.values() if isinstance(stage, dict)]
    recipes = [training.get("recipe"), *(stage.get("source_recipe") for stage in stages)]
    rendered = {(r["train_patients"], r["train_seed"]) for r in recipes
                if isinstance(r, dict) and isinstance(r.get("train_patients"), int) and r["train_patients"] > 0
                and isinstance(r.get("train_seed"), int)}
    if not rendered:
        return None
    return {entry.patient_id for n, seed in rendered for entry in plan_patients(n, seed)}


def trained_held_out(training: Any, dataset: PatientDataset) -> tuple[dict[str, int], TrainedOn]:
    """How many of `dataset`'s val and test patients weights with this training record trained
    on (`trained_on`: their start weights' training included), and what the record told."""
    held_out = {split: dataset.patient_ids(split) for split in ("val", "test")}
    found = trained_on(training, [pid for ids in held_out.values() for pid in ids])
    return {split: len(found.ids.intersection(ids)) for split, ids in held_out.items()}, found


def held_out_count(counts: dict[str, int], found: TrainedOn, whose: str) -> str:
    """How many of `whose` held-out patients were trained on, by split ("2 of this set's held-out
    patients (1 val and 1 test)"), "or more" when the record does not tell all the weights
    trained on (`TrainedOn.complete`): the count is then a lower bound."""
    where = " and ".join(f"{n} {split}" for split, n in counts.items() if n)
    more = "" if found.complete else " or more (what the weights they were fine-tuned from trained on is not recorded)"
    return f"{sum(counts.values())} of {whose} held-out patients ({where}){more}"


def held_out_seen(training: Any, dataset: PatientDataset) -> str | None:
    """A warning when weights are scored on patients they may have trained on: their training
    record (`trained_on`: a clinic run's `splits`, the demo's synthetic set, and what the weights
    they started from trained on) names patients of this set's val or test split as trained; or
    it names its own but not its start weights' (what those saw is unknown); or (a clinic record
    without `splits`, made before it was kept) this set's automatic split moved patients since
    (`moved_by_split_rule`). None otherwise, and for a record that names nothing."""
    counts, found = trained_held_out(training, dataset)
    if any(counts.values()):
        trained = held_out_count(counts, found, "this set's")
        return (f"these weights were trained on {trained}: their figures overstate the network; score patients "
                "they did not train on (a clinic run's own split: pin it with its splits.csv as a split column of "
                "labels.csv)")
    if found.named:
        return None if found.complete else START_UNKNOWN
    if isinstance(training, dict) and training.get("command") == "palsy train clinic" and dataset.moved_by_split_rule:
        return (f"these weights were trained before the automatic split gave each grade a training patient: "
                f"{len(dataset.moved_by_split_rule)} patient(s) this set holds out now were training patients then, so "
                "the held-out figures include patients they trained on; pin the split the run used with a split "
                "column of labels.csv")
    return None
