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
for t in "${targets[@]}"; do
  echo "== $t (${seconds}s)"
  mkdir -p "corpus/$t"
  # A scratch corpus: new inputs found by a smoke run are not written into the committed one.
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  cargo fuzz run -O "$t" "$scratch" "corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 2>&1 |
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|Test unit written)' || true
  status=${PIPESTATUS[0]}
  rm -rf "$scratch"
  if [ "$status" -ne 0 ]; then
    echo "fuzz target $t failed (exit $status); see fuzz/artifacts/$t/" >&2
    exit "$status"
  fi
done
echo "fuzz smoke: ${#targets[@]} targets, ${seconds}s each, no crash"
