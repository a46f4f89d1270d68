# TTCS: `make run` starts the site and its worker; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint lock bench messages clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Site: http://$(HOST):$(PORT)/  Admin: http://$(HOST):$(PORT)/admin/"
	@echo "Simulated speaker clusters (speaker_sim --demo) play what is scheduled for them."
	@bash -c 'trap "kill 0" EXIT INT TERM; \
		export ZALO_DEMO=1; $(BIN)/python manage.py zalo_fake --connect & \
		$(BIN)/python manage.py qcluster & \
		$(BIN)/python manage.py speaker_sim --demo --server http://$(HOST):$(PORT) & \
		$(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload; wait'

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/pytest $(PYTEST_ARGS)

# Re-resolve every dependency to the newest version pyproject.toml allows and pin it.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e ".[dev]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .venv-lock

bench: install
	$(BIN)/python bench/site.py

clean:
	rm -rf $(VENV) var .pytest_cache
