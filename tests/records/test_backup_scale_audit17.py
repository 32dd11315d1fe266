"""`palsy records backup` and `check` at scale (audit17 p1 F4): a backup looked up the real path
of every stored name six times (122,076 realpaths for 20,346 files; about 90 s of a 144,000-photo
backup). Names are now looked at once each (`DataLayout.resolver`: a realpath only for a name
with a link or a '..' on its way), and a name leading out of the data folder, by '..', an
absolute name or a symbolic link, is refused as before."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.backup import backup_data_folder
from app.records.errors import StorageError
from app.records.paths import DataLayout
from tests.records.records_helpers import tiny_png

EXPRESSIONS = ("rest", "close_eyes", "open_mouth")


def _folder(data: Path, visits: int) -> None:
    """A data folder of `visits` drafts, three photos each."""
    with Store.open(data) as store:
        store.create_patient("SCALE-1")
        for v in range(visits):
            aid = store.start_assessment("SCALE-1").id
            for e, expression in enumerate(EXPRESSIONS):
                store.save_capture(aid, expression, tiny_png(100 * v + e))


def _realpaths_of_a_backup(tmp_path: Path, visits: int, monkeypatch: pytest.MonkeyPatch) -> int:
    data, out = tmp_path / f"data{visits}", tmp_path / f"backup{visits}"
    _folder(data, visits)
    calls: list[str] = []
    real = os.path.realpath

    def counting(path: object, *args: object, **kwargs: object) -> str:
        calls.append(os.fspath(path))
        return real(path, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(os.path, "realpath", counting)  # what Path.resolve calls, too
        assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 0  # with the copy's check
    with Store.open_existing(out) as copy:
        assert len(list(copy.layout.photos_dir.rglob("*.png"))) == 3 * visits and copy.verify_files() == []
    return len(calls)


def test_a_backup_does_not_look_up_the_real_path_of_each_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    few = _realpaths_of_a_backup(tmp_path, 2, monkeypatch)  # 6 photos
    many = _realpaths_of_a_backup(tmp_path, 10, monkeypatch)  # 30 photos
    assert many == few, f"{many - few} more realpaths for 24 more photos"


def test_checking_every_file_does_not_look_up_the_real_path_of_each(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _folder(tmp_path / "data", 10)
    with Store.open_existing(tmp_path / "data") as store:
        calls: list[object] = []
        real = os.path.realpath
        monkeypatch.setattr(os.path, "realpath", lambda p, *a, **k: calls.append(p) or real(p, *a, **k))
        assert store.verify_files() == [] and store.unrecorded_files() == []
    assert len(calls) <= 1  # the resolver's look at the data folder itself


def _lead_out(data: Path, tmp_path: Path, how: str) -> str:
    """Point one stored photo name out of the data folder; the name."""
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "rest.png").write_bytes(tiny_png(7))
    photos = data / "photos"
    if how == "dotdot":
        name = "../outside/rest.png"
    elif how == "inner dotdot":
        name = "photos/../../outside/rest.png"
    elif how == "absolute":
        name = str(outside / "rest.png")
    elif how == "linked folder":
        (photos / "elsewhere").symlink_to(outside, target_is_directory=True)
        name = "photos/elsewhere/rest.png"
    else:  # a linked file in a visit's own folder
        visit = next(p for p in photos.iterdir() if p.is_dir())
        (visit / "linked.png").symlink_to(outside / "rest.png")
        name = f"photos/{visit.name}/linked.png"
    conn = sqlite3.connect(data / "palsy.db")
    with conn:
        conn.execute("UPDATE captures SET file_name = ? WHERE id = (SELECT min(id) FROM captures)", (name,))
    conn.close()
    return name


HOW = ["dotdot", "inner dotdot", "absolute", "linked folder", "linked file"]


@pytest.mark.parametrize("how", HOW)
def test_a_backup_still_refuses_a_name_leading_out_of_the_data_folder(tmp_path: Path, how: str) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    _folder(data, 2)
    _lead_out(data, tmp_path, how)
    with Store.open_existing(data) as store, pytest.raises(StorageError, match="names a file outside the data folder"):
        backup_data_folder(store, out)
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("how", HOW)
def test_the_check_still_refuses_a_name_leading_out_of_the_data_folder(tmp_path: Path, how: str) -> None:
    data = tmp_path / "data"
    _folder(data, 2)
    _lead_out(data, tmp_path, how)
    with Store.open_existing(data) as store, pytest.raises(StorageError, match="names a file outside the data folder"):
        store.verify_files()


@pytest.mark.parametrize("name", [
    "photos/000001/a.png", "./photos//000001/a.png", "photos/000009/none.png", "photos/linked/a.png",
    "photos/000001/linked.png", "photos/000001/inner.png", "photos/000001/../000001/a.png", "photos/gone/../000001/a.png",
    "reports/x/y/z.pdf", "photos/000001/a.png/x", "../x", "/etc/passwd", "", ".", "photos/000001/loop.png",
])
def test_the_resolver_gives_what_resolve_gives(tmp_path: Path, name: str) -> None:
    layout = DataLayout.create(tmp_path / "data")
    visit = layout.photos_dir / "000001"
    visit.mkdir()
    (visit / "a.png").write_bytes(b"a")
    (layout.photos_dir / "linked").symlink_to(visit, target_is_directory=True)  # a link that stays inside
    (visit / "linked.png").symlink_to(tmp_path / "elsewhere.png")
    (visit / "inner.png").symlink_to(visit / "a.png")
    (visit / "loop.png").symlink_to(visit / "loop.png")
    resolve = layout.resolver()
    for _ in range(2):  # the second time from what it remembered of the folders
        try:
            expected: object = layout.resolve(name)
        except (StorageError, RuntimeError, OSError) as exc:
            expected = (type(exc), str(exc))
        try:
            got: object = resolve(name)
        except (StorageError, RuntimeError, OSError) as exc:
            got = (type(exc), str(exc))
        assert got == expected


def test_a_retake_while_many_files_are_verified_is_no_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file rows are read a few hundred at a time (audit17 p1 F3), and while that query runs
    the check's connection sees the database as it was when it began: a retake committed
    meanwhile must still be seen before its deleted photo is called missing."""
    from app.records import store_checks

    with Store.open(tmp_path / "data") as writer:
        writer.create_patient("CHK-MANY")
        aid = writer.start_assessment("CHK-MANY").id
        old = writer.save_capture(aid, "rest", tiny_png(1))
        with writer.db.write() as conn:  # more rows than one read of the scan takes
            for n in range(300):
                name = f"reports/{aid:06d}/extra_{n}.pdf"
                writer.layout.reports_dir.joinpath(f"{aid:06d}").mkdir(exist_ok=True)
                (writer.root / name).write_bytes(b"%PDF-" + bytes(str(n), "ascii"))
                conn.execute("INSERT INTO reports(assessment_id, file_name, sha256, created_at) VALUES (?, ?, ?, ?)",
                             (aid, name, sha256_of(writer.root / name), "2026-01-01T00:00:00.000+00:00"))
        with Store.open_existing(tmp_path / "data") as checker:
            real = store_checks.read_verified
            retaken: list[str] = []

            def retake_first(path: Path, sha256: str, *args: object) -> bytes:
                if not retaken and sha256 == old.sha256:  # the scan began; the station retakes now
                    retaken.append(writer.save_capture(aid, "rest", tiny_png(3)).sha256)
                    assert not path.exists()
                return real(path, sha256, *args)

            monkeypatch.setattr(store_checks, "read_verified", retake_first)
            assert checker.verify_files() == [] and retaken
            writer.capture_path(writer.get_capture(aid, "rest")).unlink()  # now missing for good
            [problem] = checker.verify_files()
            assert problem.problem == "missing" and problem.file_name == writer.get_capture(aid, "rest").file_name


def sha256_of(path: Path) -> str:
    from app.records.files import sha256_file

    return sha256_file(path)


def test_the_records_benchmark_counts_the_realpaths_of_a_backup_with_photos(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(repo / "benchmarks" / "records_check.py"), "--json", "--patients", "20", "--visits", "2",
         "--photos", "3", "--backup", "--data", str(tmp_path / "data")],
        capture_output=True, text=True, check=True, timeout=120, cwd=repo,
    ).stdout
    report = json.loads(out)
    assert report["data"]["captures"] == 120
    assert report["backup"]["exit"] == 1 and report["backup"]["max_rss_mb"] > 0  # a name edited by hand, reported
    for run in ("check", "backup"):
        assert 0 < report[run]["realpaths"] < 20, report[run]  # not one or more per photo (120)
