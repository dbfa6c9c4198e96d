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
	gnome-keyring libsecret-tools dbus libdbus-1-dev

.PHONY: help deps deps-debian deps-npm ui run test test-rust test-ui lint bench bindings clean

help:
	@echo "make run    build Hearth and open the desktop app"
	@echo "make test   everything CI checks (format, lints, Rust tests, UI type check and tests)"
	@echo "make bench  benchmarks (figures go in BENCHMARKS.md)"

deps: deps-debian deps-npm

# Installs the Debian packages a fresh machine lacks (as root, or through sudo).
deps-debian:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# npm packages, reinstalled only when package-lock.json changes.
deps-npm: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

ui: deps-npm
	$(NPM) run build

run: deps ui
	$(CARGO) build --bin hearth
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "No display found: running Hearth under Xvfb (headless)."; \
	  exec xvfb-run -a -s "-screen 0 1280x800x24" ./.ci/with-keyring "$$($(CARGO) metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')/debug/hearth"; \
	else \
	  exec "$$($(CARGO) metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')/debug/hearth"; \
	fi

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

test-rust: ui
	./.ci/with-keyring $(CARGO) test --workspace --all-features

test-ui: deps-npm
	$(NPM) run check
	$(NPM) test

test: deps lint test-rust test-ui

# Regenerate the committed TypeScript bindings from the Rust commands.
bindings:
	UPDATE_BINDINGS=1 $(CARGO) test -p hearth bindings

bench: deps ui
	$(CARGO) bench -p hearth-store --features bench-plaintext
	$(CARGO) bench -p hearth-pdf

clean:
	$(CARGO) clean
	rm -rf dist node_modules
