"""The `palsy` command line: help, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

from app.cli import main


def test_info_lists_configs(capsys) -> None:
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["configs"]["paper"] == {"input_size": 512, "backbone": "resnet101"}
    assert info["configs"]["compact"]["input_size"] == 256


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    assert main([]) == 2
    assert "usage: palsy" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error() -> None:
    result = subprocess.run([sys.executable, "-m", "app.cli", "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("palsy: error:")


def _usage_error(argv: list[str], capsys) -> str:
    """argparse's refusal of `argv`: exit 2 and one line on stderr, returned."""
    try:
        main(argv)
    except SystemExit as stop:
        assert stop.code == 2
    else:
        raise AssertionError(f"{argv} was accepted")
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_a_usage_mistake_in_a_subcommand_is_one_line(capsys) -> None:
    for argv, words in ((["assess"], "required: PATIENT_DIR, --out"), (["synth", "--out", "x", "--patients", "many"], "invalid int"),
                        (["records", "frobnicate"], "invalid choice")):
        err = _usage_error(argv, capsys)
        assert words in err and "--help` lists the options" in err and err.startswith("palsy " + argv[0]), err


def test_an_unknown_option_names_its_subcommands_help(capsys) -> None:
    """An option no subcommand has points at the help that lists the subcommand's options, not at
    `palsy --help` (`palsy records check --data X` says where --data goes:
    tests/records/test_records_data_after_the_action.py)."""
    for argv, prog in ((["train", "parsing", "--steps", "3"], "palsy train"), (["--bogus"], "palsy")):
        err = _usage_error(argv, capsys)
        assert err.startswith(f"{prog}: error: unrecognized arguments: {argv[-2] if prog != 'palsy' else '--bogus'}"), err
        assert f"(`{prog} --help` lists the options)" in err, err


def test_a_mistyped_split_is_named_before_any_weights_load(tmp_path, capsys) -> None:
    (tmp_path / "labels.csv").write_text("patient_id,grade,side\n")
    assert main(["evaluate", "grading", "--data", str(tmp_path), "--split", "tset", "--weights", str(tmp_path / "none.pt")]) == 2
    assert "--split 'tset' is not one of auto, all, train, val, test" in capsys.readouterr().err


