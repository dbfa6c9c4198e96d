# Hearth — the two commands that matter: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
NPM ?= npm
# Everything CI checks runs with CI=true (set by .ci/run); tests must fail rather than skip then.
export CI ?=

DEBIAN_PACKAGES := build-essential pkg-config curl file libssl-dev libgtk-3-dev \
	libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev patchelf \
	xvfb xauth dbus-x11 webkit2gtk-driver imagemagick poppler-utils qpdf fonts-dejavu-core \
	gnome-keyring libsecret-tools dbus libdbus-1-dev python3-aiosmtpd python3-venv xdotool

.PHONY: help deps deps-debian deps-bench deps-npm deps-python deps-e2e ui run server test test-rust test-ui test-api test-e2e lint bench bench-e2e bindings clean

# Python tools (schemathesis) live in a virtualenv outside the clone, reused between runs.
HEARTH_CACHE ?= $(HOME)/.cache/hearth
VENV := $(HEARTH_CACHE)/venv
SCHEMATHESIS_VERSION := 4.32.5
# tauri-driver (WebDriver for Tauri apps; it runs WebKitWebDriver) lives outside the clone too.
# Pinned: a bare `cargo install tauri-driver` picks a 3.0 alpha.
TAURI_DRIVER_VERSION := 2.1.0
TAURI_DRIVER := $(HEARTH_CACHE)/tauri-driver-$(TAURI_DRIVER_VERSION)/bin/tauri-driver
# Screenshots of each main screen from the end-to-end run (outside the repository).
HEARTH_E2E_SHOTS ?= /tmp/hearth-e2e-shots
TARGET_DIR = $(shell $(CARGO) metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')

help:
	@echo "make run    build Hearth and open the desktop app"
	@echo "make test   everything CI checks (format, lints, Rust tests, UI type check and tests, WebDriver tests)"
	@echo "make bench  benchmarks (figures go in BENCHMARKS.md)"
	@echo "make server a local hearth-server with the demo organisation (SQLite in .hearth-dev/)"

deps: deps-debian deps-npm

# Installs the Debian packages a fresh machine lacks (as root, or through sudo).
deps-debian:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Chromium is needed only by `make bench` (the PDF speed comparison), so it is not in the main list.
deps-bench:
	@dpkg-query -W -f='$${Status}' chromium 2>/dev/null | grep -q 'ok installed' || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

# npm packages, reinstalled only when package-lock.json changes.
deps-npm: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

deps-python: $(VENV)/.schemathesis-$(SCHEMATHESIS_VERSION)
$(VENV)/.schemathesis-$(SCHEMATHESIS_VERSION):
	/usr/bin/python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check schemathesis==$(SCHEMATHESIS_VERSION)
	@touch $@

deps-e2e: $(TAURI_DRIVER)
$(TAURI_DRIVER):
	$(CARGO) install tauri-driver --version "$(TAURI_DRIVER_VERSION)" --locked --root $(HEARTH_CACHE)/tauri-driver-$(TAURI_DRIVER_VERSION)

ui: deps-npm
	$(NPM) run build

# The desktop app, plus (unless one already answers on 127.0.0.1:8787) the development server
# with the invented demo organisation in .hearth-dev/, so a fresh machine has something to
# sign in to: address http://127.0.0.1:8787, a demo account printed below, the code in
# .hearth-dev/outbox/ and .hearth-dev/server.log. The server stops when the app closes.
run: deps ui
	$(CARGO) build -p hearth -p hearth-server --bins
	@mkdir -p .hearth-dev; server_pid=; \
	if ! curl -sf http://127.0.0.1:8787/healthz >/dev/null 2>&1; then \
	  $(TARGET_DIR)/debug/hearth-server --data-dir .hearth-dev demo-seed; \
	  $(TARGET_DIR)/debug/hearth-server --data-dir .hearth-dev serve > .hearth-dev/server.log 2>&1 & server_pid=$$!; \
	  echo "Development server on http://127.0.0.1:8787 (log: .hearth-dev/server.log; codes: .hearth-dev/outbox/)"; \
	fi; \
	trap '[ -n "$$server_pid" ] && kill $$server_pid 2>/dev/null' EXIT; \
	if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "No display found: running Hearth under Xvfb (headless)."; \
	  xvfb-run -a -s "-screen 0 1280x800x24" ./.ci/with-keyring "$(TARGET_DIR)/debug/hearth"; \
	else \
	  "$(TARGET_DIR)/debug/hearth"; \
	fi

# A development server: SQLite and mail to the console and .hearth-dev/outbox/ (no SMTP).
server:
	$(CARGO) build -p hearth-server
	$(TARGET_DIR)/debug/hearth-server --data-dir .hearth-dev demo-seed
	exec $(TARGET_DIR)/debug/hearth-server --data-dir .hearth-dev serve

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

# Everything but the end-to-end crate, which needs a display and the built app (test-e2e).
test-rust: ui
	./.ci/with-keyring $(CARGO) test --workspace --all-features --exclude hearth-e2e

test-ui: deps-npm
	$(NPM) run check
	$(NPM) test

# schemathesis against the server's own OpenAPI document: no 5xx, no response breaking the schema.
test-api: deps-python
	$(CARGO) build --workspace --all-features --bin hearth-server
	PATH="$(VENV)/bin:$$PATH" crates/hearth-server/tests/schemathesis.sh $(TARGET_DIR)/debug/hearth-server

# WebDriver tests of the real app window (tests/e2e): tauri-driver + WebKitWebDriver under
# Xvfb against a real hearth-server process; axe-core (node_modules) on every screen;
# screenshots in $(HEARTH_E2E_SHOTS). A missing prerequisite fails the run, naming it.
test-e2e: deps-npm deps-e2e ui
	$(CARGO) build -p hearth -p hearth-server --bins
	HEARTH_APP_BIN="$(TARGET_DIR)/debug/hearth" HEARTH_SERVER_BIN="$(TARGET_DIR)/debug/hearth-server" \
	TAURI_DRIVER="$(TAURI_DRIVER)" HEARTH_E2E_SHOTS="$(HEARTH_E2E_SHOTS)" \
	  xvfb-run -a -s "-screen 0 1280x800x24" ./.ci/with-keyring $(CARGO) test -p hearth-e2e -- --test-threads=1

test: deps lint test-rust test-ui test-api test-e2e

# Regenerate the committed TypeScript bindings from the Rust commands.
bindings:
	UPDATE_BINDINGS=1 $(CARGO) test -p hearth bindings

bench: deps deps-bench ui
	$(CARGO) bench -p hearth-store --features bench-plaintext
	$(CARGO) bench -p hearth-pdf
	HEARTH_FAULT_SCHEDULES=5000 $(CARGO) test --release --test sync faults -- --nocapture
	$(NPM) ci --prefix bench/pouchdb --no-audit --no-fund
	$(CARGO) bench -p hearth-sync --bench sync
	$(CARGO) bench -p hearth-server --bench auth_load
	$(MAKE) bench-e2e

# Cold start of the release app to an interactive dashboard with 1,000 plans in its cache,
# and its resident memory (app and WebKit processes), through tauri-driver under Xvfb. The
# measuring harness itself needs no optimising: `cargo test --bench` runs it unoptimised.
bench-e2e: deps-npm deps-e2e ui
	$(CARGO) build --release -p hearth -p hearth-server --bins
	HEARTH_APP_BIN="$(TARGET_DIR)/release/hearth" HEARTH_SERVER_BIN="$(TARGET_DIR)/release/hearth-server" \
	TAURI_DRIVER="$(TAURI_DRIVER)" \
	  xvfb-run -a -s "-screen 0 1280x800x24" ./.ci/with-keyring $(CARGO) test -p hearth-e2e --bench cold_start

clean:
	$(CARGO) clean
	rm -rf dist node_modules
