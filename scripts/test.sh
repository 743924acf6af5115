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
# What a learner downloads (figures, not a test): each file of the page and the total, raw and gzipped.
(cd dist && total=0 && for f in *; do z=$(gzip -9 -c "$f" | wc -c); total=$((total + z))
  printf '%-40s %9d bytes  %8d gzip\n' "$f" "$(wc -c <"$f")" "$z"; done && printf '%-40s %24d gzip\n' "page" "$total")

step "browser end-to-end tests (playwright-core + Debian Chromium)"
(cd tests/e2e && npm test)

step "the page's speed (figures, not a test): ready time, size, frame rate at 50 nodes and 1,500 pods"
(cd tests/e2e && npm run --silent bench)

# libFuzzer on the two front doors (typed command lines, applied manifests). A short run by default;
# FUZZ_SECONDS=600 for a longer sweep, FUZZ_SECONDS=0 to skip. cargo-fuzz needs nightly flags:
# RUSTC_BOOTSTRAP lets the pinned stable toolchain accept them (no sanitizer, coverage only). `--dev` builds
# unoptimised: a release fuzz build forces one codegen unit and takes over ten minutes on two cores.
fuzz_seconds="${FUZZ_SECONDS:-15}"
if [ "$fuzz_seconds" != 0 ]; then
  step "fuzzing: ${fuzz_seconds}s per target (cargo fuzz, libFuzzer)"
  (
    cd fuzz
    # Seeds: each target's own corpus folder (new finds go there) plus, for command lines, lines of the
    # scenario scripts except `sleep`s (one seed each; whole scripts sleep for hours of simulated time, which
    # takes minutes in this instrumented build) and, for apply, the scenario manifests.
    for target in command_line apply; do
      rm -rf "artifacts/$target"
      seeds=../tests/scenarios/manifests
      if [ "$target" = command_line ]; then
        seeds="$PWD/../target/fuzz-seeds/command_line"
        rm -rf "$seeds" && mkdir -p "$seeds"
        # One line per command and subcommand (each seed boots a cluster, about a second in this build).
        grep -hv -E '^[[:space:]]*(sleep|#|$)' ../tests/scenarios/*.sh | sort | awk '!seen[$1" "$2]++' |
          while IFS= read -r line; do printf '%s\n' "$line" >"$seeds/$(printf '%s' "$line" | cksum | cut -d' ' -f1)"; done
      fi
      RUSTC_BOOTSTRAP=1 cargo fuzz run --dev --sanitizer none "$target" "corpus/$target" "$seeds" -- \
        -max_total_time="$fuzz_seconds" -max_len=4096 -timeout=60 -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|Done|==|thread)" || true
      # An input that runs over a minute (a long `sleep` steps simulated time through every wake-up, slowly in
      # this instrumented build) ends the run as a libFuzzer timeout: reported here, not a crash.
      if ls "artifacts/$target"/timeout-* >/dev/null 2>&1; then
        echo "fuzzing: slow input kept in fuzz/artifacts/$target/ (over 60 s; a performance finding, not a crash)"
      fi
      # cargo fuzz exits non-zero when it found a crash; the pipe above hides that, so check for artifacts.
      if ls "artifacts/$target"/crash-* >/dev/null 2>&1; then
        echo "fuzzing found a crash in $target: fuzz/artifacts/$target/" >&2
        exit 1
      fi
    done
  )
fi
