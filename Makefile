# Nabla — the two commands a fresh machine needs: `make lab` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: bootstrap build release test test-swift bench clean

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
