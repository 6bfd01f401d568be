# Two commands do all the set-up: `make mock` and `make test` (see README.md).
# The first use creates .venv and installs the project with its dev extras.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

PORT   ?= 8081
SEED   ?=
CLIENTS ?=
TARGET ?=
AUTH   ?=
JUNIT  ?=
ALLOW_DESTRUCTIVE ?=
export AUTH JUNIT ALLOW_DESTRUCTIVE

WORKERS ?= auto
XDIST = $(if $(filter 0,$(WORKERS)),,-n $(WORKERS))

.PHONY: mock test test-quick test-slow lint typecheck actionlint wheel-check third-party examples bench clean \
	mqtt-clients

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# What an installed wheel has and an editable install lacks: the package's bytecode, and the
# documents' parses and Connexion resolutions kept beside them (openapi/parse_cache.py). Both
# are written even where PYTHONDONTWRITEBYTECODE says not to at run time, as compileall does;
# without them every start of the mock compiles 195 modules and parses four documents again
# (launch to first answer: 3.7 s, against 1.6 s with them; README, "Numbers"). Redone only when
# a source or a document changed.
SOURCES  := $(shell find kit fixtures mock_server contract_tests openapi -name '*.py' -o -name '*.yaml')
PREPARED := $(VENV)/.prepared-stamp
$(PREPARED): $(STAMP) $(SOURCES)
	$(BIN)/python -m compileall -q kit fixtures mock_server contract_tests openapi
	$(BIN)/python -m mqtt_api_kit.openapi
	$(BIN)/python -W ignore -m mqtt_api_kit.mock_server.specs
	@touch $(PREPARED)

## make mock: run the mock on the embedded default world, in the foreground (live clock;
## MOCK_ARGS="--clock frozen" for byte-identical answers, "--scenario degraded-node"…).
mock: $(PREPARED)
	$(BIN)/mqtt-api mock --port $(PORT) $(if $(SEED),--seed $(SEED)) $(if $(CLIENTS),--clients $(CLIENTS)) $(MOCK_ARGS)

## make test: our tests + the contract suite against the embedded mock, in two tiers: the
## quick one first (no Schemathesis subprocess), then the slow one (`@pytest.mark.slow`:
## every profile and every mutant through `mqtt-api test`). Each tier is spread over the
## machine's cores (pytest-xdist, `WORKERS=auto`; `WORKERS=0` runs in one process).
## make test TARGET=http://host:8081/api/v4 AUTH=user:pass: the contract suite against a broker
## (read-only unless ALLOW_DESTRUCTIVE=1; JUNIT=path writes JUnit XML).
test: $(PREPARED)
ifneq ($(strip $(TARGET)),)
	$(BIN)/mqtt-api test $(TARGET)
else
	$(BIN)/python -m pytest -m "not slow" $(XDIST)
	$(BIN)/python -m pytest -m slow $(XDIST)
endif

## make test-quick: the quick tier alone; make test-slow: the slow tier alone.
test-quick: $(PREPARED)
	$(BIN)/python -m pytest -m "not slow" $(XDIST)

test-slow: $(PREPARED)
	$(BIN)/python -m pytest -m slow $(XDIST)

## make mqtt-clients: Debian's mosquitto_sub/mosquitto_pub (the README's MQTT walk-through).
mqtt-clients:
	command -v mosquitto_sub >/dev/null || apt-get install -y mosquitto-clients \
		|| (apt-get update && apt-get install -y mosquitto-clients)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make typecheck: mypy --strict over the package (tests/ and bench/ checked leniently);
## see tools/typecheck.py for why it runs on a link tree under build/typecheck.
typecheck: $(STAMP)
	$(BIN)/python tools/typecheck.py

## make actionlint: the GitHub workflows, as GitHub would parse and run them.
actionlint: $(STAMP)
	$(BIN)/actionlint .github/workflows/*.yml

## make wheel-check: build the wheel, install it in a throwaway venv, serve and test from it.
wheel-check: $(STAMP)
	bash .ci/wheel-check $(BIN)/python

## make third-party: EMQX 5 clients nobody here wrote (emqx-client-monitor from PyPI; with
## EMQX_MCP_SERVER=<checkout>, the EMQX MCP server) against the mock, each in its own venv.
third-party: $(PREPARED)
	bash .ci/third-party $(BIN)/python

## make examples: the seeds' example responses against our documents.
examples: $(STAMP)
	$(BIN)/python ../shared/tools/check_examples.py .

## make bench: the mock side by side with Stoplight Prism (static and -d, installed from npm
## into bench/prism/ on first use) and a bare ASGI app, under wrk, pinned cores, alternating
## rounds; then start-up, memory and per-call figures by world size (BENCH_SIZES=200,100000).
## BENCH="world mock mqtt suite" picks other benchmarks; BENCH_SECONDS, BENCH_ROUNDS tune it.
BENCH ?= http sizes
bench: $(PREPARED) bench/prism/node_modules/.bin/prism
	$(BIN)/python -m bench $(BENCH)

bench/prism/node_modules/.bin/prism: bench/prism/package.json bench/prism/package-lock.json
	command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	npm ci --no-audit --no-fund --prefix bench/prism
	@touch $@

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis reports
