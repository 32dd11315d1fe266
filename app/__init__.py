"""Palsy Grader application: Qt GUI, camera sources, records, reports and the `palsy` CLI."""

from __future__ import annotations

__version__ = "0.3.0"

# Written by the bundle's build (build.spec, installer/spec_helpers.py) into the bundle's
# resources folder; a source checkout has none and asks git instead.
BUILD_COMMIT_FILE = "BUILD_COMMIT"


def build_commit() -> str | None:
    """The short git commit this copy was built from: the bundle's BUILD_COMMIT file, else
    `git rev-parse --short HEAD` in a source checkout; None when neither tells (no git, not a
    checkout). Never raises."""
    import subprocess
    import sys

    from models.resources import resources_dir

    try:
        text = (resources_dir() / BUILD_COMMIT_FILE).read_text(encoding="utf-8").strip()
        if text:
            return text
    except OSError:
        pass
    root = resources_dir().parent  # the checkout (frozen: the bundle, never a checkout)
    if getattr(sys, "frozen", False) or not (root / ".git").exists():  # a copy inside another repository is not ours
        return None
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and commit else None


def version_text() -> str:
    """'0.3.0 (commit abc1234)', or '0.3.0 (commit unknown)'."""
    return f"{__version__} (commit {build_commit() or 'unknown'})"
