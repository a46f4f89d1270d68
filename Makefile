# TTCS: `make run` starts the site and its worker; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test lint lock bench messages clean

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
		$(BIN)/python manage.py mqtt_bridge & \
		$(BIN)/python manage.py speaker_sim --demo --server http://$(HOST):$(PORT) & \
		$(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload; wait'

# Production: cms.settings.production under gunicorn (cms/gunicorn.conf.py), with the task worker
# and, once it exists, the MQTT bridge. Reads the environment, or ENV_FILE=/etc/ttcs/ttcs.env
# (docs/deploy.md). One machine's systemd units run the same commands (docs/deploy/).
serve: install
	@bash -c 'set -e; if [ -n "$(ENV_FILE)" ]; then set -a; . "$(ENV_FILE)"; set +a; fi; \
		export DJANGO_SETTINGS_MODULE=cms.settings.production; \
		$(BIN)/python manage.py migrate --noinput; \
		$(BIN)/python manage.py collectstatic --noinput --verbosity 0; \
		trap "kill 0" EXIT INT TERM; \
		$(BIN)/python manage.py qcluster & \
		if $(BIN)/python manage.py help mqtt_bridge >/dev/null 2>&1; then $(BIN)/python manage.py mqtt_bridge & fi; \
		$(BIN)/gunicorn --config cms/gunicorn.conf.py'

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
