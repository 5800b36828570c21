# Nabla — the two commands a fresh machine needs: `make lab` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: bootstrap build release test bench clean reference

bootstrap:
	@./scripts/bootstrap

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release

## Build and run every test.
test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## Benchmarks beside numpy (and PyTorch when importable), medians and ratios.
bench: release
	$(PY) bench/engine.py

clean:
	rm -rf .build

## Regenerate the builtin reference in docs/language.md from the docstrings.
reference: build
	.build/debug/nabla reference > .build/reference.md
	python3 -c "import re,sys; d=open('docs/language.md').read(); r=open('.build/reference.md').read(); a='<!-- reference:start -->\n'; b='<!-- reference:end -->'; i=d.index(a)+len(a); j=d.index(b); open('docs/language.md','w').write(d[:i]+r+d[j:])"
