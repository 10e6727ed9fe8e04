# Two commands: `make run` and `make test`. Both set the project up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint i18n bench bench-deps bench-updates bench-scale bench-broadcast bench-memory bench-slow-disk clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# With BOT_TOKEN (or `token` in config.toml) it long-polls Telegram; without, local mode.
run: $(STAMP)
	$(PY) bot.py

# ruff and mypy first (seconds), then the suite.
test: lint
	$(PY) -m pytest -q -n 2

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

# Extract every gettext string into locales/messages.pot and merge it into kk, ru, zh.
i18n: $(STAMP)
	$(VENV)/bin/pybabel extract --project=ev-cert-bot --version=0.1 -F babel.cfg -k ngettext:1,2 --add-comments=TRANSLATORS: --no-location \
		-o locales/messages.pot --ignore-dirs=".venv tests bench emulator" .
	for l in kk ru zh; do \
		if [ -f locales/$$l/LC_MESSAGES/messages.po ]; then \
			$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i locales/messages.pot -d locales -D messages -l $$l; \
		else \
			$(VENV)/bin/pybabel init -i locales/messages.pot -d locales -D messages -l $$l; \
		fi; \
	done

# Benchmarks (minutes; not part of `make test`). Figures go into BENCHMARKS.md.
bench: bench-updates bench-broadcast bench-slow-disk

bench-deps: $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-bench.txt

bench-updates: bench-deps
	$(PY) -m bench.updates

# SQLite vs PostgreSQL, one instance vs two behind the webhook front (needs PostgreSQL).
bench-scale: $(STAMP)
	$(PY) -m bench.updates --bots ours,ours-webhook,pg,pg-webhook,pg-webhook-2

bench-broadcast: $(STAMP)
	$(PY) -m bench.broadcast

bench-memory: $(STAMP)
	$(PY) -m bench.memory

bench-slow-disk: $(STAMP)
	$(PY) -m bench.slow_disk

clean:
	rm -rf $(VENV) data
