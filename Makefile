# Two commands do all the set-up: `make lab` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Extra arguments for `jupyter lab`, e.g. `make lab LAB_ARGS="--no-browser --port 8899"`.
# Jupyter refuses to run as root unless told; containers often run as root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: venv lab test unit slow notebooks assignments data-check clean

venv: $(STAMP)  ## .venv with the package (editable) and its test extras

# Re-installs only when pyproject.toml changes; a second `make venv` takes well under a second.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

data-check: venv  ## verify every file in data/ against data/MANIFEST.sha256
	$(BIN)/python -m gan_course check-data

lab: venv data-check  ## JupyterLab on the course's first notebook
	$(BIN)/jupyter lab $(LAB_ARGS) notebooks/00_start_here.ipynb

unit: venv  ## package tests only, without the slow ones (subprocess CLI runs stopped by real signals)
	$(BIN)/python -m pytest tests -m "not slow"

slow: venv  ## the slow package tests: tests marked `slow` (tests/test_reliability.py's CLI runs)
	$(BIN)/python -m pytest tests -m slow

notebooks: venv  ## every notebook and every assignment's solution notebook, FAST profile
	# a fresh runs/ folder, so every notebook trains (train-or-load would otherwise load)
	GAN_COURSE_FAST=1 GAN_COURSE_RUNS=$$(mktemp -d) $(BIN)/python -m pytest --nbmake --nbmake-kernel=python3 --nbmake-timeout=600 --durations=0 notebooks assignments/source

assignments: venv  ## regenerate the student versions in assignments/release/ from assignments/source/
	$(BIN)/python assignments/build.py

test: venv unit slow notebooks  ## what CI runs

clean:
	rm -rf $(VENV) runs .pytest_cache
