#!/usr/bin/env bash
# Runs every test: native unit and scenario tests, the façade in headless Chromium (wasm-bindgen-test),
# and the browser end-to-end tests against the built page (README command 2; .ci/run runs exactly this).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"

# Chromium leaves profile folders in TMPDIR; keep them where they are cleaned.
export TMPDIR="$PWD/target/tmp"
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"

step() { printf '\n==> %s\n' "$*"; }

step "native tests (unit, scenario transcripts, determinism, the kubeground binary)"
cargo test --workspace --quiet

step "the façade as WebAssembly in headless Chromium"
CHROMEDRIVER="$(command -v chromedriver)" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown -p playground --test wasm

step "build the page (trunk, release)"
cargo fetch --quiet
trunk build --release --offline

step "browser end-to-end tests (playwright-core + Debian Chromium)"
(cd tests/e2e && npm test)
