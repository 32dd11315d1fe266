"""An export that removes the hidden partial folder a killed export left (face photos on a USB
stick nobody saw) says so on stderr, where a person who wondered about it reads it; one with
nothing to remove says nothing more than the folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.records import Store
from app.records.recovery import host_tag
from tests.records.records_helpers import tiny_png

ROOT = Path(__file__).resolve().parents[2]


def _store(folder: Path) -> None:
    with Store.open(folder) as store:
        store.create_patient("MRN-1", name="Ada Lovelace")
        store.save_capture(store.start_assessment("MRN-1").id, "rest", tiny_png(1))


def _killed_exports_staging(usb: Path) -> Path:
    """The hidden folder an export on this computer, killed a moment ago, left on `usb`."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    folder = usb / f".MRN-1.partial-{ended.pid}-deadbeef-{host_tag()}"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "000001_rest_0123456789ab.png").write_bytes(b"a patient's face")
    return folder


def _export(data: Path, usb: Path) -> str:
    """stderr of `palsy records export MRN-1` run as a program: the line reaches the terminal
    through logging's own last resort (pytest's log capture would hold it back in-process)."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main(sys.argv[1:]))",
         "records", "--data", str(data), "export", "MRN-1", "--out", str(usb)],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )
    assert done.returncode == 0 and done.stdout.strip() == str(usb / "MRN-1"), done.stderr
    return done.stderr


def test_the_export_says_it_removed_a_killed_exports_partial_folder(tmp_path: Path) -> None:
    _store(tmp_path / "data")
    usb = tmp_path / "usb"
    usb.mkdir()
    killed = _killed_exports_staging(usb)
    err = _export(tmp_path / "data", usb)
    assert not killed.exists()
    assert f"removed 1 unfinished export or backup folder(s) (.NAME.partial-...) that an interrupted run left in {usb}" in err


def test_an_export_with_nothing_to_remove_says_nothing_of_it(tmp_path: Path) -> None:
    _store(tmp_path / "data")
    assert _export(tmp_path / "data", tmp_path / "usb") == ""
