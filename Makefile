# superset-iac: the tool, a local Superset 6.1 and the embedded lakehouse.
#
#   make demo    the tool's venv, a local Superset, the lakehouse, then apply
#   make demo WAREHOUSE=trino   the same on a local Trino 476 (devstack/trino.py)
#   make test    everything the tests need, then pytest
#
# Two virtual environments: .venv for the tool, .superset/venv for Superset
# (it pins sqlalchemy<2 and sqlglot<29). devstack/README.md explains the rest.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
DEVSTACK := python3 devstack/superset.py
TRINO := python3 devstack/trino.py
# duckdb (the embedded default) or trino: where the demo's views and data live.
WAREHOUSE ?= duckdb
PORT ?= $(or $(SUPERSET_PORT),8088)

# The local environment (assets/environments/local.yaml). Set here, not taken
# from the caller's shell, so that a production SUPERSET_URL exported there
# can never receive a local apply.
export SUPERSET_PORT := $(PORT)
export SUPERSET_IAC_ADMIN_PASSWORD ?= admin
export SUPERSET_URL := http://127.0.0.1:$(PORT)
export SUPERSET_USERNAME := admin
export SUPERSET_PASSWORD := $(SUPERSET_IAC_ADMIN_PASSWORD)
export LAKEHOUSE_PATH ?= $(CURDIR)/.lakehouse/lakehouse.duckdb
# The local Trino of assets/environments/local-trino.yaml (port fixed there).
export TRINO_HOST := 127.0.0.1
TRINO_PORT := 8080
DEMO_ENV := $(if $(filter trino,$(WAREHOUSE)),local-trino,local)
DEMO_DATA := $(if $(filter trino,$(WAREHOUSE)),lakehouse-trino,lakehouse)

# The tool's duckdb must be the one Superset reads the file with.
DUCKDB_VERSION := $(shell sed -n 's/^duckdb==//p' devstack/constraints-superset.txt)
CLI := $(VENV)/bin/superset-iac

.PHONY: help venv superset superset-stop superset-status superset-production superset-production-stop \
        lakehouse examples demo trino trino-stop trino-status lakehouse-trino \
        validate diff apply export test test-unit lint bench-compare clean distclean

help:
	@echo "make demo           local Superset + lakehouse + apply the assets"
	@echo "make demo WAREHOUSE=trino   the same over a local Trino 476 on :$(TRINO_PORT)"
	@echo "make trino          fetch (Maven, cached) and start Trino on :$(TRINO_PORT); trino-stop"
	@echo "make test           install what the tests need, run pytest"
	@echo "make lint           ruff and mypy (CI runs them)"
	@echo "make bench-compare  superset-iac beside preset-cli on local Superset(s), interleaved (ARGS=--pairs 7)"
	@echo "make venv           the tool's virtualenv (.venv)"
	@echo "make superset       install, initialise and start Superset on :$(PORT)"
	@echo "make superset-stop  stop it"
	@echo "make superset-production   Superset as deploy/ runs it (PostgreSQL, Redis, Celery) on :$(PORT)"
	@echo "make lakehouse      build .lakehouse/lakehouse.duckdb"
	@echo "make examples       build the Superset template with load-examples (~4 min, once)"
	@echo "make validate|diff|apply|export   the CLI with --env local (more options: ARGS=...)"
	@echo "make clean          stop Superset; remove its state, templates and the lakehouse"
	@echo "make distclean      clean, and remove both virtualenvs"

# ---------------------------------------------------------------- tool venv

venv: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml devstack/constraints-superset.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet -e '.[test]' "duckdb==$(DUCKDB_VERSION)"
	@touch $@

# ---------------------------------------------------------------- Superset

superset:
	$(DEVSTACK) install
	$(DEVSTACK) init
	$(DEVSTACK) start --port $(PORT)

superset-stop:
	$(DEVSTACK) stop

superset-status:
	@$(DEVSTACK) status

# Superset as deploy/ runs it: PostgreSQL, Redis, gunicorn x4, Celery (devstack/README.md).
superset-production:
	python3 devstack/production.py start --port $(PORT)

superset-production-stop:
	python3 devstack/production.py stop

