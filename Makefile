# lvzhi — the two commands of the README, and a few helpers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Tests run on every core. `--dist load` hands tests out in collection order, so each worker still runs the
# transactional tests (which empty the database) after all its others (tests/conftest.py).
PYTEST_ARGS ?= -n auto --dist load

.PHONY: demo test venv system-deps serve clean

## Set up everything and run the main job: demo company on SQLite, the 2022 duty report, the web app.
demo: venv system-deps
	$(BIN)/lvzhi demo --bind 127.0.0.1:$(PORT)

## Run the whole test suite (SQLite by default; set LVZHI_DATABASE_URL=postgres://… for PostgreSQL).
test: venv
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

system-deps:
	@scripts/system-deps.sh

serve: venv
	$(BIN)/lvzhi serve --bind 127.0.0.1:$(PORT)

clean:
	rm -rf $(VENV) var
