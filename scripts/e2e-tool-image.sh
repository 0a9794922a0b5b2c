#!/usr/bin/env bash
# e2e-tool-image.sh: build the tool's own image (integrations/image/Dockerfile) on the engine
# and use it, as a CI step would, to build and push a fixture:
#   1. `docker run` with the engine's docker socket mounted at /var/run/docker.sock
#      (docs/integrations.md "The container image"), the image must then answer HTTP;
#   2. the GitHub Action's build step (integrations/github-action/run.sh) with that image,
#      against the engine's socket, reusing the registry cache of run 1; its outputs must
#      match the registry.
#
# Needs the engine (scripts/engine.sh up; then . "$(bash scripts/engine.sh env)").
# MIGETPACKS_TOOL_IMAGE_BINARY=compile (default) compiles migetpacks in the image's Rust stage
# (a release build: minutes on 2 cores, less with a warm cargo cache mount); =prebuilt puts
# target/debug/migetpacks into the image instead (`--build-context binary=…`), seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DOCKER_HOST:?source the engine environment first: . \"\$(bash scripts/engine.sh env)\"}"
REG=${REGISTRY:-127.0.0.1:5000}
MODE=${MIGETPACKS_TOOL_IMAGE_BINARY:-compile}
T0=$(date +%s)
log() { printf '[tool-image %3ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
fail() { printf '[tool-image] FAILED: %s\n' "$*" >&2; exit 1; }

command -v jq >/dev/null || fail "jq is not installed"
case $DOCKER_HOST in unix://*) sock=${DOCKER_HOST#unix://} ;; *) fail "DOCKER_HOST must be a unix socket to mount: $DOCKER_HOST" ;; esac
work=$(mktemp -d)
containers=()
tag=$(date +%s)-$$
tool=$REG/e2e/migetpacks-tool:$tag
app=$REG/e2e/tool-image-python-pip
cleanup() {
  if ((${#containers[@]})); then docker rm -f "${containers[@]}" >/dev/null 2>&1 || true; fi
  docker image rm "$tool" "$app:$tag" "$app:$tag-action" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
build=(docker buildx build --progress=plain --network=host --provenance=false
  -f integrations/image/Dockerfile -t "$tool" --load)
case $MODE in
  compile) ;;
  prebuilt)
    [ -x target/debug/migetpacks ] || fail "target/debug/migetpacks is not built"
    mkdir "$work/binary" && cp target/debug/migetpacks "$work/binary/"
    build+=(--build-context "binary=$work/binary") ;;
  *) fail "MIGETPACKS_TOOL_IMAGE_BINARY: expected compile or prebuilt, got '$MODE'" ;;
esac

log "building the tool image ($MODE) as $tool (log: $work/image.log, printed on failure)"
if ! "${build[@]}" . >"$work/image.log" 2>&1; then
  # A shared engine's containerd store sometimes loses a snapshot while unpacking right after
  # another build's prune ("failed to solve: not found"): that is the engine's bookkeeping.
  grep -qE 'failed to solve: not found|failed to prepare extraction snapshot' "$work/image.log" \
    || { tail -40 "$work/image.log"; fail "tool image build"; }
  log "the engine lost a snapshot while unpacking; building once more"
  sleep 3
  "${build[@]}" . >"$work/image.log" 2>&1 || { tail -40 "$work/image.log"; fail "tool image build"; }
fi
log "built; $(docker image inspect "$tool" --format '{{.Size}}' | awk '{printf "%d MB", $1/1e6}')"
docker run --rm --network host --entrypoint sh "$tool" -c '
  set -e
  test "$(command -v docker)" = /usr/local/bin/docker
  test -x /usr/local/libexec/docker/cli-plugins/docker-buildx
  test "$(id -u)" = 0
  migetpacks --version && docker --version && docker buildx version && jq --version' \
  || fail "the tool image lacks migetpacks, docker, buildx or jq at their paths"

# 1. docker run with the socket mounted; the source read-only.
cp -a fixtures/python-pip "$work/src"
mkdir "$work/out"
log "1. docker run $tool build (socket mounted) -> $app:$tag"
docker run --rm --network host \
  -v "$sock:/var/run/docker.sock" -v "$work/src:/workspace/source:ro" -v "$work/out:/out" \
  -e OUTPUT_IMAGE="$app:$tag" -e CACHE_IMAGE="$app:cache" -e CACHE_MODE=max \
  -e REGISTRY_MIRROR="$REG" -e DOCKERFILE_SYNTAX= -e RESULT_FILE=/out/result.json \
  -e BUILDX_NO_DEFAULT_ATTESTATIONS=1 \
  "$tool" build /workspace/source >"$work/run1.log" 2>&1 || { tail -40 "$work/run1.log"; fail "run 1"; }
result=$work/out/result.json
[ "$(jq -r .status "$result")" = success ] || { cat "$result"; fail "run 1: result status"; }
digest=$(jq -r '.images[0].digest // empty' "$result")
[[ $digest == sha256:* ]] || fail "run 1: no digest in the result file"
log "1. pushed $(jq -r '.images[0].name' "$result")@$digest in $(jq -r .build_time "$result")s"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
containers+=("$(docker run -d --network host -e PORT="$port" "$app:$tag")")
body=
for _ in $(seq 120); do
  body=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null) && break
  sleep 0.5
done
[[ $body == *"hello from python-pip"* ]] || { docker logs "${containers[0]}" 2>&1 | tail -20; fail "run 1: the image does not answer ('$body')"; }
log "1. the built image answers: $body"

# 2. The GitHub Action's build step with this image, against the engine's socket.
mkdir -p "$work/gh/workspace" "$work/gh/temp"
cp -a fixtures/python-pip "$work/gh/workspace/app"
log "2. integrations/github-action/run.sh with $tool -> $app:$tag-action"
(
  export GITHUB_WORKSPACE=$work/gh/workspace RUNNER_TEMP=$work/gh/temp GITHUB_OUTPUT=$work/gh/output
  export GITHUB_ACTION_PATH=$PWD/integrations/github-action MIGETPACKS_IMAGE=$tool
  export SOURCE_DIR=app OUTPUT_IMAGE=$app:$tag-action CACHE_IMAGE=$app:cache CACHE_MODE=max
  export REGISTRY_MIRROR=$REG DOCKERFILE_SYNTAX=
  bash integrations/github-action/run.sh
) >"$work/run2.log" 2>&1 || { tail -40 "$work/run2.log"; fail "run 2 (action)"; }
out_digest=$(sed -n 's/^digest=//p' "$work/gh/output")
registry_digest=$(curl -fsS -o /dev/null -D - \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json' \
  "http://$REG/v2/e2e/tool-image-python-pip/manifests/$tag-action" | tr -d '\r' | sed -n 's/^docker-content-digest: //Ip')
[ "$(sed -n 's/^status=//p' "$work/gh/output")" = success ] || fail "run 2: status output"
[ -n "$out_digest" ] && [ "$out_digest" = "$registry_digest" ] || fail "run 2: digest output '$out_digest' is not the registry's '$registry_digest'"
cached=$(grep -c ' CACHED$' "$work/run2.log" || true)
[ "$cached" -gt 0 ] || { tail -40 "$work/run2.log"; fail "run 2 reused nothing from run 1's registry cache"; }
log "2. outputs match the registry ($out_digest), $cached steps from the cache"
log "passed"
