#!/usr/bin/env bash
# CI smoke run of the fuzz targets in fuzz/: each target runs for FUZZ_SECONDS (default 20 s)
# from its committed seed corpus. Works on a stable toolchain: RUSTC_BOOTSTRAP=1 lets stable
# rustc accept the -Z flags cargo-fuzz passes (sanitizer, coverage instrumentation).
# Installs cargo-fuzz when it is missing. Exits non-zero on the first crash (the reproducer
# is left in fuzz/artifacts/<target>/).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${FUZZ_SECONDS:-20}"
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build -O
log="$(mktemp)"
for t in "${targets[@]}"; do
  echo "== $t (${seconds}s)"
  mkdir -p "corpus/$t"
  # A scratch corpus first: new inputs found by a smoke run are not added to the committed one.
  scratch="$(mktemp -d)"
  status=0
  # The compose parser's cost grows with nesting depth: let inputs grow to where a missing
  # depth bound would hit the 10 s timeout (160 KB of nesting took a minute).
  max_len=4096
  [ "$t" = compose ] && max_len=262144
  cargo fuzz run -O "$t" "$scratch" "corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -max_len="$max_len" \
    >"$log" 2>&1 || status=$?
  rm -rf "$scratch"
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units|^SUMMARY|panicked at|Test unit written' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log" >&2
    echo "fuzz target $t failed (exit $status); reproducer in fuzz/artifacts/$t/" >&2
    exit "$status"
  fi
done
rm -f "$log"
echo "fuzz smoke: ${#targets[@]} targets, ${seconds}s each, no crash"
