# The two commands of the Digital Civil Service Academy:
#   make demo   set up and start the platform at http://127.0.0.1:8000 (PORT=N for another)
#   make test   set up and run every test
PORT ?= 8000
SHELL := /bin/bash

.PHONY: demo test lint reset bench
demo:
	@venv="$$(scripts/venv.sh)" && exec "$$venv/bin/academy" up --port $(PORT)

test:
	@scripts/test-deps.sh
	@venv="$$(scripts/venv.sh test)" && "$$venv/bin/ruff" check . && ACADEMY_REQUIRE_POSTGRES=1 exec "$$venv/bin/python" -m pytest $(PYTEST_ARGS)

lint:
	@venv="$$(scripts/venv.sh test)" && "$$venv/bin/ruff" check .

reset:
	@venv="$$(scripts/venv.sh)" && "$$venv/bin/academy" reset --yes
