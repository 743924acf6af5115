#!/usr/bin/env bash
# Installs every tool the build and the tests need, idempotently and pinned.
# A second run on a prepared machine takes seconds: each step checks first.
#   scripts/setup.sh          build tools (wasm target, wasm-bindgen-cli, trunk)
#   scripts/setup.sh --test   also Chromium, chromedriver, a Japanese font and the end-to-end npm packages
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# Must equal the `wasm-bindgen = "=…"` pin in Cargo.toml; checked below.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml | head -n1)
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "setup: no wasm-bindgen pin found in Cargo.toml" >&2; exit 1; }

say() { printf 'setup: %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  # --locked fails here: the registry lacks one locked dependency version (see ../shared/TOOLCHAIN.md).
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# The page's build runs scripts/csp.py as a trunk hook (its Content-Security-Policy).
if ! command -v python3 >/dev/null; then
  say "installing python3 (Debian)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends python3 >/dev/null
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 6 minutes)"
  cargo install --locked trunk --version "$TRUNK_VERSION" --force
fi

CARGO_FUZZ_VERSION=0.13.1
# The official Python client (v34 speaks Kubernetes 1.34), for the serve tests.
PY_KUBERNETES_VERSION=34.1.0

if [ "${1:-}" = "--test" ]; then
  if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION (about 30 seconds)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force
  fi
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  # Headless Chromium has no Japanese font of its own: without one the Japanese page's screenshots show
  # boxes. IPAGothic (3.5 MB) is the smallest Debian package that covers Japanese.
  if ! dpkg -s fonts-ipafont-gothic >/dev/null 2>&1; then
    say "installing Debian's fonts-ipafont-gothic (Japanese text in screenshots)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends fonts-ipafont-gothic >/dev/null
  fi
  # node_modules is rebuilt only when the lock file changed since the last install (a copy is kept there).
  if ! cmp -s tests/e2e/package-lock.json tests/e2e/node_modules/.kubeground-lock 2>/dev/null; then
    say "installing the end-to-end npm packages (playwright-core drives Debian's Chromium; no browser download)"
    (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    cp tests/e2e/package-lock.json tests/e2e/node_modules/.kubeground-lock
  fi
  # The official Python client for crates/cli/tests/python_client.rs, in a venv under target/ (ignored by git).
  # Reinstalled only when the pin changes (the installed version is recorded beside it).
  if [ "$(cat target/py/.kubeground-pin 2>/dev/null)" != "$PY_KUBERNETES_VERSION" ]; then
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
      say "installing Debian's python3-venv"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq python3-venv >/dev/null
    fi
    say "installing the Python kubernetes client $PY_KUBERNETES_VERSION into target/py"
    rm -rf target/py
    python3 -m venv target/py
    target/py/bin/pip install --quiet --disable-pip-version-check "kubernetes==$PY_KUBERNETES_VERSION"
    echo "$PY_KUBERNETES_VERSION" > target/py/.kubeground-pin
  fi
fi
say "tools ready"
