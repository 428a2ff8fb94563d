# Two commands do all the set-up: `make lab` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# `make lab` installs the course and JupyterLab only; `make venv` (what `make test` uses) adds the
# test and instructor tools. Each stamp re-installs when pyproject.toml, PYTHON or TORCH_INDEX changes;
# tools/venv.sh re-makes a half-made .venv (no pip), one older than Python 3.10, or one made with
# another PYTHON or TORCH_INDEX, and says in one line what to do when it cannot.
LAB_STAMP := $(VENV)/.installed-lab
STAMP     := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs
# CPU-only PyTorch (no CUDA libraries: a far smaller .venv; see README), e.g.
# `make lab TORCH_INDEX=https://download.pytorch.org/whl/cpu`. Empty: pip's default build.
TORCH_INDEX ?=
# What the venv is built with: a change re-makes it (tools/venv.sh) and re-runs the install.
SETTINGS := PYTHON=$(PYTHON) TORCH_INDEX=$(TORCH_INDEX)
SETTINGS_FILE := $(VENV)/.settings
# The profile `make lab` opens the notebooks in: `make lab FAST=1` (small sizes, a minute or two per
# notebook on a CPU) or FULL, the default (the real runs; the README's course map gives each one's time).
FAST ?= $(GAN_COURSE_FAST)
comma := ,
# Extra arguments for `jupyter lab`, e.g. `make lab LAB_ARGS="--no-browser --port 8899"`.
# Jupyter refuses to run as root unless told; containers often run as root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: FORCE venv lab-venv lab test unit integration repository docs-check grading notebooks assignments data-check site site-test clean

venv: $(STAMP)  ## .venv with the package (editable), JupyterLab, the test and instructor tools

lab-venv: $(LAB_STAMP)  ## .venv with the package (editable) and JupyterLab only

# Rewritten only when the settings differ from the last run's, so the stamps depend on them.
$(SETTINGS_FILE): FORCE
	@mkdir -p $(VENV); [ "$$(cat $@ 2>/dev/null)" = '$(SETTINGS)' ] || printf '%s\n' '$(SETTINGS)' > $@

define install
	@sh tools/venv.sh '$(PYTHON)' $(VENV) '$(SETTINGS)'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(if $(TORCH_INDEX),$(BIN)/python -m pip install --quiet --index-url $(TORCH_INDEX) torch torchvision)
	$(BIN)/python -m pip install --quiet -e '.[$(1)]'
endef

# A second `make venv` with nothing changed does nothing.
$(STAMP): pyproject.toml $(SETTINGS_FILE)
	$(call install,lab$(comma)test$(comma)instructor)
	touch $(STAMP) $(LAB_STAMP)

$(LAB_STAMP): pyproject.toml $(SETTINGS_FILE)
	$(call install,lab)
	touch $(LAB_STAMP)

# `make site` adds the [docs] extra (Sphinx, MyST-NB, the theme) to the full .venv.
$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab,test,instructor,docs]'
	touch $(DOCS_STAMP)

data-check: lab-venv  ## verify every file in data/ against data/MANIFEST.sha256
	$(BIN)/python -m gan_course check-data

lab: lab-venv data-check  ## JupyterLab on the course's first notebook (`make lab FAST=1`: the FAST profile)
	@echo "Profile: $(if $(filter 1 true yes on,$(FAST)),FAST (small sizes; for the real runs: make lab),FULL (the real runs; the README's course map gives each notebook's time; for a quick pass: make lab FAST=1))."
	@echo "The course's commands: .venv/bin/python -m gan_course --help"
	GAN_COURSE_FAST=$(if $(filter 1 true yes on,$(FAST)),1,0) $(BIN)/jupyter lab $(LAB_ARGS) notebooks/00_start_here.ipynb

# The tests, by purpose (tests/<purpose>/); `make test` runs all four and the notebooks.
unit: venv  ## package behaviour, quick (tests/unit; the tests marked slow are left to `make integration`)
	$(BIN)/python -m pytest tests/unit -m "not slow"

integration: venv  ## the CLI, torchrun, the shipped weights' golden figures, stop signals and resume (tests/integration)
	$(BIN)/python -m pytest tests/integration tests/unit -m "slow and not nbgrader"
	$(BIN)/python -m pytest tests/integration -m "not slow and not nbgrader"

repository: venv  ## the wheel, the setup cell, Python versions, hygiene, the tools, the notebook in a browser (tests/repository)
	$(BIN)/python -m pytest tests/repository

docs-check: venv  ## every generated table equals its data (tools/render.py --check) and the site's staging (tests/docs)
	$(BIN)/python -m pytest tests/docs -m "not site"

grading: venv  ## the real nbgrader grades every assignment: solution, stubs, wrong submissions (CI runs it after `make test`)
	$(BIN)/python -m pytest tests/integration -m nbgrader

notebooks: venv  ## every notebook and every assignment's solution notebook, FAST profile
	# a fresh runs/ folder, so every notebook trains (train-or-load would otherwise load); the executed
	# copies are kept in build/executed/ (docs/nbsave.py) for `make site`, which would otherwise re-run them
	GAN_COURSE_FAST=1 GAN_COURSE_RUNS=$$(mktemp -d) $(BIN)/python -m pytest -p docs.nbsave --nb-save=build/executed --nbmake --nbmake-kernel=python3 --nbmake-timeout=600 --durations=0 notebooks assignments/source

assignments: venv  ## regenerate the student versions in assignments/release/ from assignments/source/
	$(BIN)/python assignments/build.py

# The course website: the notebooks as `make notebooks` executed them (build/executed/; a notebook
# without a current copy is executed here, FAST), the student versions of the assignments, the course
# map and the timing reports, built offline by Sphinx + MyST-NB into build/site/ (open build/site/index.html).
# docs/vendor.py fetches MathJax, the widget embedder and onnxruntime-web from the npm registry once (needs
# `npm`); docs/onnx_export.py exports the shipped generators to ONNX for 07's and 08's in-page explorer
# and docs/playback.py records 03's runs for its playback (build/site-live/; about 2 minutes, then skipped
# while nothing it depends on changed).
# `make site SITE_NOTEBOOKS='0[12]_*'`: only the notebooks whose name matches, for a quick look.
SITE_NOTEBOOKS ?= *
site: $(DOCS_STAMP)  ## the course website in build/site/, from the notebooks executed in FAST
	$(BIN)/python docs/vendor.py build/site-vendor
	$(BIN)/python docs/onnx_export.py build/site-live
	$(BIN)/python docs/playback.py build/site-live
	$(BIN)/python docs/stage.py build/site-src --executed build/executed --notebooks '$(SITE_NOTEBOOKS)'
	rm -rf build/site
	$(BIN)/python -m sphinx -b html -c docs -q build/site-src build/site
	@echo "the site: build/site/index.html"

site-test: $(DOCS_STAMP)  ## the built site in chromium: every page offline, figures, maths, links, the live widgets; the ONNX parity (after `make site`)
	$(BIN)/python -m pytest tests/docs -m site

test: venv unit integration repository docs-check notebooks  ## what CI runs (and then `make grading`, `make site site-test`)

clean:
	rm -rf $(VENV) runs .pytest_cache build
