# Trennwand — build, run and test. `make run` and `make test` install missing Debian packages
# themselves when run as root; otherwise they print the exact apt-get line and stop.

SWIFT        ?= swift
PREFIX       ?= /usr/local
APT_PACKAGES := pkg-config libxml2-dev libvectorscan-dev libxml2-utils libsqlite3-dev zlib1g-dev
# Test-only: headless browser for the report check, openssl and curl for the serve HTTPS test,
# PostgreSQL for the plan parity tests (a throwaway server on a Unix socket, scripts/pg-test-server.sh;
# the package's own cluster is not used), Python oracles and PyYAML (never used by the product).
APT_TEST     := chromium openssl curl postgresql openjdk-17-jre-headless
PIP_TEST     := python-stdnum==2.2 jsonschema==4.26.0 duckdb==2.0.0 PyYAML==6.0.3 prometheus-client==0.26.0 pyspark==3.5.9
# Package-only: dpkg-deb is in dpkg; readelf (binutils) reads the libraries for Depends, man-db and
# groff-base render the man page in the package test, systemd brings systemd-analyze verify.
APT_DEB      := binutils man-db groff-base systemd
# Bench-only: the reference tools the bench measures next to trennwand, wrk for the serve load test,
# PostgreSQL for the scale-out rows (a throwaway server as in the tests), Java 17 for the Spark row
# (spark-submit in local mode). A tool missing at run time makes its row FAILED and the bench exit 1.
APT_BENCH    := ripgrep bc time libxml2-utils wrk postgresql openjdk-17-jre-headless valgrind binutils
BIN_DEBUG    := .build/debug/trennwand
BIN_RELEASE  := .build/release/trennwand
# Every release build links the Swift runtime in, as the Debian package ships it: the bench then
# measures the binary users run (dynamic linking of the toolchain's libraries cost ~12 ms of every
# start, measured 2026-12-07: 0.091 → 0.077 s median for a scan of one small file), and
# `make release`, `make bench` and `make deb` share one build instead of rebuilding on the flag.
RELEASE      := -c release --static-swift-stdlib
# The version lives in one place, Sources/trennwand/Trennwand.swift; the package takes it from there.
VERSION      := $(shell sed -n 's/^let trennwandVersion = "\(.*\)"$$/\1/p' Sources/trennwand/Trennwand.swift)

.PHONY: all deps pydeps benchdeps buildinfo build release run test bench bench-serve install clean expected-findings report-screenshot serve-screenshot

all: build

# System packages (C libraries from Debian). Root installs; everybody else is told what to run.
deps:
	@scripts/ensure-apt-packages.sh $(APT_PACKAGES)

# Test-only packages: chromium (report check), postgresql (PostgresParityTests, which fail rather
# than skip under `make test`: TW_REQUIRE_POSTGRES=1) and Java 17 for Spark local mode (SparkParityTests,
# TW_REQUIRE_SPARK=1 likewise) from Debian, oracles and pyspark from PyPI.
pydeps:
	@scripts/ensure-apt-packages.sh $(APT_TEST)
	@python3 -c "from importlib.metadata import version as v; assert (v('python-stdnum'), v('jsonschema'), v('duckdb'), v('PyYAML'), v('prometheus-client'), v('pyspark')) == ('2.2', '4.26.0', '2.0.0', '6.0.3', '0.26.0', '3.5.9')" 2>/dev/null || python3 -m pip install -q $(PIP_TEST)

# Bench-only packages: ripgrep, bc, GNU time, xmllint, wrk, PostgreSQL, Java 17, valgrind and
# binutils (the gap report, scripts/bench-gap.sh) from Debian; DuckDB
# and PySpark (pinned, Spark local mode on that Java) from PyPI.
benchdeps:
	@scripts/ensure-apt-packages.sh $(APT_BENCH)
	@python3 -c "from importlib.metadata import version as v; assert (v('duckdb'), v('pyspark')) == ('2.0.0', '3.5.9')" 2>/dev/null || python3 -m pip install -q duckdb==2.0.0 pyspark==3.5.9

# The git commit for `trennwand --version` (Sources/CTrennwandBuildInfo/buildinfo.generated.h, not in
# git; rewritten only when the commit changes). A plain `swift build` without it says "unknown".
buildinfo:
	@scripts/write-buildinfo.sh

build: deps buildinfo
	$(SWIFT) build

release: deps buildinfo
	$(SWIFT) build $(RELEASE)

# The main job on the bundled samples with the built-in rules.
run: release
	mkdir -p out
	$(BIN_RELEASE) scan --config Samples/audit.yaml --state out/trennwand-state.sqlite; rc=$$?; \
	echo "Bericht: out/trennwand-bericht.html, SARIF: out/trennwand.sarif, Verlauf: out/trennwand-state.sqlite (Exit-Code $$rc)"; \
	[ $$rc -le 1 ]

test: deps pydeps buildinfo
	$(SWIFT) build --build-tests
	$(BIN_DEBUG) rules lint
	$(BIN_DEBUG) rules test
	TW_REQUIRE_POSTGRES=1 TW_REQUIRE_SPARK=1 $(SWIFT) test --skip-build

# The Samples report rendered in headless chromium (checks plus a screenshot to look at).
report-screenshot: build pydeps
	mkdir -p out
	-$(BIN_DEBUG) scan --config Samples/audit.yaml --format text=/dev/null
	python3 Tests/browser/check_report.py out/trennwand-bericht.html out/trennwand-bericht.png --max-pages 20 --print-png out/trennwand-bericht-druck.png
	@echo "Screenshots: out/trennwand-bericht.png (1400 px), out/trennwand-bericht-390.png, out/trennwand-bericht-druck.png (A4 print layout); PDF: out/trennwand-bericht.pdf"

