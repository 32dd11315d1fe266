# The README's two commands are `make run` and `make test`.
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench demo-weights bundle clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

# Opens the GUI when a display exists, otherwise runs the headless demo.
run: $(STAMP)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || [ "$$(uname)" = "Darwin" ]; then \
		$(VENV)/bin/palsy gui; \
	else \
		echo "No display found: running the headless demo (palsy demo)."; \
		$(VENV)/bin/palsy demo --out palsy-demo-output; \
	fi

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VPY) -m pytest -q

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
