#!/usr/bin/env bash
# Builds the playground and serves it at http://127.0.0.1:8080 (README command 1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
# trunk runs cargo offline (Trunk.toml), so fetch the crates first.
cargo fetch --quiet
echo "kubeground: building, then serving at http://127.0.0.1:8080 (Ctrl-C to stop)"
exec trunk serve --release --offline --address 127.0.0.1 --port 8080 --open=false