# The review workspace in headless chromium: set-up link, login, filter, an accepted-risk decision,
# the waiver export; no console error, CSP violation or foreign request (Tests/browser/check_serve.py).
# Screenshots in out/ (docs/images/serve-*.png are copies of them).
serve-screenshot: build pydeps
	mkdir -p out
	python3 Tests/browser/check_serve.py $(BIN_DEBUG) out

# Regenerates the reviewed list of findings a scan of the Samples must produce (check the diff!).
expected-findings: build
	$(BIN_DEBUG) scan --config Samples/audit.yaml --format jsonl=- --format text=/dev/null | python3 Tests/expected_findings.py > Samples/expected-findings.txt

# Throughput next to wc/xmllint/rg/DuckDB on a generated corpus (cached in .build-bench/);
# writes docs/performance.md. BENCH_MB (default 1024), BENCH_SCALE=0 skips the 4x corpus,
# BENCH_BEFORE=<earlier trennwand binary> adds a same-run time and findings check against it (±5 %).
bench: release benchdeps
	$(SWIFT) build $(RELEASE) --product trennwand-bench
	rc=0; scripts/bench-serve.sh || rc=1; scripts/bench.sh || rc=1; exit $$rc

# The review workspace under load: wrk against `trennwand serve` over 100,000 findings
# (SERVE_FINDINGS, SERVE_SECONDS, SERVE_CONNECTIONS); writes docs/performance-serve.md.
bench-serve: release benchdeps
	$(SWIFT) build $(RELEASE) --product trennwand-bench
	scripts/bench-serve.sh

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/trennwand
	install -m 0755 $(BIN_RELEASE) $(DESTDIR)$(PREFIX)/bin/trennwand
	cp -R Rules $(DESTDIR)$(PREFIX)/share/trennwand/

clean:
	rm -rf .build

# Hostile input: libFuzzer targets (CSV, XML and JSON Lines readers, profile YAML) built into .build-fuzz/
# with -sanitize=fuzzer,address; seeds generated from Samples and ../shared/testsuites. See
# docs/hostile-input.md. `make test` runs the short fuzz first.
FUZZ_SECONDS ?= 300
.PHONY: fuzz fuzz-short sanitize
test: fuzz-short

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run.sh

fuzz-short: deps
	FUZZ_SECONDS=60 Fuzz/run.sh

# The whole test suite once under AddressSanitizer and once under ThreadSanitizer. Leak checking
# is off for the XCTest run: XCTest and Foundation.Process leak their weak-reference side tables
# and the whole test-suite graph at exit on Linux (no Trennwand frame in any of those stacks); the
# fuzz targets run the readers with leak checking on. A first clean build can stop on an ICU enum
# clash between _FoundationICU and the libxml2 headers (module cache); the retry passes.
sanitize: deps pydeps
	$(SWIFT) build --build-tests --scratch-path .build-asan --sanitize address || $(SWIFT) build --build-tests --scratch-path .build-asan --sanitize address
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --scratch-path .build-asan --sanitize address
	$(SWIFT) build --build-tests --scratch-path .build-tsan --sanitize thread || $(SWIFT) build --build-tests --scratch-path .build-tsan --sanitize thread
	$(SWIFT) test --skip-build --scratch-path .build-tsan --sanitize thread

# The examples the docs ship as files: docs/ci/*.yml parsed as YAML, every `trennwand` command line
# in them (and in docs/ci.md) checked against the CLI's --experimental-dump-help, the systemd units
# shown unchanged in docs/operations.md; the generated docs (rules.md, rules.html, norms.md, fields.md,
# audit-yaml.md) current (`rules doc --check`, `config doc --check`). A few seconds; part of `make test`.
.PHONY: test-docs
test: test-docs
test-docs: build pydeps
	python3 Tests/docs_examples_check.py $(BIN_DEBUG)
	$(BIN_DEBUG) config doc --check
	$(BIN_DEBUG) rules doc --check

# Debian package: out/trennwand_$(VERSION)_amd64.deb (README "Paket installieren", packaging/).
# A release build with the Swift runtime linked in (--static-swift-stdlib: the toolchain's
# libraries are in no Debian package), so Depends names Debian libraries only (libxml2,
# libvectorscan5, libsqlite3-0, zlib1g, libc6, libstdc++6, libgcc-s1; read from the binary), then
# the package test below on the result. The same build as `make release` (RELEASE above).
.PHONY: deb test-deb
deb: deps buildinfo
	@scripts/ensure-apt-packages.sh $(APT_DEB)
	$(SWIFT) build $(RELEASE)
	packaging/build-deb.sh --bin $(BIN_RELEASE) --version $(VERSION) --out out
	packaging/test-deb.sh out/trennwand_$(VERSION)_amd64.deb

# The package test inside `make test`, on a package of the debug binary: a release build would add
# ~7 minutes on 2 cores to the 45-minute budget, while packaging the debug binary (fast gzip) and
# testing it takes ~40 s and exercises the same script, layout, man pages, completions, units and
# example. packaging/test-deb.sh unpacks with dpkg -x into a scratch root (no root needed, nothing
# changed on the machine); DEB_INSTALL=1 adds dpkg -i/--purge with the maintainer scripts for a
# throwaway CI container. The release package is tested the same way by `make deb`.
test: test-deb
test-deb: build
	@scripts/ensure-apt-packages.sh $(APT_DEB)
	packaging/build-deb.sh --bin $(BIN_DEBUG) --version $(VERSION) --out .build/deb-test --fast --allow-toolchain-libs
	packaging/test-deb.sh .build/deb-test/trennwand_$(VERSION)_amd64.deb