def test_help_does_not_import_torch() -> None:
    code = "import sys; from app.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_an_os_error_mid_command_is_one_line_not_a_traceback(capsys, monkeypatch) -> None:
    import app.commands.info as info

    def disk_full(args) -> int:
        raise OSError(28, "No space left on device", "/clinic/out/run.jsonl")

    monkeypatch.setattr(info, "run", disk_full)
    assert main(["info"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("palsy: error: No space left on device (/clinic/out/run.jsonl)")


def test_an_os_error_hint_follows_its_errno(capsys, monkeypatch) -> None:
    # `palsy train clinic --out A_FILE` said "File exists (...); free space or choose another folder"
    import errno

    import app.commands.info as info

    for number, text, hint in ((errno.EEXIST, "File exists", "a file or folder is in the way: choose another path"),
                               (errno.ENOTDIR, "Not a directory", "a file or folder is in the way: choose another path"),
                               (errno.EACCES, "Permission denied", "check the permissions or choose another folder"),
                               (errno.ENOSPC, "No space left on device", "free space or choose another folder")):
        def failing(args, number=number, text=text) -> int:
            raise OSError(number, text, "/clinic/out")

        monkeypatch.setattr(info, "run", failing)
        assert main(["info"]) == 2
        assert capsys.readouterr().err == f"palsy: error: {text} (/clinic/out); {hint}\n"


def test_ctrl_c_says_how_to_go_on(capsys, monkeypatch) -> None:
    # it told every command "run the same command again to resume", which for palsy train
    # parsing started over from step 0 and overwrote the interrupted checkpoint
    import app.commands.info as info
    import app.commands.train as train

    def interrupted(args) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "run", interrupted)
    monkeypatch.setattr(info, "run", interrupted)
    assert main(["train", "parsing", "--out", "runs/p.pt"]) == 130
    assert "add --resume runs/p.pt to the same command" in capsys.readouterr().err
    assert main(["train", "grading"]) == 130
    assert "--resume runs/grading.pt" in capsys.readouterr().err
    assert main(["train", "clinic"]) == 130
    assert "run the same command again to resume" in capsys.readouterr().err
    assert main(["info"]) == 130
    assert capsys.readouterr().err == "palsy: interrupted\n"


def test_bad_numbers_are_usage_errors_before_anything_runs(capsys) -> None:
    for argv, words in ((["evaluate", "parsing", "--data", "x", "--threads", "-1"], "--threads: must be 1 or more, got -1"),
                        (["demo", "--out", "x", "--seed", "-1"], "--seed: must be 0 to 4294967295, got -1"),
                        (["assess", "p", "--out", "o", "--threads", "two"], "--threads: not a whole number: 'two'")):
        assert words in _usage_error(argv, capsys)


def test_a_closed_pipe_ends_quietly_with_exit_1(capsys, monkeypatch) -> None:
    # `palsy records drafts | head -1` said "Broken pipe; free space or choose another folder", exit 2
    import app.commands.info as info

    def reader_gone(args) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(info, "run", reader_gone)
    assert main(["info"]) == 1
    assert capsys.readouterr().err == ""


def test_output_into_a_closed_pipe_is_not_an_error(tmp_path) -> None:
    """The real thing: stdout is a pipe whose reader has already gone, as after `| head -1`.
    The docs' recipe (signal module, "Note on SIGPIPE"): nothing on stderr, exit 1."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    # buffered as a user's shell has it: with PYTHONUNBUFFERED set (as on some CI machines) every
    # print fails at once and the final flush this test is about is never reached
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    try:
        result = subprocess.run([sys.executable, "-m", "app", "info"], stdout=write_end, stderr=subprocess.PIPE, text=True,
                                timeout=120, env=env)
    finally:
        os.close(write_end)
    assert result.stderr == "" and result.returncode == 1


def test_help_into_a_closed_pipe_is_not_an_error() -> None:
    # `palsy --help | true` exited 0 with "Exception ignored ... BrokenPipeError" on stderr, where
    # every command exits 1 quietly (README: the reader of the output went away)
    import os

    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    for env, argv in ((buffered, ["--help"]), (buffered, ["train", "--help"]),
                      ({**buffered, "PYTHONUNBUFFERED": "1"}, ["--help"]), ({**buffered, "PYTHONUNBUFFERED": "1"}, ["records", "--help"])):
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            result = subprocess.run([sys.executable, "-m", "app", *argv], stdout=write_end, stderr=subprocess.PIPE,
                                    text=True, timeout=120, env=env)
        finally:
            os.close(write_end)
        assert (result.stderr, result.returncode) == ("", 1), (argv, env.get("PYTHONUNBUFFERED"))


def test_version_names_the_release_and_the_commit(capsys, monkeypatch) -> None:
    import pytest

    import app

    assert app.__version__ == "0.3.0"
    monkeypatch.setattr(app, "build_commit", lambda: "abc1234")
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code in (0, None)
    assert capsys.readouterr().out == "palsy 0.3.0 (commit abc1234), records database version 5\n"
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["version"] == "0.3.0" and info["commit"] == "abc1234" and info["records_database_version"] == 5
    assert main(["info"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "palsy 0.3.0 (commit abc1234), records database version 5"


def test_the_commit_comes_from_git_in_a_checkout(monkeypatch) -> None:
    import shutil
    from pathlib import Path

    import pytest

    import app

    root = Path(__file__).resolve().parent.parent
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    expected = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    assert app.build_commit() == expected
    assert app.version_text() == f"0.3.0 (commit {expected})"
    monkeypatch.setenv("PATH", "")  # no git at all: no failure, the commit is unknown
    assert app.build_commit() is None and app.version_text() == "0.3.0 (commit unknown)"


def test_the_bundle_reads_the_commit_its_build_wrote(tmp_path, monkeypatch) -> None:
    import app
    from installer.spec_helpers import build_commit_datas

    assert build_commit_datas(None, tmp_path / "build") == []
    [(source, dest)] = build_commit_datas("fedcba9", tmp_path / "build", app.BUILD_COMMIT_FILE)
    assert dest == "resources"
    # the bundle: PyInstaller puts the file in sys._MEIPASS/resources, a folder that is no checkout
    bundled = tmp_path / "bundle" / dest
    bundled.mkdir(parents=True)
    (bundled / app.BUILD_COMMIT_FILE).write_bytes(open(source, "rb").read())
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert app.build_commit() == "fedcba9"
    (bundled / app.BUILD_COMMIT_FILE).unlink()
    assert app.build_commit() is None  # neither the file nor a checkout
