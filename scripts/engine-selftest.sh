#!/usr/bin/env bash
# engine-selftest.sh: quick check of the engine that `scripts/engine.sh up` started (also run
# by `scripts/engine.sh prove`). Exit 0 iff every check passes; about 30 s.
#
# 1. every seeded tag is in the registry under both layouts (library/ and mirror/library/);
# 2. the seeded images have what generated Dockerfiles use (versions, PATH, users, getent,
#    groupadd, useradd, sh), run by their docker.io names through registry-mirrors;
# 3. a 3-line Dockerfile FROM python:3.11-slim builds with --network=host, pushes and exports
#    registry cache (mode=max); after `docker buildx prune -af` and removing the image, the
#    rebuild imports that cache (the RUN step is CACHED, same output); `docker run
#    --network=host` of the result works.
# Logs: $ENGINE_DIR/selftest/*.log.
set -uo pipefail
ENGINE_DIR=${ENGINE_DIR:-/tmp/migetpacks-engine}
[ -f "$ENGINE_DIR/env" ] || { echo "no $ENGINE_DIR/env: run scripts/engine.sh up first" >&2; exit 1; }
# shellcheck disable=SC1091
. "$ENGINE_DIR/env"
W=$ENGINE_DIR/selftest
rm -rf "$W" && mkdir -p "$W/app" || exit 1
fails=0
T0=$(date +%s%N)
secs() { local ms=$((($(date +%s%N) - $1) / 1000000)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; fails=$((fails + 1)); }

# --- 1. registry layout
check_tags() { # check_tags NAME TAG...
  local name=$1 repo list t missing=()
  shift
  for repo in "library/$name" "mirror/library/$name"; do
    list=$(curl -fsS "http://$REGISTRY/v2/$repo/tags/list" 2>/dev/null)
    for t in "$@"; do case $list in *"\"$t\""*) ;; *) missing+=("$repo:$t") ;; esac; done
  done
  if ((${#missing[@]})); then fail "registry lacks ${missing[*]}"; else pass "registry has $name:{$(IFS=,; echo "$*")} in library/ and mirror/library/"; fi
}
check_tags debian bookworm-slim bookworm 12-slim 12
check_tags python 3.11 3.11-slim
check_tags node 18 18-slim
check_tags golang 1.19

# --- 2. image contents (docker.io names resolve through the registry mirror)
check_run() { # check_run IMAGE EXPECTED-OUTPUT SCRIPT
  local out s
  s=$(date +%s%N)
  docker pull -q "$1" >/dev/null 2>&1 || { fail "docker pull $1 (via registry-mirrors)"; return; }
  out=$(docker run --rm --network=host "$1" sh -c "$3" 2>&1 | tr '\n' ' ')
  out=${out% }
  if [ "$out" = "$2" ]; then pass "$1: $out ($(secs "$s") s)"; else fail "$1: expected '$2', got '$out'"; fi
}
# shellcheck disable=SC2016 # expanded inside the container
RUNTIME_TOOLS='for c in getent groupadd useradd sh; do command -v $c >/dev/null || echo "no-$c"; done'
check_run debian:bookworm-slim "ok" "$RUNTIME_TOOLS; test -s /etc/ssl/certs/ca-certificates.crt && echo ok"
check_run python:3.11-slim "Python 3.11 pip ok" \
  "$RUNTIME_TOOLS; python --version | cut -d. -f1,2; pip --version | cut -d' ' -f1; python -m venv /tmp/v && echo ok"
check_run node:18-slim "v18 npm node 1000 ok" \
  "$RUNTIME_TOOLS; node --version | cut -d. -f1; npm --version >/dev/null && echo npm; getent passwd 1000 | cut -d: -f1,3 | tr : ' '; echo ok"
check_run golang:1.19 "go1.19 /go /usr/local/go/bin/go ok" \
  "go version | cut -d' ' -f3 | cut -d. -f1,2; go env GOPATH; command -v go; echo ok"

# --- 3. build, push, registry cache export; prune; rebuild from the registry cache; run
cd "$W/app" || exit 1
cat >Dockerfile <<'EOF'
FROM python:3.11-slim
RUN (getent passwd 1000 >/dev/null || useradd -u 1000 -m miget) && python -c "import time; print(time.time_ns())" >/stamp
CMD ["sh", "-c", "echo $(id -un 1000) $(cat /stamp)"]
EOF
A=$REGISTRY/selftest/app
C=$A:cache-$(date +%s%N) # fresh cache ref: the first build is really cold
B=(docker buildx build --progress=plain --network=host --platform linux/amd64
  --cache-from "type=registry,ref=$C" --cache-to "type=registry,ref=$C,mode=max,ignore-error=true")
wipe() { docker image rm -f "$A:1" "$A:2" >/dev/null 2>&1; docker buildx prune -af >/dev/null 2>&1; }

wipe
s=$(date +%s%N)
if "${B[@]}" -t "$A:1" --push . >"$W/cold.log" 2>&1 && grep -q 'exporting cache to registry' "$W/cold.log"; then
  pass "cold build, --push, --cache-to type=registry,mode=max: $(secs "$s") s"
else fail "cold build (log: $W/cold.log)"; fi
cold_out=$(docker run --rm --network=host "$A:1" 2>&1)

wipe
s=$(date +%s%N)
"${B[@]}" -t "$A:2" --push . >"$W/warm.log" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q 'importing cache manifest' "$W/warm.log" && grep -Eq '^#[0-9]+ \[2/2\] RUN.*' "$W/warm.log" \
  && grep -A1 -E '^#[0-9]+ \[2/2\] RUN' "$W/warm.log" | grep -q CACHED; then
  pass "rebuild after prune, --cache-from registry: RUN step CACHED: $(secs "$s") s"
else fail "rebuild from registry cache rc=$rc (log: $W/warm.log)"; fi
warm_out=$(docker run --rm --network=host "$A:2" 2>&1)
if [ -n "$cold_out" ] && [ "$warm_out" = "$cold_out" ] && [ "${warm_out%% *}" = miget ]; then
  pass "docker run --network=host: '$warm_out' (same layer as the cold build)"
else fail "docker run: cold '$cold_out', warm '$warm_out'"; fi

echo "selftest: $fails failure(s) in $(secs "$T0") s"
exit $((fails > 0))
