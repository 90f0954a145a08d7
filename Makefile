# OIRS Conversacional. The two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY311 = $(shell scripts/find-python311)
PY310 = $(shell scripts/find-python310)

.PHONY: help run test envs lint bench telegram clean-model

help:
	@echo "make run   - prepara todo y levanta panel, Rasa y acciones"
	@echo "make test  - instala lo necesario y corre todas las pruebas"
	@echo "make bench - benchmarks (JSON en var/bench/)"

envs: .venv/.installed .venv-bot/.installed

.venv/.installed: requirements/app.txt requirements/dev.txt pyproject.toml packages/oirs_rules/pyproject.toml
	@py="$(PY311)"; [ -n "$$py" ] || exit 1; \
	[ -x .venv/bin/python ] || "$$py" -m venv .venv
	.venv/bin/python -m pip install -q --upgrade pip
	.venv/bin/python -m pip install -q -r requirements/dev.txt
	.venv/bin/python -m pip install -q --no-deps -e packages/oirs_rules
	.venv/bin/python -m pip install -q --no-deps -e .
	@touch $@

.venv-bot/.installed: requirements/bot.txt packages/oirs_rules/pyproject.toml
	@py="$(PY310)"; [ -n "$$py" ] || exit 1; \
	[ -x .venv-bot/bin/python ] || "$$py" -m venv .venv-bot
	.venv-bot/bin/python -m pip install -q --upgrade pip==24.2
	.venv-bot/bin/python -m pip install -q -r requirements/bot.txt
	.venv-bot/bin/python -m pip install -q --no-deps -e packages/oirs_rules
	@touch $@

# The two environments build side by side (pip spends much of its time waiting on I/O).
run:
	@$(MAKE) --no-print-directory -j2 envs
	@scripts/run.sh

test:
	@$(MAKE) --no-print-directory -j2 envs
	@scripts/test.sh

lint: .venv/.installed
	.venv/bin/ruff check .
	.venv/bin/ruff format --check oirs admin
	.venv/bin/mypy

bench: envs
	@scripts/bench.sh

# Telegram without a public URL: relay getUpdates to the local webhook (needs TELEGRAM_* set).
telegram: envs
	@. scripts/env.sh && .venv-bot/bin/python -m channels.telegram_polling

clean-model:
	rm -rf models
