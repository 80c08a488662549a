# The front door. `make run` sets up and starts the demo site; `make test` sets up and runs every check.
PY := $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
ADDRESS ?= 127.0.0.1:8000

.PHONY: install run test chromium gettext lint format migrations-check messages messages-features compilemessages worker beat cron lock clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	@echo "Serving the demo site at http://$(ADDRESS)/ (the admin at http://$(ADDRESS)/admin/)"
	$(BIN)/python manage.py runserver $(ADDRESS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# The languages of the translation catalogues (English is the source).
LANGUAGES := fr de es
# The project catalogue (locale/) takes the core's texts and the message types' (through the
# generated notifications/catalogue_strings.py); each app with its own locale/ dir (features/<app>/)
# keeps its texts there, so the project run leaves features/ out.
MESSAGES_IGNORE := --ignore=.venv --ignore=bench --ignore=node_modules --ignore=var --ignore='features/*'

# Extracts the texts into the .po files; translate the new or changed ones (no empty or fuzzy
# entries), then run `make compilemessages` (the .mo files are committed).
messages: install
	$(BIN)/python manage.py catalogue --strings
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(LANGUAGES)) $(MESSAGES_IGNORE)
	for app in $(dir $(wildcard features/*/locale)); do \
		(cd $$app && ../../$(BIN)/django-admin makemessages $(addprefix -l ,$(LANGUAGES))) || exit 1; \
	done

compilemessages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv

test: lint migrations-check chromium gettext
	# With no PYTEST_ARGS the run is whole, so it also checks every message type's links were walked.
	# A browser test (or, with DATABASE_URL and REDIS_URL, a services test) that skips fails the run.
	LINKS_COVERAGE=$(if $(PYTEST_ARGS),0,1) $(BIN)/python -m pytest $(PYTEST_ARGS)

chromium:
	bin/chromium

gettext:
	bin/gettext

worker: install
	$(BIN)/celery -A totara_messaging worker --loglevel=INFO

beat: install
	$(BIN)/celery -A totara_messaging beat --loglevel=INFO

cron: install
	$(BIN)/python manage.py cron

lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# Each feature app keeps its own catalogue in features/<app>/locale/ (found through INSTALLED_APPS).
# After changing a page or a user-visible string: refresh them, translate what is new or fuzzy in
# the fr, de and es .po files, then run this again to compile them (.po and .mo are both committed).
FEATURE_APPS := $(notdir $(patsubst %/,%,$(dir $(wildcard features/*/apps.py))))

messages-features: install
	for app in $(FEATURE_APPS); do \
		mkdir -p features/$$app/locale && \
		(cd features/$$app && DJANGO_SETTINGS_MODULE=totara_messaging.settings PYTHONPATH=$(CURDIR) \
			$(abspath $(BIN))/django-admin makemessages --no-obsolete -l fr -l de -l es) || exit 1; \
	done
	for po in features/*/locale/*/LC_MESSAGES/django.po; do \
		msgfmt --check-format -o $${po%.po}.mo $$po || exit 1; \
	done
