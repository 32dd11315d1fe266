# The README's two commands are `make run` and `make test`.
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench demo-weights bundle clean

# Python's version is checked before anything is created. A .venv without the stamp is made
# afresh (--clear): one left by a failed try with another Python would keep that Python.
$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "Python 3.10+ is needed, and $(PY) is Python %s: install a newer one, or name it: make $(or $(MAKECMDGOALS),setup) PY=python3.11" % sys.version.split()[0])'
	$(PY) -m venv $(if $(wildcard $(STAMP)),,--clear )$(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

# Opens the GUI when a display answers (app/display_check.py), otherwise runs the headless demo
# (QT_QPA_PLATFORM=offscreen or minimal, as test shells set it, draw nowhere: the demo too).
run: $(STAMP)
	@if [ "$$QT_QPA_PLATFORM" = offscreen ] || [ "$$QT_QPA_PLATFORM" = minimal ]; then \
		echo "QT_QPA_PLATFORM=$$QT_QPA_PLATFORM draws no window: running the headless demo (palsy demo; unset it to open the window)."; \
		$(VENV)/bin/palsy demo --out palsy-demo-output; \
	elif $(VPY) -c 'import sys; from app.display_check import missing_display; sys.exit(missing_display() is not None)'; then \
		$(VENV)/bin/palsy gui; \
	else \
		echo "No display found: running the headless demo (palsy demo)."; \
		$(VENV)/bin/palsy demo --out palsy-demo-output; \
	fi

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VPY) -m pytest -q --durations=25

lint: $(STAMP)
	$(VENV)/bin/ruff check app models tests benchmarks

bench: $(STAMP)
	$(VPY) benchmarks/latency.py --json

demo-weights: $(STAMP)
	$(VENV)/bin/palsy train demo

# Clinic bundle dist/PalsyGrader/ in its own venv (.venv-bundle, CPU-only torch), then its
# --self-test under QT_QPA_PLATFORM=offscreen; result, size and timings in
# build/bundle-record.json (docs/bundle.md). Minutes of CPU: not part of `make test`.
bundle:
	PY=$(PY) bash installer/build_bundle.sh

clean:
	rm -rf $(VENV) .venv-bundle build dist .pytest_cache
