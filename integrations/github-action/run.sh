#!/usr/bin/env bash
# The build step of the migetpacks GitHub Action (action.yml): runs the tool's container image
# against the runner's docker daemon and writes the step outputs from the result file.
#
# Inputs arrive as environment variables named after the migetpacks settings
# (docs/configuration.md); they reach the container as `-e NAME` (the value travels through
# the environment, never through argv). MIGETPACKS_IMAGE, MIGETPACKS_CACHE_SCOPE and
# GITHUB_ACTION_PATH are the action's own.
set -euo pipefail

# Every setting of docs/configuration.md, plus the variables it only reads from the environment.
settings=(
  SOURCE_DIR OUTPUT_IMAGE PROJECT_PATH LANGUAGE BUILDPACKS BUILD_COMMAND RUN_COMMAND PORT ARCH
  STATIC_OUTPUT_DIR USE_DHI TAG_LATEST PUSH_IMAGE DOCKERFILE_PATH COMPOSE_FILE RESULT_FILE CUSTOM_DATA DEBUG
  CACHE_IMAGE CACHE_MODE CACHE_FROM CACHE_REGISTRY_INSECURE NO_CACHE BUILD_CACHE_DIR CACHE_KEY
  S3_CACHE_BUCKET S3_CACHE_ENDPOINT S3_CACHE_REGION REGISTRY_MIRROR DHI_MIRROR BUILD_VARS
  BUILD_ENV BUILD_SECRETS DOCKERFILE_SYNTAX BUILDX_BUILDER BUILD_NETWORK NODE_OPTIONS MIX_ENV
  BUNDLE_WITHOUT RAILS_ENV GO_INSTALL_PACKAGE_SPEC GO_LINKER_SYMBOL GO_LINKER_VALUE
  GO_BUILD_FLAGS GO_INSTALL_TOOLS_IN_IMAGE GO_SETUP_GOPATH_IN_IMAGE SBT_TASKS SBT_PROJECT
  SBT_CLEAN LEIN_BUILD_TASK NODE_VERSION BUN_VERSION DENO_VERSION RUBY_VERSION PYTHON_VERSION
  GO_VERSION RUSTUP_TOOLCHAIN PHP_VERSION JAVA_VERSION DOTNET_VERSION ELIXIR_VERSION
  SCALA_VERSION CLOJURE_VERSION KOTLIN_VERSION
)
env_only=(
  AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN DHI_USERNAME DHI_PASSWORD NO_COLOR
  # What buildx reads for type=gha caches (exported by the action's runtime step).
  ACTIONS_RUNTIME_TOKEN ACTIONS_CACHE_URL ACTIONS_RESULTS_URL ACTIONS_CACHE_SERVICE_V2
  BUILDX_NO_DEFAULT_ATTESTATIONS
)

die() { echo "::error title=migetpacks::$*" >&2; exit 2; }

workspace=${GITHUB_WORKSPACE:-$PWD}
[ -n "${OUTPUT_IMAGE:-}" ] || die "the output-image input is required"
SOURCE_DIR=$(cd "$workspace" && realpath -m -- "${SOURCE_DIR:-.}")
[ -d "$SOURCE_DIR" ] || die "path: $SOURCE_DIR is not a folder"
RESULT_FILE=${RESULT_FILE:-${RUNNER_TEMP:-/tmp}/migetpacks-result.json}
RESULT_FILE=$(realpath -m -- "$RESULT_FILE")
mkdir -p "$(dirname "$RESULT_FILE")"
rm -f "$RESULT_FILE"
# The default cache: GitHub's own cache service, one scope per image (cache-scope input).
CACHE_IMAGE=${CACHE_IMAGE:-type=gha,scope=${MIGETPACKS_CACHE_SCOPE:-migetpacks}}
export SOURCE_DIR RESULT_FILE CACHE_IMAGE

run=(docker run --rm --network host -w "$SOURCE_DIR"
  # The source is read-only in the container: migetpacks never writes into it.
  -v "$SOURCE_DIR:$SOURCE_DIR:ro" -v "$(dirname "$RESULT_FILE"):$(dirname "$RESULT_FILE")")

names=("${settings[@]}" "${env_only[@]}")
# The values of BUILD_SECRETS names and of BUILD_ENV names (globs allowed) come from this
# step's environment (the workflow's `env:`).
IFS=', ' read -ra listed <<<"${BUILD_SECRETS:-}"
names+=("${listed[@]}")
IFS=', ' read -ra patterns <<<"${BUILD_ENV:-}"
while IFS= read -r name; do
  for pattern in "${patterns[@]}"; do
    # shellcheck disable=SC2053 # the pattern is a glob on purpose
    if [[ $name == $pattern ]]; then names+=("$name"); fi
  done
done < <(compgen -e)
for name in "${names[@]}"; do
  [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "not a variable name: $name"
  # Set, even empty: an empty DOCKERFILE_SYNTAX means "no syntax line", not the default.
  if [ -n "${!name+set}" ]; then run+=(-e "$name"); fi
done

# The daemon: the runner's socket (or DOCKER_HOST), mounted at the same path.
docker_host=${DOCKER_HOST:-unix:///var/run/docker.sock}
case $docker_host in
  unix://*) run+=(-v "${docker_host#unix://}:${docker_host#unix://}" -e "DOCKER_HOST=$docker_host") ;;
  *)
    run+=(-e DOCKER_HOST -e DOCKER_TLS_VERIFY)
    if [ -n "${DOCKER_CERT_PATH:-}" ]; then run+=(-v "$DOCKER_CERT_PATH:$DOCKER_CERT_PATH:ro" -e DOCKER_CERT_PATH); fi ;;
esac
# Registry logins (docker/login-action) and buildx builders (docker/setup-buildx-action) live
# in the runner's docker config; its cli-plugins stay outside (the image brings its own buildx).
config=${DOCKER_CONFIG:-$HOME/.docker}
if [ -f "$config/config.json" ]; then run+=(-v "$config/config.json:/root/.docker/config.json:ro"); fi
if [ -d "$config/buildx" ]; then run+=(-v "$config/buildx:/root/.docker/buildx"); fi

image=${MIGETPACKS_IMAGE:-}
if [ -z "$image" ]; then
  # No published image named: build the tool's image from the action's own checkout.
  image=migetpacks-action:local
  repo=$(cd "${GITHUB_ACTION_PATH:?}/../.." && pwd)
  echo "::group::building the migetpacks image from $repo"
  docker buildx build --load -t "$image" -f "$repo/integrations/image/Dockerfile" "$repo"
  echo "::endgroup::"
fi

status=0
"${run[@]}" "$image" build || status=$?
if [ ! -s "$RESULT_FILE" ]; then
  echo "::error title=migetpacks::the build stopped before writing a result (exit code $status)" >&2
  exit "$((status == 0 ? 1 : status))"
fi

outputs=${GITHUB_OUTPUT:-/dev/null}
{
  echo "image=$(jq -r '.images[0].name // empty' "$RESULT_FILE")"
  echo "digest=$(jq -r '.images[0].digest // empty' "$RESULT_FILE")"
  echo "status=$(jq -r '.status' "$RESULT_FILE")"
  echo "result-file=$RESULT_FILE"
} >>"$outputs"
if [ "$(jq -r '.status' "$RESULT_FILE")" != success ]; then
  echo "::error title=migetpacks::$(jq -r '.error // "build failed"' "$RESULT_FILE")" >&2
  code=$(jq -r '.exit_code' "$RESULT_FILE")
  exit "$((code == 0 ? 1 : code))"
fi
exit "$status"
