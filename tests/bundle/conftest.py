"""The bundle tests. test_bundle.py builds the PyInstaller bundle (minutes of CPU), so it is
collected only when PALSY_BUILD_BUNDLE=1 (docs/bundle.md); the rest are fast and always run."""

from __future__ import annotations

import os

collect_ignore = [] if os.environ.get("PALSY_BUILD_BUNDLE") == "1" else ["test_bundle.py"]
