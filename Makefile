# compactd — build, run and test.
#
#   make run     install what is missing, build, run on the shipped config
#   make test    install what is missing, build, run every test
#   make bench   release build, then the planner benchmark
#
# Everything the project needs from Debian is installed here, so a fresh machine works.

SWIFT        ?= swift
CONFIG       ?= Config/compactd.toml
PREFIX       ?= /usr/local
DESTDIR      ?=
APT_PACKAGES := libcurl4-openssl-dev libsystemd-dev libsqlite3-dev pkg-config systemd tzdata openssl
# Real servers and reference checkers the tests run: an SMTP server, the Standard Webhooks
# reference verifier, an iCalendar parser.
PY_PACKAGES  := aiosmtpd standardwebhooks icalendar
PYTHON       ?= python3
STAMP        := .build/.deps-installed

.PHONY: all deps build run test bench clean

all: build

# Installs the Debian packages compactd builds against and tests with, once per checkout.
deps: $(STAMP)
$(STAMP):
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@$(PYTHON) -c "import aiosmtpd, standardwebhooks, icalendar" 2>/dev/null || \
	  $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore $(PY_PACKAGES)
	@mkdir -p .build && touch $(STAMP)

build: deps
	$(SWIFT) build

run: build
	$(SWIFT) run compactctl check --config $(CONFIG)
	$(SWIFT) run compactctl agenda --config $(CONFIG) --days 400

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product compactd-bench
	.build/release/compactd-bench

clean:
	rm -rf .build
