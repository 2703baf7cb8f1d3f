# Quick start: `make run` serves the demo magazine, `make test` runs every test.
VENV := .venv
PYTHON := $(VENV)/bin/python
PORT ?= 8000
# What the operator set, before the development defaults below fill it in.
OPERATOR_SITE_URL := $(SITE_URL)
# Development defaults; production sets DJANGO_DEBUG and DJANGO_SECRET_KEY itself.
export DJANGO_DEBUG ?= true
export SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install run serve test lint migrate demo format benchmark bench

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PYTHON) manage.py migrate --noinput

# make_renditions queues photos from before renditions existed; `make run`'s worker makes them.
demo: migrate
	$(PYTHON) manage.py load_demo
	$(PYTHON) manage.py load_newsletter_demo
	$(PYTHON) manage.py make_renditions

# runserver and the job worker (it sends newsletter mail), stopped together by Ctrl-C or a
# SIGTERM to make (which make passes on); manage.py develop says how. .ci/check_make_run.py
# proves both.
run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin: /admin/, user 'editor', password 'editor')"
	$(PYTHON) manage.py develop 127.0.0.1:$(PORT)

# Production: gunicorn (WEB_CONCURRENCY workers, default 2 x cores + 1) and the job worker,
# after migrate and collectstatic. Needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and SITE_URL;
# see docs/deploy.md.
serve: export DJANGO_DEBUG = false
serve: export SITE_URL = $(OPERATOR_SITE_URL)
serve: install
	$(PYTHON) manage.py serve

PY_FILES := find . \( -path ./.venv -o -path ./var -o -path ./.git \) -prune -o -name '*.py' -print0
# django-upgrade has no check mode: it fails after rewriting a file, as pre-commit does.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	find templates -name '*.html' -print0 | xargs -0 $(VENV)/bin/djade --check --target-version 5.2
	$(PY_FILES) | xargs -0 $(VENV)/bin/django-upgrade --target-version 5.2
	$(PYTHON) manage.py makemigrations --check --dry-run

# Installs Chromium for the browser tests when it is missing (apt, else Playwright's).
.PHONY: browser
browser: install
	@bash tests/browser/setup_chromium.sh $(VENV)

# Branch coverage below the floor in pyproject.toml ([tool.coverage]) fails the run.
test: lint browser
	$(PYTHON) -m coverage run manage.py test --noinput --parallel
	$(PYTHON) -m coverage combine --quiet
	$(PYTHON) -m coverage report

format: install
	-$(PY_FILES) | xargs -0 $(VENV)/bin/django-upgrade --target-version 5.2
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	find templates -name '*.html' -print0 | xargs -0 $(VENV)/bin/djade --target-version 5.2

# Prints figures; never part of `make test`.
benchmark: install
	$(PYTHON) benchmarks/newsletter_export.py

# Public pages under load with wrk, at 1,000 and 20,000 articles (benchmarks/README.md).
bench: install
	DJANGO_DEBUG=false $(PYTHON) benchmarks/load.py $(BENCH_ARGS)
