# One command per task, the same for a newcomer, a developer and CI.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Go's default install location, for shells that never put it on PATH.
export PATH := $(PATH):/usr/local/go/bin
# Steps of `make test` rewrite and read the same files; never run them at once.
.NOTPARALLEL:
.DEFAULT_GOAL := build

.PHONY: run test check-fmt vet check-generated bench bench-peers syncbench pushbench importbench exportbench generate build migrate clean-data stop-db

GQLGEN := go run github.com/99designs/gqlgen
# Everything gqlgen writes: graph/ plus any output gqlgen.yml names elsewhere.
GEN_PATHS = graph $(shell awk '/^[[:space:]]+(filename|dir):/ {print $$2}' gqlgen.yml 2>/dev/null)

# The server starts its own PostgreSQL in .data/ when DATABASE_URL is unset.
run:
	go run . serve

# Tests start a throwaway PostgreSQL per test binary (internal/pgtest), so
# nothing needs to be running. ITAM_TEST_DATABASE_URL (or else DATABASE_URL)
# names a superuser connection to use instead. -p is left at Go's default,
# one test binary per CPU, each with its own small server.
test: check-fmt vet check-generated
	ITAM_TEST_DATABASE_URL="$${ITAM_TEST_DATABASE_URL:-$${DATABASE_URL:-}}" go test -count=1 ./...

# Tracked files and new ones not yet added, so the check sees what will be committed.
check-fmt:
	@files=$$(git ls-files -co --exclude-standard -- '*.go' 2>/dev/null) || files=$$(find . -name '*.go' -not -path './.data/*'); \
	bad=$$(for f in $$files; do if [ -f "$$f" ]; then echo "$$f"; fi; done | xargs -r gofmt -l); \
	if [ -n "$$bad" ]; then echo "gofmt would change these files (gofmt -w them):"; echo "$$bad"; exit 1; fi; \
	echo "gofmt: ok"

vet:
	go vet ./...

# Generated code is never edited by hand: regenerate and fail if anything changed.
check-generated:
	@if [ ! -f gqlgen.yml ]; then echo "no gqlgen.yml yet: skipping the generated-code check"; exit 0; fi; \
	sums() { find $(GEN_PATHS) -type f -print0 2>/dev/null | sort -zu | xargs -0 -r sha256sum; }; \
	before=$$(mktemp); after=$$(mktemp); trap 'rm -f "$$before" "$$after"' EXIT; \
	sums >"$$before" || true; \
	echo "$(GQLGEN) generate"; $(GQLGEN) generate; go generate ./graph/compiled; \
	sums >"$$after" || true; \
	if ! cmp -s "$$before" "$$after"; then \
		echo "generated code was not current; gqlgen generate changed:"; \
		diff "$$before" "$$after" | awk '/^[<>]/ {print "  " $$3}' | sort -u; \
		echo "review and commit these changes (make generate)"; exit 1; \
	fi; \
	echo "generated code: current"

# The API under load (100,000 assets), then a 50,000-device Jamf Pro sync and a 50,000-CI ServiceNow pull,
# write-back to a rate-limited ServiceNow, and a 100,000-row spreadsheet import.
# -peers: PostGraphile 5.1.5 on the same database (npm); skipped with a
# message when npm or its registry is unreachable.
bench:
	go run ./cmd/itam-bench -peers
	go run ./cmd/itam-syncbench
	go run ./cmd/itam-syncbench -vendor servicenow -computers 50000 -page-size 1000
	go run ./cmd/itam-pushbench -changes 1000 -rate 10
	go run ./cmd/itam-importbench -rows 100000
	go run ./cmd/itam-exportbench

syncbench:
	go run ./cmd/itam-syncbench

# itam beside the SQL floor, the stores and PostGraphile 5.1.5 (installed
# with npm into a temporary folder) on the workloads the peer can express.
bench-peers:
	go run ./cmd/itam-bench -peers -only list,nested-locations,nested-people

# 1,000 assignee changes written back to a fake ServiceNow limiting to 10 req/s.
pushbench:
	go run ./cmd/itam-pushbench -changes 1000 -rate 10

# A 100,000-row asset CSV dry-run and committed by the import workers (≤ 30 s each, RSS ≤ 300 MB).
importbench:
	go run ./cmd/itam-importbench -rows 100000

generate:
	$(GQLGEN) generate
	go generate ./graph/compiled # graph/compiled/bindings_gen.go, from gqlgen's binding data

# -buildvcs=auto stamps the git revision (itam version) even where GOFLAGS
# turns stamping off; outside a git checkout it builds without.
build:
	go build -buildvcs=auto -o itam .

migrate:
	go run . migrate

# Stops the local cluster under ITAM_DATA_DIR (default .data); its data stays.
stop-db:
	go run . db stop

# Stops the local cluster, then deletes what dev mode keeps under
# ITAM_DATA_DIR (default .data). As root the cluster may live in
# /var/lib/itam-devdb/, <data dir>/postgres being a symlink to it (see
# internal/devdb): that goes too. Only the entries dev mode makes are
# removed, so a mistaken ITAM_DATA_DIR (a home directory) loses nothing else;
# the directory itself goes when that leaves it empty.
clean-data: stop-db
	@dir="$${ITAM_DATA_DIR:-.data}"; \
	data=$$(readlink -f "$$dir/postgres" 2>/dev/null) || data=; \
	if [ -n "$$data" ] && [ "$$data" != "$$(readlink -f "$$dir")/postgres" ]; then rm -rf "$$data" "$$data.init" "$$data.pwfile"; fi; \
	rm -rf "$$dir/postgres" "$$dir/postgres.init" "$$dir/postgres.pwfile" "$$dir/postgres.lock" \
		"$$dir/jwt-secret" "$$dir/secret-key" "$$dir/operator-token"; \
	rmdir "$$dir" 2>/dev/null || true; \
	echo "removed the dev data in $$dir"

exportbench:
	go run ./cmd/itam-exportbench
