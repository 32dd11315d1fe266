"""Copy the held-out (`val`) part of each parsing set in a data folder, and nothing else.

    PYTHONPATH=. python scripts/holdout_data.py ../shared/data .gpu_data

For a GPU call of the `device` tool, whose working tree may carry 64 MiB: `palsy train demo
--e1-from FILE` trains no parsing, yet scores E1 on the held-out parts of FASSEG, LFW Part
Labels and their `_fine` copies. Those parts are 23 MB, the whole sets about 115. Each set in
SOURCE (a folder with `classes.json`) is copied to DEST with its metadata files (`classes.json`,
`splits.csv`, ...) and the images and masks of its `val` split; a set without one is left out.
The copy scores exactly like the original (`palsy evaluate parsing --split val`): the reader
lists the images present, and the held-out names keep their split (from `splits.csv`, or from
the file name for FASSEG). The copy has no training part.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.data.parsing import ParsingDataset  # noqa: E402


def copy_holdout(source: Path, dest: Path) -> dict[str, int]:
    """Copy every parsing set's held-out part from `source` to `dest`; photos per set copied."""
    copied = {}
    for folder in sorted(p for p in source.iterdir() if (p / "classes.json").is_file()):
        data = ParsingDataset.open(folder)
        names = data.split_names("val")
        if not names:
            continue
        target = dest / folder.name
        for sub in ("images", "masks"):
            (target / sub).mkdir(parents=True, exist_ok=True)
        for meta in folder.iterdir():
            if meta.is_file():
                shutil.copy2(meta, target / meta.name)
        for name in names:
            for path in (data.image_path(name), data.mask_path(name)):
                shutil.copy2(path, target / path.parent.name / path.name)
        copied[folder.name] = len(names)
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder of parsing sets (../shared/data)")
    parser.add_argument("dest", type=Path, help="where the held-out copies go")
    args = parser.parse_args(argv)
    print(json.dumps(copy_holdout(args.source, args.dest)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
