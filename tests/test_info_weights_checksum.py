"""`palsy info` labels the sha256 it prints as the manifest's and says whether the installed
weights file still has it: after damage it printed the expected checksum, exit 0, and IT read it
off a file `palsy assess` refuses."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from app.cli import main


@pytest.fixture
def weights_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import models.resources as resources

    folder = tmp_path / "weights"
    folder.mkdir()
    (folder / "demo_compact.pt").write_bytes(b"weights")
    digest = hashlib.sha256(b"weights").hexdigest()
    (folder / "manifest.json").write_text(json.dumps({"files": {"demo_compact.pt": {"sha256": digest}}}))
    monkeypatch.setattr(resources, "weights_dir", lambda: folder)
    return folder


def info_lines(capsys: pytest.CaptureFixture[str], status: int = 0) -> tuple[str, dict]:
    assert main(["info"]) == status
    line = capsys.readouterr().out.splitlines()[-1]
    assert main(["info", "--json"]) == status
    return line, json.loads(capsys.readouterr().out)["shipped_weights"]["demo_compact.pt"]


def test_a_file_that_matches_the_manifest_says_so(weights_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    digest = hashlib.sha256(b"weights").hexdigest()
    line, entry = info_lines(capsys)
    assert line == f"weights demo_compact.pt: sha256 {digest} (the manifest's); the file matches it"
    assert line.split()[3] == digest  # where scripts read it before the verdict was added
    assert entry == {"sha256": digest, "file_matches": True}


def test_a_damaged_file_is_told_apart_from_the_manifests_checksum(weights_folder: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with open(weights_folder / "demo_compact.pt", "ab") as handle:
        handle.write(b"x")
    line, entry = info_lines(capsys, status=3)  # `palsy info && echo ok` fails on a broken install
    assert line.startswith("weights demo_compact.pt: sha256 ")
    assert "the file does NOT match it: it is damaged or was replaced" in line
    assert entry["file_matches"] is False


def test_a_missing_file_is_named(weights_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (weights_folder / "demo_compact.pt").unlink()
    line, entry = info_lines(capsys)
    assert line.endswith("; the file is not installed") and entry["file_matches"] is None
