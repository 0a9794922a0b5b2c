#!/usr/bin/env bash
# Cache benchmark on the local BuildKit engine (scripts/engine.sh), for docs/performance.md.
#
# For the python-pip and node-npm fixtures it prints:
#   - cold build seconds: builder cache pruned, a fresh registry cache ref;
#   - warm source-only rebuild seconds: one source file changed, builder cache pruned and the
#     built image removed, so only the registry cache (CACHE_MODE=max) can help;
#   - warm/cold ratio, and the runtime image size (unpacked, from `du` in a container, and
#     the compressed layers in the registry).
# Then `migetpacks plan` wall time on a small fixture and on a generated 50,000-file tree
# (hyperfine when installed, else a `date +%s%N` loop), and their ratio.
#
# Usage: bash bench/cache.sh            (engine up: bash scripts/engine.sh up)
# MIGETPACKS_BIN overrides the binary (default: target/release/migetpacks, built if missing).
# PLAN_RUNS (default 20) sets the number of timed plan runs.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DOCKER_HOST:-}" ]; then
  # shellcheck disable=SC1090
  . "$(bash scripts/engine.sh env)"
fi
: "${REGISTRY:?REGISTRY is not set: source the engine env file (bash scripts/engine.sh env)}"
docker buildx inspect >/dev/null 2>&1 || {
  echo "the build engine does not answer: run bash scripts/engine.sh up" >&2
  exit 1
}

BIN="${MIGETPACKS_BIN:-$PWD/target/release/migetpacks}"
if [ ! -x "$BIN" ]; then
  cargo build --release --locked -p migetpacks-cli >&2
fi
PLAN_RUNS="${PLAN_RUNS:-20}"
export DOCKERFILE_SYNTAX=

WORK="$(mktemp -d /tmp/migetpacks-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
RUN_ID="$$-$(date +%s)"

now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

forget_local() {
  docker image rm -f "$1" >/dev/null 2>&1 || true
  docker buildx prune -af >/dev/null
}

# Sum of the compressed layer sizes of the linux/amd64 manifest of REPO:TAG in the registry.
registry_size() {
  python3 - "$REGISTRY" "$1" "$2" <<'EOF'
import json, sys, urllib.request
reg, repo, tag = sys.argv[1:]
def get(ref, accept):
    req = urllib.request.Request(f"http://{reg}/v2/{repo}/manifests/{ref}", headers={"Accept": accept})
    return json.load(urllib.request.urlopen(req))
idx = get(tag, "application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.oci.image.manifest.v1+json")
if "manifests" in idx:
    m = next(m for m in idx["manifests"] if m.get("platform", {}).get("architecture") == "amd64")
    idx = get(m["digest"], m["mediaType"])
print(sum(l["size"] for l in idx["layers"]))
EOF
}

mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }

# build DIR IMAGE CACHE LOG: run one build, print its wall seconds.
build() {
  local start end
  start=$(now_ns)
  OUTPUT_IMAGE="$2" CACHE_IMAGE="$3" CACHE_MODE=max "$BIN" build "$1" >"$4" 2>&1 || {
    echo "build failed, log: $4" >&2
    tail -20 "$4" >&2
    exit 1
  }
  end=$(now_ns)
  secs "$start" "$end"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "engine: $(docker version --format 'dockerd {{.Server.Version}}' 2>/dev/null), $(docker buildx version 2>/dev/null | cut -d' ' -f1-2)"
echo
printf '| fixture | cold (s) | warm source-only (s) | warm/cold | install on warm | image unpacked (MB) | image compressed (MB) |\n'
printf '|---|---|---|---|---|---|---|\n'
for spec in "python-pip:requirements.txt:app.py:# bench:Collecting" \
  "node-npm:package.json:index.js:// bench:added 1 package"; do
  IFS=: read -r fixture manifest source comment marker <<<"$spec"
  dir="$WORK/$fixture"
  cp -r "fixtures/$fixture" "$dir"
  # A manifest unique to this run: no earlier build on the engine has its install layer.
  if [ "$manifest" = package.json ]; then
    sed -i "s/\"private\": true,/\"private\": true,\n  \"description\": \"bench $RUN_ID\",/" "$dir/$manifest"
  else
    echo "# bench $RUN_ID" >>"$dir/$manifest"
  fi
  repo="bench/$fixture"
  image="$REGISTRY/$repo:$RUN_ID"
  cache="$REGISTRY/$repo-cache:$RUN_ID"
  forget_local "$image"
  cold=$(build "$dir" "$image" "$cache" "$WORK/$fixture-cold.log")
  # The containerd image store's `docker image inspect .Size` is the compressed size, so the
  # unpacked size is measured in a container (root, to read every folder).
  unpacked=$(docker run --rm --user 0 --entrypoint du "$image" -sxk / 2>/dev/null | cut -f1)
  unpacked=$((unpacked * 1024))
  compressed=$(registry_size "$repo" "$RUN_ID")
  forget_local "$image"
  printf '\n%s change\n' "$comment" >>"$dir/$source"
  warm=$(build "$dir" "$image" "$cache" "$WORK/$fixture-warm.log")
  if grep -q "$marker" "$WORK/$fixture-warm.log"; then ran=ran; else ran=reused; fi
  forget_local "$image"
  ratio=$(awk -v w="$warm" -v c="$cold" 'BEGIN { printf "%.2f", w / c }')
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$fixture" "$cold" "$warm" "$ratio" "$ran" \
    "$(mb "$unpacked")" "$(mb "$compressed")"
done

# A Node.js app in a 50,000-file tree (500 folders of 100 files), as in benches/plan.rs.
big="$WORK/big"
mkdir -p "$big"
echo '{"scripts":{"start":"node index.js"}}' >"$big/package.json"
echo '{}' >"$big/package-lock.json"
: >"$big/index.js"
for d in $(seq 0 499); do
  mkdir -p "$big/packages/p$d/src"
  (cd "$big/packages/p$d/src" && touch $(seq -f 'f%g.js' 0 99))
done
small="fixtures/node-npm"
"$BIN" plan "$small" >/dev/null
"$BIN" plan "$big" >/dev/null

echo
echo "load before plan timing: $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --style none --warmup 3 --runs "$PLAN_RUNS" --export-json "$WORK/plan.json" \
    -n small "$BIN plan $small" -n tree-50000 "$BIN plan $big" >/dev/null
  read -r small_ms big_ms <<<"$(python3 -c '
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print(r["small"]["median"] * 1000, r["tree-50000"]["median"] * 1000)' "$WORK/plan.json")"
  how="hyperfine, median of $PLAN_RUNS runs after 3 warm-ups"
else
  median_ms() {
    local s e
    for _ in $(seq "$PLAN_RUNS"); do
      s=$(now_ns)
      "$BIN" plan "$1" >/dev/null
      e=$(now_ns)
      echo $(((e - s) / 1000))
    done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] / 1000 }'
  }
  small_ms=$(median_ms "$small")
  big_ms=$(median_ms "$big")
  how="date +%s%N loop, median of $PLAN_RUNS runs"
fi
echo
printf '| migetpacks plan | median (ms) |\n|---|---|\n'
printf '| %s (%s files) | %.2f |\n' "$small" "$(find "$small" -type f | wc -l)" "$small_ms"
printf '| generated tree (%s files) | %.2f |\n' "$(find "$big" -type f | wc -l)" "$big_ms"
printf 'ratio tree/small: %s (%s)\n' "$(awk -v a="$big_ms" -v b="$small_ms" 'BEGIN { printf "%.1f", a / b }')" "$how"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
