"""The frozen executable's script (build.spec's Analysis starts here): see app/frozen_main.py."""

import sys

from app.frozen_main import main

if __name__ == "__main__":
    sys.exit(main())
