"""Where the settings file is with an empty HOME (the data folder's rule: the account's home,
not /.config), and the notice when PALSY_HOME names another folder than the one Settings
chose (Settings comes first: a station set up with PALSY_HOME ran on an old folder silently)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.gateway_store import open_gateway
from app.gui_main import build_window
from app.settings_store import open_qsettings


@pytest.mark.skipif(os.name != "posix", reason="HOME and the account's home are POSIX")
def test_an_empty_home_puts_the_settings_file_in_the_accounts_home(monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd

    monkeypatch.setenv("HOME", "")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    assert open_qsettings().fileName() == str(home / ".config" / "PalsyGrader" / "PalsyGrader.ini")


def test_palsy_home_naming_another_folder_is_said(
        qtbot, tmp_path: Path, settings_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen, elsewhere = tmp_path / "chosen", tmp_path / "station"
    open_gateway(chosen).close()
    Path(settings_path).write_text(f"[clinic]\ndata_folder={chosen}\n")
    monkeypatch.setenv("PALSY_HOME", str(elsewhere))
    window = build_window(settings_path=settings_path)
    try:
        assert window.gateway.folder == chosen
        assert window.notice.text() == (f"The data folder chosen in Settings, {chosen}, is used; PALSY_HOME names "
                                        f"another one, {elsewhere}, which is used only while Settings names none.")
    finally:
        window.close()
        window.gateway.close()
        window.deleteLater()
    monkeypatch.setenv("PALSY_HOME", str(chosen))
    window = build_window(settings_path=settings_path)
    try:
        assert window.notice.text() == ""
    finally:
        window.close()
        window.gateway.close()
        window.deleteLater()


def test_palsy_home_reaching_the_same_folder_through_a_link_is_no_notice(tmp_path: Path) -> None:
    from app.gui_main import palsy_home_not_used

    chosen = tmp_path / "chosen"
    chosen.mkdir()
    (tmp_path / "link").symlink_to(chosen)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PALSY_HOME", str(tmp_path / "link"))
        assert palsy_home_not_used(chosen) == ""  # said "names another one" at every start
        patch.setenv("PALSY_HOME", "relative/records")
        assert palsy_home_not_used(chosen).endswith("PALSY_HOME is 'relative/records', not a full path, which "
                                                    "Palsy Grader refuses.")
