# OmniDesk: `make demo` and `make test` are all a fresh machine needs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SYSPKGS := chromium chromium-driver espeak-ng alsa-utils xvfb xauth libxcb-cursor0 libxkbcommon-x11-0 \
           libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 \
           libxcb-shape0 libegl1 libgl1 libfontconfig1 libdbus-1-3 dovecot-imapd
export OMNIDESK_TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: setup system-packages demo test lint typecheck pytest bench clean

setup: $(STAMP) system-packages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# System packages for headless Chromium (web-chat tests), espeak-ng (speech), dovecot (a real
# IMAP server the e-mail tests start on a loopback port) and real Qt
# windows under Xvfb. Installed only where missing; says clearly when it cannot.
system-packages:
	@missing=""; for p in $(SYSPKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then \
	    echo "!! missing system packages:$$missing (no apt-get here: install them by hand)"; exit 1; \
	  elif [ "$$(id -u)" != 0 ]; then \
	    echo "!! missing system packages:$$missing (run as root, or: sudo apt-get install$$missing)"; exit 1; \
	  else \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
	      || { echo "!! apt-get could not install:$$missing"; exit 1; }; \
	  fi; \
	fi

# The desktop with the embedded gateway; on a machine without a display, the gateway alone.
demo: setup
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(BIN)/omnidesk --demo; \
	else \
	  echo "No display here: running the embedded gateway with demo data instead."; \
	  echo "On a desktop, 'make demo' opens the OmniDesk window signed in as the demo operator."; \
	  $(BIN)/omnidesk-gateway demo; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/python -m pytest -q

test: lint typecheck pytest

bench: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/bench -s

clean:
	rm -rf $(VENV) build dist *.egg-info bench-results.json test-artifacts
