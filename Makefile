# appeals — two commands do all set-up on a fresh clone:
#   make run    the server on an embedded SQLite database (data/appeals.db), with demo users
#   make test   every test, on SQLite and on PostgreSQL
SHELL := /bin/bash
CARGO ?= cargo
# PostgreSQL for the postgres half of the tests (a fresh schema per test is created and dropped).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export TEST_DATABASE_URL
VENV := target/venv

.PHONY: calendar-peer run test test-rust openapi openapi-check openapi-validate lint fmt bench bench-load bench-targets build clean-data

run:
	APPEALS_ENV=dev $(CARGO) run --bin appeals -- serve --seed-demo

build:
	$(CARGO) build --workspace --all-targets

## Every test on both backends, then the OpenAPI document's validity.
test: pg-check test-rust openapi-validate calendar-peer

pg-check:
	@scripts/pg-check.sh "$(TEST_DATABASE_URL)"

test-rust:
	$(CARGO) test --workspace --no-fail-fast
	@# The duplicate engine's evaluation figures (asserted in the run above), shown: both sets.
	@set -o pipefail; $(CARGO) test -q -p appeals-domain --test dedup_eval -- --nocapture 2>&1 \
	  | grep -E '^(Duplicate engine evaluation|novel phrases| +(duplicate|related|new) +[0-9])'

openapi:
	$(CARGO) run -q --bin appeals -- openapi > openapi/openapi.json
	@echo "openapi/openapi.json regenerated"

## Validates the committed spec against the OpenAPI 3.1 schema (openapi-spec-validator from PyPI).
openapi-validate: $(VENV)/bin/openapi-spec-validator
	$(VENV)/bin/openapi-spec-validator openapi/openapi.json

$(VENV)/bin/openapi-spec-validator:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check 'openapi-spec-validator>=0.7,<0.9'

## The built-in calendar against an independent one (the `holidays` package, KZ), 2018–2030, day
## by day; differences must be listed with their legal reason in docs/calendar.md.
calendar-peer: $(VENV)/.holidays-0.109
	set -o pipefail; $(CARGO) run -q --bin appeals -- calendar-days --from 2018 --to 2030 \
	  | $(VENV)/bin/python scripts/calendar-peer.py docs/calendar.md

$(VENV)/.holidays-0.109: $(VENV)/bin/openapi-spec-validator
	$(VENV)/bin/pip install --quiet --disable-pip-version-check 'holidays==0.109'
	touch $@

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

bench:
	$(CARGO) bench -p appeals-domain

## Smoke of the registration load benchmark (≤ 30 s after the build; not part of `make test`).
## Full runs: docs/performance.md, "Registration load (issue 4)".
bench-load:
	$(CARGO) build -p appeals-api -p appeals-bench
	scripts/bench-load.sh

## The registration targets of issues 4 and 5 on PostgreSQL (127.0.0.1:5432): a release build, a
## database `appeals_bench` with BENCH_COUNT appeals (default 1,000,000, ≈ 3–4 min to seed), then
## interleaved 20 s runs at 32 clients without and with the duplicate check, their means and the
## ratio (scripts/bench/ab.sh). ≈ 10 minutes; drops the database at the end.
BENCH_COUNT ?= 1000000
bench-targets:
	$(CARGO) build --release -p appeals-api -p appeals-bench
	COUNT=$(BENCH_COUNT) scripts/bench/setup.sh appeals_bench
	psql -U postgres -h 127.0.0.1 -d appeals_bench -qc "VACUUM ANALYZE" -c CHECKPOINT
	D=20 scripts/bench/ab.sh appeals_bench "skip 0 skip 0 skip 0"
	dropdb -U postgres -h 127.0.0.1 appeals_bench

clean-data:
	rm -rf data
