# Trennwand — build, run and test. `make run` and `make test` install missing Debian packages
# themselves when run as root; otherwise they print the exact apt-get line and stop.

SWIFT        ?= swift
PREFIX       ?= /usr/local
APT_PACKAGES := pkg-config libxml2-dev libvectorscan-dev libxml2-utils libsqlite3-dev
PIP_TEST     := python-stdnum
BIN_DEBUG    := .build/debug/trennwand
BIN_RELEASE  := .build/release/trennwand

.PHONY: all deps pydeps build release run test bench install clean expected-findings

all: build

# System packages (C libraries from Debian). Root installs; everybody else is told what to run.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installiere fehlende Pakete:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing; \
	  else \
	    echo "Fehlende Systempakete. Bitte als root ausführen:"; \
	    echo "  apt-get update && apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

# Python packages used only as test oracles (never by the product).
pydeps:
	@python3 -c "import stdnum" 2>/dev/null || python3 -m pip install -q $(PIP_TEST)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The main job on the bundled samples with the built-in rules.
run: release
	mkdir -p out
	$(BIN_RELEASE) scan --config Samples/audit.yaml; rc=$$?; \
	echo "Bericht: out/trennwand-bericht.html, SARIF: out/trennwand.sarif (Exit-Code $$rc)"; \
	[ $$rc -le 1 ]

test: deps pydeps
	$(SWIFT) build --build-tests
	$(BIN_DEBUG) rules lint
	$(BIN_DEBUG) rules test
	$(SWIFT) test --skip-build

# Regenerates the reviewed list of findings a scan of the Samples must produce (check the diff!).
expected-findings: build
	$(BIN_DEBUG) scan --config Samples/audit.yaml --format jsonl=- --format text=/dev/null | python3 Tests/expected_findings.py > Samples/expected-findings.txt

# Throughput next to wc/xmllint/rg/DuckDB on a generated corpus (cached in .build-bench/);
# writes docs/performance.md. BENCH_MB (default 1024), BENCH_SCALE=0 skips the 4x corpus.
bench: release
	$(SWIFT) build -c release --product trennwand-bench
	scripts/bench.sh

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/trennwand
	install -m 0755 $(BIN_RELEASE) $(DESTDIR)$(PREFIX)/bin/trennwand
	cp -R Rules $(DESTDIR)$(PREFIX)/share/trennwand/

clean:
	rm -rf .build
