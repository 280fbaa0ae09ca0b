# compactd — build, run and test.
#
#   make run     install what is missing, build, run on the shipped config
#   make test    install what is missing, build, run every test
#   make chaos   the full chaos run (kills, a failing receiver) and a longer fuzz
#   make chaos-replicas   three replicas on one PostgreSQL, kills, a cut, a database restart
#   make fuzz    the configuration loader under libFuzzer for 30 minutes (FUZZ_SECONDS)
#   make bench   release build, then the planner benchmark
#   make bench-delivery, make bench-idle, make bench-http   the delivery, idle-memory and HTTP benchmarks
#   make bench-pass   what one planning pass of the daemon costs with a full look-back and a long history,
#                     and what the status pages, /metrics, check and agenda cost with that history
#   make bench-replicas   deliveries with SQLite, PostgreSQL and one replica, and three replicas
#   make order-file   re-record which functions the release link places side by side
#
# Everything the project needs from Debian is installed here, so a fresh machine works.

SWIFT        ?= swift
CONFIG       ?= Config/compactd.toml
PREFIX       ?= /usr/local
DESTDIR      ?=
APT_PACKAGES := libcurl4-openssl-dev libsystemd-dev libsqlite3-dev pkg-config systemd tzdata openssl
# For the tests only: a real browser for the HTTP pages (Chromium, driven by Selenium),
# promtool (Debian's prometheus) for /metrics, a real PostgreSQL 15 (started by the tests as
# their own server) and iproute2 (`ip netns`: a replica cut off from the database).
TEST_APT_PACKAGES := chromium chromium-driver prometheus postgresql-15 postgresql-client-15 iproute2
# Real servers and reference checkers the tests run: an SMTP server, the Standard Webhooks
# reference verifier, an iCalendar parser, Selenium.
PY_PACKAGES  := aiosmtpd standardwebhooks icalendar selenium
PYTHON       ?= python3
STAMP        := .build/.deps-installed
TEST_STAMP   := .build/.test-deps-installed
# Release builds carry the Swift runtime and Foundation inside the binaries: what `make install`
# puts in $(PREFIX)/bin then runs without the Swift toolchain on the machine, and idles in less
# memory (measured: RSS 30 MiB against 35 MiB with the shared libraries).
# They link with lld for packed relative relocations (DT_RELR, glibc >= 2.36): a position-
# independent binary with static Swift libraries carries 2 MiB of relocations that the loader
# reads at every start; packed, they take 16 KiB. Nothing resolves symbols against the
# executable, so it exports none (the static Swift libraries ask to export all of them).
# The functions compactd runs at start, while idle and per delivery are placed side by side
# (Benchmarks/compactd.order, written by `make order-file`): the kernel maps text in 64 KiB runs
# around each page touched, and scattered over the binary they kept 10 MiB resident, side by
# side 5 MiB.
RELEASE      := -c release --static-swift-stdlib -Xswiftc -use-ld=lld \
                -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic \
                -Xlinker --symbol-ordering-file=$(CURDIR)/Benchmarks/compactd.order -Xlinker --no-warn-symbol-ordering

.PHONY: all deps test-deps build run test fuzz readme chaos chaos-replicas bench bench-delivery bench-replicas bench-idle bench-http bench-scale bench-pass order-file install clean

all: build

# Installs the Debian packages compactd builds against and runs with, once per checkout;
# test-deps adds what the tests use.
define apt_install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef
deps: $(STAMP)
$(STAMP):
	$(call apt_install,$(APT_PACKAGES))
	@mkdir -p .build && touch $(STAMP)

test-deps: $(TEST_STAMP)
$(TEST_STAMP): $(STAMP)
	$(call apt_install,$(TEST_APT_PACKAGES))
	@$(PYTHON) -c "import aiosmtpd, standardwebhooks, icalendar, selenium" 2>/dev/null || \
	  $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore $(PY_PACKAGES)
	@touch $(TEST_STAMP)

build: deps
	$(SWIFT) build

# The daemon on the shipped configuration, its SQLite state in ./.state (Ctrl-C stops it).
run: build
	$(SWIFT) run compactctl check --config $(CONFIG)
	mkdir -p .state
	STATE_DIRECTORY=$(CURDIR)/.state COMPACTD_CONTROL_SOCKET=$(CURDIR)/.state/control.sock $(SWIFT) run compactd --config $(CONFIG)

