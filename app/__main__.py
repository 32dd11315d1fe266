"""`python -m app` opens the GUI (the same as `palsy gui`)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["gui"]))
