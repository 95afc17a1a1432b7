# Two commands for a fresh machine: `make site` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SPHINXOPTS ?=
# PDF options, e.g. PDFOPTS="-D rapport_pdf_variant=pdf/a-2a -D rapport_pdf_from=2025-01-01"
PDFOPTS ?=
STAMP := $(VENV)/.installed

.PHONY: site site-publik html test lint venv clean bench

# Create the virtual environment and install the pinned dependencies (once per change
# of pyproject.toml or constraints.txt).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Everything a reader gets: HTML, search index and PDFs, in _build/.
# The steps (PDFs, then HTML with its search index) live in _ext/rapport/writer/build.py, so
# `make site` and the writer's `rapport bygg` are one build: add a new step there.
site: $(STAMP)
	SPHINXOPTS="$(SPHINXOPTS)" PDFOPTS="$(PDFOPTS)" $(BIN)/rapport bygg

# The public site: content marked internal (:::{internt}, front matter internt: true) is
# left out of everything; its own doctrees, so the two audiences never share a cache.
# The same steps as `make site` (writer/build.py), with the audience set: `rapport bygg --publik`.
site-publik: $(STAMP)
	SPHINXOPTS="$(SPHINXOPTS)" PDFOPTS="$(PDFOPTS)" $(BIN)/rapport bygg --publik

html: site

# Tests: installs the browser and PDF tools the tests drive, then runs pytest.
# Two pytest-xdist workers (the machines have two cores); --dist loadscope keeps a test
# file on one worker, so a module's fixture (a site it builds) is built once, and gives a
# test class to one worker (tests/test_readers.py splits its browser views into two classes
# that either worker can run). Not --dist loadgroup: with pytest 9.2 and pytest-xdist 3.8 it
# ignores xdist_group marks and spreads every test (module fixtures built on both workers).
# PYTHONDONTWRITEBYTECODE is unset for the run: the tests start more than a hundred Python
# processes (Sphinx builds, the rapport command), and without the compiled modules kept in
# __pycache__ (ignored by git) each of them compiles the extension's modules again.
TEST_JOBS ?= 2
test: $(STAMP)
	bash tools/install-test-deps.sh
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadscope $(PYTEST_ARGS)

# The gate on the extension's code: ruff's lint and format check, mypy (settings in
# pyproject.toml); zero findings. .ci/run runs it after `make site`.
lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf _build
