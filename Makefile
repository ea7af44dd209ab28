# The two commands of the Digital Civil Service Academy:
#   make demo   set up and start the platform at http://127.0.0.1:8000 (PORT=N for another)
#   make test   set up and run every test
PORT ?= 8000
SHELL := /bin/bash
# two workers; each test module whole on one of them (tests/conftest.py); the slowest tests
# are listed at the end, to see where the suite's time goes
PYTEST_WORKERS ?= -n 2 --dist loadscope --durations=40

.PHONY: demo test lint docs reset bench
demo:
	@scripts/system-deps.sh
	@venv="$$(scripts/venv.sh)" && exec "$$venv/bin/academy" up --port $(PORT)

# ruff, the architecture rules (import-linter), the generated CLI reference, then pytest
test:
	@scripts/test-deps.sh
	@venv="$$(scripts/venv.sh test)" && \
	  "$$venv/bin/ruff" check . && \
	  "$$venv/bin/lint-imports" && \
	  PYTHONPATH=. "$$venv/bin/cog" --check docs/cli.md && \
	  ACADEMY_REQUIRE_POSTGRES=1 exec "$$venv/bin/python" -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint:
	@venv="$$(scripts/venv.sh test)" && "$$venv/bin/ruff" check . && "$$venv/bin/lint-imports"

# regenerate docs/cli.md from the CLI
docs:
	@venv="$$(scripts/venv.sh test)" && PYTHONPATH=. "$$venv/bin/cog" -r docs/cli.md

reset:
	@venv="$$(scripts/venv.sh)" && "$$venv/bin/academy" reset --yes

bench:
	@venv="$$(scripts/venv.sh test)" && "$$venv/bin/python" benchmarks/bench_provision.py && \
	  PYTHONPATH=. "$$venv/bin/python" benchmarks/bench_stop.py
