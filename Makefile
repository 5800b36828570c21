# Nabla — the two commands a fresh machine needs: `make lab` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: bootstrap build release test bench clean reference lab report

bootstrap:
	@./scripts/bootstrap

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release

## Build, register the kernel in .venv, and open JupyterLab on the lecture notebooks.
lab: release
	VIRTUAL_ENV=$(CURDIR)/.venv .build/release/nabla install --sys-prefix
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,)

## Build and run every test: the Swift suites, then the Jupyter suites against the kernel
## installed in .venv (history kept out of the user's data dir).
test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	VIRTUAL_ENV=$(CURDIR)/.venv .build/debug/nabla install --sys-prefix
	NABLA_HISTORY_FILE= $(PY) -m pytest -q -p no:cacheprovider Tests/python

## Execute every notebook (or those matching NB=…) and write reports/NAME.html and reports/NAME.pdf:
## title, contents, page numbers, nothing cut at the page edge (no network needed).
report: release
	VIRTUAL_ENV=$(CURDIR)/.venv .build/release/nabla install --sys-prefix
	VIRTUAL_ENV=$(CURDIR)/.venv .build/release/nabla report $(NB)

## Benchmarks beside numpy (and PyTorch when importable), medians and ratios.
bench: release
	$(VENV)/bin/pip install -q -r requirements-bench.txt
	VIRTUAL_ENV=$(CURDIR)/.venv .build/release/nabla install --sys-prefix
	$(PY) bench/engine.py
	$(PY) bench/kernel.py
	$(PY) bench/training.py

clean:
	rm -rf .build

## Regenerate the builtin reference in docs/language.md from the builtins' declarations.
reference: build
	.build/debug/nabla reference > .build/reference.md
	python3 -c "import re,sys; d=open('docs/language.md').read(); r=open('.build/reference.md').read(); a='<!-- reference:start -->\n'; b='<!-- reference:end -->'; i=d.index(a)+len(a); j=d.index(b); open('docs/language.md','w').write(d[:i]+r+d[j:])"
