"""Two windows share one settings file: each "Settings saved" writes what its own dialog
changed and keeps what the other window saved meanwhile (a new data folder above all)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

from app.settings import Settings
from app.settings_store import load_settings, open_qsettings, save_settings

ROOT = Path(__file__).resolve().parents[2]


def _with_fps(settings: Settings, fps: int) -> Settings:
    return replace(settings, camera=replace(settings.camera, fps=fps))


def _with_folder(settings: Settings, folder: str, clinician: str) -> Settings:
    return replace(settings, clinic=replace(settings.clinic, data_folder=folder, clinician=clinician))


def test_two_windows_saving_different_settings_keep_both(settings_path: str) -> None:
    window_a, window_b = open_qsettings(settings_path), open_qsettings(settings_path)
    loaded_a, _ = load_settings(window_a)
    loaded_b, _ = load_settings(window_b)
    save_settings(window_a, _with_folder(loaded_a, "/srv/new-nas", "Dr A"))
    save_settings(window_b, _with_fps(loaded_b, 15))  # B still holds the old data folder
    saved, problems = load_settings(open_qsettings(settings_path))
    assert problems == []
    assert (saved.clinic.data_folder, saved.clinic.clinician, saved.camera.fps) == ("/srv/new-nas", "Dr A", 15)


def test_a_window_saved_by_another_process_meanwhile_is_kept(settings_path: str) -> None:
    # As the auditor saw it: two programs, the other one saves while this one is open.
    window_b = open_qsettings(settings_path)
    loaded_b, _ = load_settings(window_b)
    other = textwrap.dedent(
        """
        import sys
        from dataclasses import replace
        from app.settings_store import load_settings, open_qsettings, save_settings
        q = open_qsettings(sys.argv[1])
        s, _ = load_settings(q)
        save_settings(q, replace(s, clinic=replace(s.clinic, data_folder="/srv/new-nas")))
        """
    )
    subprocess.run([sys.executable, "-c", other, settings_path], cwd=ROOT, check=True, timeout=60)
    save_settings(window_b, _with_fps(loaded_b, 15))
    saved, _ = load_settings(open_qsettings(settings_path))
    assert (saved.clinic.data_folder, saved.camera.fps) == ("/srv/new-nas", 15)


def test_a_window_keeps_its_own_earlier_save_and_the_other_window_may_change_it_back(settings_path: str) -> None:
    window_a, window_b = open_qsettings(settings_path), open_qsettings(settings_path)
    loaded_a, _ = load_settings(window_a)
    loaded_b, _ = load_settings(window_b)
    first = _with_fps(loaded_a, 15)
    save_settings(window_a, first)
    save_settings(window_a, _with_folder(first, "/srv/a", ""))
    assert load_settings(open_qsettings(settings_path))[0].camera.fps == 15
    save_settings(window_b, _with_fps(loaded_b, 25))  # the same key changed in both: the later save wins
    saved, _ = load_settings(open_qsettings(settings_path))
    assert (saved.clinic.data_folder, saved.camera.fps) == ("/srv/a", 25)


def test_a_save_still_replaces_bad_and_unknown_keys_it_did_not_change(settings_path: str) -> None:
    window = open_qsettings(settings_path)
    loaded, _ = load_settings(window)
    other = open_qsettings(settings_path)
    other.setValue("camera/width", "wide")
    other.setValue("camera/zoom", 3)
    other.sync()
    save_settings(window, _with_fps(loaded, 15))
    assert load_settings(open_qsettings(settings_path)) == (_with_fps(loaded, 15), [])
    text = Path(settings_path).read_text()
    assert "wide" not in text and "zoom" not in text


def test_a_settings_file_deleted_meanwhile_is_written_whole(settings_path: str) -> None:
    window = open_qsettings(settings_path)
    loaded, _ = load_settings(window)
    save_settings(window, _with_folder(loaded, "/clinic/data", "Dr A"))
    Path(window.fileName()).unlink()  # a roaming profile sync, IT cleaning the profile
    held, _ = load_settings(open_qsettings(settings_path))
    assert held.clinic.data_folder == ""
    mine = _with_folder(loaded, "/clinic/data", "Dr A")
    save_settings(window, _with_fps(mine, 15))  # only the frame rate changed in this window
    saved, _ = load_settings(open_qsettings(settings_path))
    assert (saved.clinic.data_folder, saved.clinic.clinician, saved.camera.fps) == ("/clinic/data", "Dr A", 15)