examples:
	$(DEVSTACK) examples

# ---------------------------------------------------------------- lakehouse

lakehouse: venv
	$(VENV)/bin/python devstack/lakehouse.py --path "$(LAKEHOUSE_PATH)"

# ---------------------------------------------------------------- Trino

trino:
	$(TRINO) start --port $(TRINO_PORT)

trino-stop:
	$(TRINO) stop

trino-status:
	@$(TRINO) status

lakehouse-trino: venv trino
	$(VENV)/bin/python devstack/lakehouse.py --trino $(TRINO_HOST):$(TRINO_PORT)

# ---------------------------------------------------------------- the job

demo: venv superset $(DEMO_DATA)
	$(CLI) apply --env $(DEMO_ENV) --yes
	@echo
	@echo "Dashboard: $(SUPERSET_URL)/superset/dashboard/lakehouse-analytics/"
	@echo "Login:     $(SUPERSET_USERNAME) / $(SUPERSET_PASSWORD)"

# Extra CLI options: make export ARGS="--dashboard lakehouse-analytics"
ARGS ?=

# Run the CLI and say what its exit code means (superset_iac/exitcodes.py).
# 3 (diff: changes pending) is an answer, not a failure: make succeeds and
# says so. 1 (invalid assets, a failed change) and 2 (usage, configuration,
# server unreachable) stay failures, so CI running `make apply` or
# `make validate` fails on them. CI that wants diff's 3 calls the CLI itself.
define cli
	@$(CLI) $(1) --env $(DEMO_ENV) $(ARGS); code=$$?; case $$code in \
	  0) ;; \
	  3) echo "make $@: changes pending (superset-iac exit 3; make apply writes them)" ;; \
	  1) echo "make $@: failed (superset-iac exit 1: invalid assets or a failed change)" >&2; exit 1 ;; \
	  2) echo "make $@: failed (superset-iac exit 2: usage, configuration or connection)" >&2; exit 2 ;; \
	  *) exit $$code ;; \
	esac
endef

validate: venv
	$(call cli,validate)

diff: venv
	$(call cli,diff)

apply: venv
	$(call cli,apply --yes)

export: venv
	$(call cli,export)

# ---------------------------------------------------------------- tests

# The Superset fixtures start their own instances on free ports from the
# templates; building those here keeps the first test from paying for it.
# Tests get addresses and credentials from their fixtures, never from the
# local environment above or the caller's shell.
TEST_ENV := env -u SUPERSET_URL -u SUPERSET_USERNAME -u SUPERSET_PASSWORD -u SUPERSET_ACCESS_TOKEN \
	-u LAKEHOUSE_PATH -u SUPERSET_IAC_ENV -u TRINO_HOST
# Trino (Maven Central, ~540 MB once into ~/.m2): a machine without mvn still
# runs the tests; the Trino fixture then says why (fails in CI, skips locally).
test: venv lakehouse
	$(DEVSTACK) install
	$(DEVSTACK) init
	$(DEVSTACK) examples
	python3 devstack/production.py init
	-$(TRINO) install
	$(TEST_ENV) $(VENV)/bin/pytest $(ARGS)

# Lint and types (pyproject.toml [tool.ruff], setup.cfg [mypy]); CI runs it.
lint: venv
	$(VENV)/bin/ruff check superset_iac
	$(VENV)/bin/mypy

test-unit: venv
	$(TEST_ENV) $(VENV)/bin/pytest -m "not integration" $(ARGS)

# Side by side with preset-cli (installed by the script into benchmarks/.work/,
# no project dependency) on Supersets of their own: benchmarks/README.md.
bench-compare: venv
	$(DEVSTACK) install
	$(DEVSTACK) init
	$(DEVSTACK) examples
	$(TEST_ENV) $(VENV)/bin/python benchmarks/bench_compare.py $(ARGS)

# ---------------------------------------------------------------- clean

clean:
	-$(DEVSTACK) stop
	-$(TRINO) stop
	-python3 devstack/production.py stop
	rm -rf .superset/home .superset/production .superset/templates .lakehouse .pytest_cache .hypothesis .trino/home

distclean: clean
	rm -rf $(VENV) .superset .trino