# Serially: many tests wait on real subprocesses and servers, and on a 2-core machine Swift's
# cooperative pool has 2 threads, so running them in parallel starves everything (measured:
# 103 s in parallel, 33 s serially).
# A minute of the configuration fuzzer first, so the test runner's summary is the last line.
test: test-deps
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=60 FUZZ_CORPUS=$(CURDIR)/.build-fuzz/corpus-short
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

# The configuration loader (TOML parser, readers, checks, planner) under libFuzzer with
# AddressSanitizer, coverage-guided, from the committed corpus and seeds. Any crash, trap,
# overflow or leak stops it with the input in .build-fuzz/artifact-*. `make test` runs it for
# a minute on a copy of the corpus; `make fuzz` for 30 minutes on Tests/Fuzz/corpus itself,
# then minimizes the corpus in place (commit what it adds).
FUZZ_SECONDS ?= 1800
FUZZ_CORPUS  ?= $(CURDIR)/Tests/Fuzz/corpus
FUZZER       := .build-fuzz/release/compactd-config-fuzzer
fuzz: deps
	COMPACTD_FUZZ=1 $(SWIFT) build -c release --scratch-path .build-fuzz --product compactd-config-fuzzer -Xswiftc -sanitize=fuzzer,address
	mkdir -p $(FUZZ_CORPUS) .build-fuzz/new
	@if [ "$(FUZZ_CORPUS)" != "$(CURDIR)/Tests/Fuzz/corpus" ]; then cp -n Tests/Fuzz/corpus/* $(FUZZ_CORPUS)/ 2>/dev/null || true; fi
	cd .build-fuzz && ../$(FUZZER) -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -print_final_stats=1 -artifact_prefix=$(CURDIR)/.build-fuzz/artifact- $(FUZZ_CORPUS) $(CURDIR)/Tests/Fuzz/seeds
	@if [ "$(FUZZ_CORPUS)" = "$(CURDIR)/Tests/Fuzz/corpus" ]; then \
	  rm -rf .build-fuzz/minimized && mkdir -p .build-fuzz/minimized && \
	  (cd .build-fuzz && ../$(FUZZER) -merge=1 -max_len=8192 minimized $(FUZZ_CORPUS)) && \
	  rm -f $(FUZZ_CORPUS)/* && cp .build-fuzz/minimized/* $(FUZZ_CORPUS)/; \
	fi

# The full chaos run: 5,000 reminders, a receiver failing ~45% of requests, compactd killed with
# SIGKILL 20 times; then the hostile-input fuzzers twenty times longer than in `make test`.
# `make test` runs a scaled-down chaos run (400 reminders, 6 kills).
CHAOS_SEED ?= 1
chaos: test-deps
	$(SWIFT) build --build-tests
	$(PYTHON) Tests/Chaos/chaos.py --bin .build/debug --reminders 5000 --kills 20 --span 60 --seed $(CHAOS_SEED)
	COMPACTD_FUZZ_SCALE=20 $(SWIFT) test --skip-build --filter HostileInputTests

# The full multi-replica chaos run: three compactd replicas on one PostgreSQL (started here),
# 3,000 deadlines, 30% of requests answered 503, 15 SIGKILLs, PostgreSQL restarted once, one
# replica's clock 2 minutes ahead, one cut off from the database (ip netns) and one paused, each
# longer than a lease, an acknowledgment mid-run. `make test` runs it at 600 deadlines, 6 kills.
chaos-replicas: test-deps
	$(SWIFT) build
	$(PYTHON) Tests/Chaos/chaos_replicas.py --bin .build/debug --reminders 3000 --kills 15 --span 40 --lead 10 --bound 400 --seed $(CHAOS_SEED)

bench: deps
	$(SWIFT) build $(RELEASE) --product compactd-bench
	.build/release/compactd-bench

# compactd --once delivering 20,000 webhooks to nginx, against curl --parallel and one curl
# per request (installs nginx and sqlite3 if missing).
# Deliveries with SQLite, PostgreSQL and one replica, and three replicas: the stores alone
# (claim latency) and end to end to nginx (Benchmarks/replica-bench.sh).
bench-replicas: test-deps
	@command -v nginx >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light)
	$(SWIFT) build $(RELEASE) --product compactd
	$(SWIFT) build $(RELEASE) --product compactd-store-bench
	Benchmarks/replica-bench.sh 20000

bench-delivery: deps
	@command -v nginx >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light)
	@command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3
	@[ -z "$(INSTRUCTIONS)" ] || command -v valgrind >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind
	$(SWIFT) build $(RELEASE) --product compactd
	Benchmarks/delivery-bench.sh 20000

# One planning pass of the daemon at 10,000 compacts, 60,000 notices in the look-back and a
# million delivered rows of history.
bench-pass: deps
	@command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3
	$(SWIFT) build $(RELEASE) --product compactd
	$(SWIFT) build $(RELEASE) --product compactctl
	Benchmarks/pass-bench.sh 10000 1000000 10

# compactd idling after READY on the shipped configuration, beside Debian's alertmanager.
bench-idle: deps
	@command -v prometheus-alertmanager >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-alertmanager)
	$(SWIFT) build $(RELEASE) --product compactd
	Benchmarks/idle-bench.sh 60

# The HTTP listener: READY and idle RSS with [http] on and off, then wrk against the status
# page and /metrics beside nginx serving a static copy of the same page (installs wrk, nginx).
bench-http: deps
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	@command -v nginx >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light)
	$(SWIFT) build $(RELEASE) --product compactd
	Benchmarks/http-bench.sh 3 10

# 1,000 / 10,000 / 100,000 compacts shaped like the shipped ones: READY, idle and peak RSS,
# reload, check, agenda (SIZES=1000,10000 for a shorter run; RUNS=3 for each cell's median
# and range over three runs).
SIZES ?= 1000,10000,100000
RUNS ?= 1
bench-scale: deps
	$(SWIFT) build $(RELEASE) --product compactd
	$(SWIFT) build $(RELEASE) --product compactctl
	$(PYTHON) Benchmarks/scale-bench.py --sizes $(SIZES) --runs $(RUNS)

# Rewrites Benchmarks/compactd.order from what a release compactd runs (valgrind's callgrind):
# after changes to what it does at start or per delivery. A stale list costs memory only.
order-file: deps
	@command -v valgrind >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind)
	$(SWIFT) build $(RELEASE) --product compactd
	Benchmarks/order-file.sh
	rm -f .build/release/compactd
	$(SWIFT) build $(RELEASE) --product compactd

# Installs the binaries, the unit, the journal catalog and a configuration skeleton.
# Honours PREFIX (default /usr/local) and DESTDIR (for packaging; then no user is created and
# systemd is not told).
install:
	$(SWIFT) build $(RELEASE) --product compactd
	$(SWIFT) build $(RELEASE) --product compactctl
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/systemd/system $(DESTDIR)/usr/lib/systemd/catalog \
	  $(DESTDIR)/etc/compactd/compacts $(DESTDIR)/etc/compactd/templates $(DESTDIR)$(PREFIX)/share/doc/compactd
	install -m 0755 .build/release/compactd .build/release/compactctl $(DESTDIR)$(PREFIX)/bin/
	sed 's|/usr/local|$(PREFIX)|g' Units/compactd.service > $(DESTDIR)/etc/systemd/system/compactd.service
	sed 's|/usr/local|$(PREFIX)|g' Units/compactd.socket > $(DESTDIR)/etc/systemd/system/compactd.socket
	install -m 0644 Units/compactd.catalog $(DESTDIR)/usr/lib/systemd/catalog/compactd.catalog
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/compactd/README.md
	@# The configuration is the operator's: never overwritten.
	[ -e $(DESTDIR)/etc/compactd/compactd.toml ] || install -m 0640 Config/compactd.toml $(DESTDIR)/etc/compactd/compactd.toml
	for f in Config/compacts/*.toml; do [ -e $(DESTDIR)/etc/compactd/compacts/$$(basename $$f) ] || install -m 0640 $$f $(DESTDIR)/etc/compactd/compacts/; done
	cp -rn Config/templates/. $(DESTDIR)/etc/compactd/templates/
	@if [ -z "$(DESTDIR)" ]; then \
	  getent group compactd >/dev/null || groupadd --system compactd; \
	  getent passwd compactd >/dev/null || useradd --system --gid compactd --home-dir /var/lib/compactd --shell /usr/sbin/nologin compactd; \
	  chgrp -R compactd /etc/compactd; \
	  journalctl --update-catalog 2>/dev/null || true; \
	  systemctl daemon-reload 2>/dev/null || true; \
	fi

# README's command reference from the built binaries' --help (ReadmeCommandsTests checks it).
readme: build
	$(PYTHON) Tests/Fixtures/readme_commands.py --write .build/debug README.md

clean:
	rm -rf .build .build-fuzz
