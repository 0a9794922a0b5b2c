#!/usr/bin/env bash
# engine.sh: a local BuildKit engine and OCI registry for migetpacks' end-to-end tests, built
# only from Debian packages (Docker Hub is not reachable). Run as root on Debian 12.
#
#   scripts/engine.sh up          install, start and seed (idempotent; about 1 s when running)
#   scripts/engine.sh down        stop what `up` started, by recorded pid; keeps images
#   scripts/engine.sh down --purge    ... and delete $ENGINE_DIR
#   scripts/engine.sh status      show daemons, versions and seeded tags (exit 1 if not running)
#   scripts/engine.sh env         write the env file and print its path:  . "$(scripts/engine.sh env)"
#   scripts/engine.sh prove       quick self-test (scripts/engine-selftest.sh)
#
# Parts: dockerd (containerd image store, so its built-in BuildKit exports registry cache),
# containerd and the buildx plugin from Debian trixie .debs unpacked under $ENGINE_DIR; runc,
# tini, docker-registry and mmdebstrap from bookworm apt. Base images (debian, and one per
# scripts/engine-images/NAME.Dockerfile) are seeded into the registry under $REG/REPO:TAG (the
# docker.io route via registry-mirrors) and $REG/mirror/REPO:TAG (migetpacks' REGISTRY_MIRROR
# layout), REPO being library/NAME or the recipe's `# image:`.
# Builds must pass --network=host and must not start with a `# syntax=` line. docs/engine.md
# has the details, image contents and timings.
#
# Settings: ENGINE_DIR (/tmp/migetpacks-engine), ENGINE_REGISTRY_ADDR (127.0.0.1:5000),
# ENGINE_SEED ("all": debian and every scripts/engine-images/NAME.Dockerfile; empty: none),
# ENGINE_DEBIAN_MIRROR (http://deb.debian.org/debian), ENGINE_DEBIAN_SECURITY_MIRROR (<mirror>-security),
# ENGINE_HOST_DOCKER (auto: use a docker CLI on PATH; no: always use trixie's docker-cli).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ENGINE_DIR=${ENGINE_DIR:-/tmp/migetpacks-engine}
REG=${ENGINE_REGISTRY_ADDR:-127.0.0.1:5000}
SEED=${ENGINE_SEED-all}
MIRROR=${ENGINE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${ENGINE_DEBIAN_SECURITY_MIRROR:-$MIRROR-security}
HOST_DOCKER_MODE=${ENGINE_HOST_DOCKER:-auto}

PKGS=$ENGINE_DIR/pkgs/root          # trixie .debs, unpacked privately with dpkg -x
SOCK=$ENGINE_DIR/run/docker.sock
DOCKERD=$PKGS/usr/sbin/dockerd
REGBIN=/usr/bin/docker-registry
T0=$(date +%s)

log() { printf '[engine %3ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf '[engine] ERROR: %s\n' "$*" >&2; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

# pid_runs PIDFILE EXE: does the recorded pid still run that executable? (pids get reused)
pid_runs() {
  local pid exe
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [ "${exe% (deleted)}" = "$(readlink -f "$2")" ]
}
mounts_under_engine() { awk -v p="$ENGINE_DIR/" 'index($2, p) == 1 {print $2}' /proc/self/mounts; }
port_open() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }
registry_answers() { curl -fsS -o /dev/null --max-time 2 "http://$REG/v2/" 2>/dev/null; }
dockerd_answers() { docker version >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------
# docker CLI and env file

# host_docker: print a docker CLI on PATH that is not our own fallback copy.
host_docker() {
  local d
  [ "$HOST_DOCKER_MODE" != no ] || return 1
  IFS=: read -ra dirs <<<"$PATH"
  for d in "${dirs[@]}"; do
    if [ "$d" != "$ENGINE_DIR/bin" ] && [ -x "$d/docker" ]; then echo "$d/docker"; return 0; fi
  done
  return 1
}

write_env() {
  mkdir -p "$ENGINE_DIR"
  {
    echo "# migetpacks build engine (scripts/engine.sh); source this file"
    printf 'export ENGINE_DIR=%q\n' "$ENGINE_DIR"
    printf 'export DOCKER_HOST=%q\n' "unix://$SOCK"
    printf 'export DOCKER_CONFIG=%q\n' "$ENGINE_DIR/docker-config"
    echo "export DOCKER_BUILDKIT=1"
    echo "export BUILDX_BUILDER=default"
    # No provenance attestations: they turn each image into an OCI index, and the Debian
    # registry 2.8 then intermittently answers the docker driver's second push with
    # "500 invalid checksum digest format".
    echo "export BUILDX_NO_DEFAULT_ATTESTATIONS=1"
    echo "unset DOCKER_CONTEXT"
    printf 'export REGISTRY=%q\n' "$REG"
    echo "# value for migetpacks' REGISTRY_MIRROR (rewrites FROM python:3.11 to \$REGISTRY/mirror/library/python:3.11)"
    printf 'export ENGINE_REGISTRY_MIRROR=%q\n' "http://$REG"
    # shellcheck disable=SC2016 # $PATH expands when the file is sourced
    if ! host_docker >/dev/null; then printf 'export PATH=%q:"$PATH"\n' "$ENGINE_DIR/bin"; fi
  } >"$ENGINE_DIR/env.new"
  mv "$ENGINE_DIR/env.new" "$ENGINE_DIR/env"
}

load_env() {
  # shellcheck disable=SC1091
  . "$ENGINE_DIR/env"
}

# ---------------------------------------------------------------------------------------------
# packages

install_host_packages() {
  local p missing=()
  for p in runc tini docker-registry mmdebstrap iptables ca-certificates curl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >"$ENGINE_DIR/logs/apt.log" 2>&1 || { tail -20 "$ENGINE_DIR/logs/apt.log" >&2; die "apt-get install failed"; }
}

# Bookworm's dockerd (20.10) cannot export registry cache; trixie's (26.1) can with the containerd
# image store. Its binaries are static Go (dockerd, containerd, buildx) and run on bookworm;
# trixie's runc needs glibc 2.38, so bookworm's runc is used.
fetch_trixie_binaries() {
  local debs=(docker.io containerd docker-buildx) f need=0 d deb apt_o
  host_docker >/dev/null || debs+=(docker-cli)
  for f in usr/sbin/dockerd usr/bin/containerd usr/bin/containerd-shim-runc-v2 \
    usr/libexec/docker/cli-plugins/docker-buildx; do
    [ -x "$PKGS/$f" ] || need=1
  done
  host_docker >/dev/null || [ -x "$PKGS/usr/bin/docker" ] || need=1
  if [ "$need" = 1 ]; then
    log "downloading from trixie: ${debs[*]}"
    local t=$ENGINE_DIR/pkgs
    rm -rf "$t/apt" && mkdir -p "$t"/apt/{lists/partial,cache/archives/partial,debs} "$PKGS"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main" >"$t/apt/sources.list"
    apt_o=(-o "Dir::Etc::SourceList=$t/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$t/apt/lists" -o "Dir::Cache=$t/apt/cache" -o APT::Sandbox::User=root)
    apt-get "${apt_o[@]}" update -qq >"$ENGINE_DIR/logs/trixie-apt.log" 2>&1 \
      || { tail -20 "$ENGINE_DIR/logs/trixie-apt.log" >&2; die "apt-get update (trixie index) failed"; }
    (cd "$t/apt/debs" && apt-get "${apt_o[@]}" download "${debs[@]}") >>"$ENGINE_DIR/logs/trixie-apt.log" 2>&1 \
      || { tail -20 "$ENGINE_DIR/logs/trixie-apt.log" >&2; die "apt-get download ${debs[*]} failed"; }
    : >"$t/versions"
    for d in "${debs[@]}"; do
      for deb in "$t/apt/debs/${d}_"*.deb; do
        # shellcheck disable=SC2016 # dpkg's format string
        dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >>"$t/versions"
        dpkg -x "$deb" "$PKGS"
      done
    done
    # Not used by dockerd 26 (only the runc v2 shim is), and docs: about 115 MB.
    rm -rf "$t/apt" "${PKGS:?}/usr/share" "$PKGS/usr/bin/containerd-shim" "$PKGS/usr/bin/containerd-shim-runc-v1"
  fi
  # dockerd finds its helpers on PATH: sbin/ holds exactly the ones it must use.
  mkdir -p "$ENGINE_DIR"/{sbin,bin,docker-config/cli-plugins}
  for f in usr/sbin/dockerd usr/sbin/docker-proxy usr/bin/containerd usr/bin/containerd-shim-runc-v2 usr/bin/ctr; do
    ln -sfn "$PKGS/$f" "$ENGINE_DIR/sbin/${f##*/}"
  done
  ln -sfn /usr/sbin/runc "$ENGINE_DIR/sbin/runc"
  ln -sfn /usr/bin/tini-static "$ENGINE_DIR/sbin/docker-init"
  ln -sfn "$PKGS/usr/libexec/docker/cli-plugins/docker-buildx" "$ENGINE_DIR/docker-config/cli-plugins/docker-buildx"
  if host_docker >/dev/null; then rm -f "$ENGINE_DIR/bin/docker"; else ln -sfn "$PKGS/usr/bin/docker" "$ENGINE_DIR/bin/docker"; fi
  [ -f "$ENGINE_DIR/docker-config/config.json" ] || echo '{}' >"$ENGINE_DIR/docker-config/config.json"
}

# ---------------------------------------------------------------------------------------------
# daemons

start_registry() {
  pid_runs "$ENGINE_DIR/run/registry.pid" "$REGBIN" && return 0
  port_open "$REG" && die "$REG is already taken by another process; set ENGINE_REGISTRY_ADDR"
  mkdir -p "$ENGINE_DIR/registry/data"
  cat >"$ENGINE_DIR/registry/config.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $ENGINE_DIR/registry/data}
  delete: {enabled: true}
http: {addr: $REG}
EOF
  log "starting docker-registry on $REG"
  # setsid (not -f): the daemon leaves our session, and $! stays its pid.
  setsid "$REGBIN" serve "$ENGINE_DIR/registry/config.yml" </dev/null >>"$ENGINE_DIR/logs/registry.log" 2>&1 &
  echo $! >"$ENGINE_DIR/run/registry.pid"
}

start_dockerd() {
  pid_runs "$ENGINE_DIR/run/dockerd.pid" "$DOCKERD" && return 0
  # overlayfs snapshotter if the kernel lets us mount overlay here, else the (slow) native one.
  local drv=overlayfs p=$ENGINE_DIR/run/overlay-probe
  mkdir -p "$p"/{l,u,w,m}
  if mount -t overlay overlay -o "lowerdir=$p/l,upperdir=$p/u,workdir=$p/w" "$p/m" 2>/dev/null; then
    umount "$p/m"
  else drv=native; fi
  rm -rf "$p"
  cat >"$ENGINE_DIR/daemon.json" <<EOF
{
  "features": {"containerd-snapshotter": true},
  "storage-driver": "$drv",
  "bridge": "none", "iptables": false, "ip6tables": false,
  "insecure-registries": ["$REG"],
  "registry-mirrors": ["http://$REG"],
  "builder": {"gc": {"enabled": true, "defaultKeepStorage": "20GB"}}
}
EOF
  log "starting dockerd (snapshotter $drv)"
  rm -f "$SOCK" "$ENGINE_DIR/exec/dockerd.pid" # stale ones block the start
  PATH="$ENGINE_DIR/sbin:$PATH" setsid "$DOCKERD" \
    --config-file "$ENGINE_DIR/daemon.json" --data-root "$ENGINE_DIR/data" \
    --exec-root "$ENGINE_DIR/exec" --pidfile "$ENGINE_DIR/exec/dockerd.pid" -H "unix://$SOCK" \
    </dev/null >>"$ENGINE_DIR/logs/dockerd.log" 2>&1 &
  echo $! >"$ENGINE_DIR/run/dockerd.pid"
}

# wait_for WHAT CHECK PIDFILE LOG SECONDS
wait_for() {
  local what=$1 check=$2 pidfile=$3 logf=$4 i
  for ((i = 0; i < $5 * 4; i++)); do
    "$check" && return 0
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      tail -30 "$logf" >&2; die "$what died (log: $logf)"
    fi
    sleep 0.25
  done
  die "$what does not answer after $5 s (log: $logf)"
}

# ---------------------------------------------------------------------------------------------
# commands

cmd_up() {
  need_root
  mkdir -p "$ENGINE_DIR"/{run,logs,seed}
  install_host_packages
  start_registry
  wait_for registry registry_answers "$ENGINE_DIR/run/registry.pid" "$ENGINE_DIR/logs/registry.log" 20
  # shellcheck source=engine-seed.sh
  . "$SCRIPTS/engine-seed.sh"
  seed_plan                 # decide what to seed now, while dockerd is not there yet,
  seed_bootstrap_start      # so the debian rootfs bootstrap overlaps the trixie download.
  fetch_trixie_binaries
  write_env
  load_env
  start_dockerd
  wait_for dockerd dockerd_answers "$ENGINE_DIR/run/dockerd.pid" "$ENGINE_DIR/logs/dockerd.log" 90
  seed_run
  log "up: dockerd $(docker version -f '{{.Server.Version}}'), buildx $(docker buildx version | awk '{print $2}'), registry http://$REG"
  log "use it:  . \"$ENGINE_DIR/env\"   (or: . \"\$(scripts/engine.sh env)\")"
}

# stop_pid PIDFILE EXE-BASENAME SECONDS: TERM, then KILL, the recorded pid if it runs that program.
stop_pid() {
  local f=$1 want=$2 secs=$3 pid exe i
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if ! exe=$(readlink "/proc/$pid/exe" 2>/dev/null); then rm -f "$f"; return 0; fi
  exe=${exe% (deleted)}
  if [ "${exe##*/}" != "$want" ]; then
    log "pid $pid from $f now runs $exe, not $want: left alone"; rm -f "$f"; return 0
  fi
  log "stopping $want (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then log "$want (pid $pid) ignored TERM: KILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$f"
}

cmd_down() {
  need_root
  [ -d "$ENGINE_DIR" ] || { log "nothing at $ENGINE_DIR"; return 0; }
  local f pid ppid m
  # dockerd stops its containers and containerd too, but may return (and drop containerd's pid
  # file) before containerd has exited: keep that pid to wait for it.
  if [ -s "$ENGINE_DIR/exec/containerd/containerd.pid" ]; then
    cp "$ENGINE_DIR/exec/containerd/containerd.pid" "$ENGINE_DIR/run/containerd.pid"
  fi
  stop_pid "$ENGINE_DIR/run/dockerd.pid" dockerd 60
  stop_pid "$ENGINE_DIR/run/containerd.pid" containerd 20
  # Containers left running after an abrupt dockerd death: kill each init pid containerd recorded
  # and its shim, but only if that shim serves this engine's containerd socket.
  for f in "$ENGINE_DIR"/exec/containerd/daemon/io.containerd.runtime.v2.task/*/*/init.pid; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
    [ -n "$ppid" ] || continue
    if tr '\0' ' ' <"/proc/$ppid/cmdline" 2>/dev/null | grep -qF -- "-address $ENGINE_DIR/exec/containerd/containerd.sock"; then
      log "killing leftover container (pid $pid) and its shim (pid $ppid)"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      kill -TERM "$ppid" 2>/dev/null || true
    fi
  done
  stop_pid "$ENGINE_DIR/run/registry.pid" docker-registry 10
  # dockerd leaves exec/netns/default bound, and overlays stay mounted after a kill.
  mounts_under_engine | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
  if [ "${1:-}" = --purge ]; then
    [ -z "$(mounts_under_engine)" ] || die "mounts remain under $ENGINE_DIR; not deleting"
    log "removing $ENGINE_DIR"
    rm -rf "$ENGINE_DIR" 2>/dev/null || { sleep 2; rm -rf "$ENGINE_DIR"; }
  fi
  log "down"
}

cmd_status() {
  local ok=0 r
  echo "ENGINE_DIR  $ENGINE_DIR"
  if pid_runs "$ENGINE_DIR/run/registry.pid" "$REGBIN" && registry_answers; then
    echo "registry    running, pid $(cat "$ENGINE_DIR/run/registry.pid"), http://$REG"
  else echo "registry    not running"; ok=1; fi
  if [ -f "$ENGINE_DIR/env" ] && pid_runs "$ENGINE_DIR/run/dockerd.pid" "$DOCKERD" && { load_env; dockerd_answers; }; then
    echo "dockerd     running, pid $(cat "$ENGINE_DIR/run/dockerd.pid"), $DOCKER_HOST, version $(docker version -f '{{.Server.Version}}')"
    echo "buildx      $(docker buildx version | awk '{print $2}'); docker CLI $(docker version -f '{{.Client.Version}}') at $(command -v docker)"
  else echo "dockerd     not running"; ok=1; fi
  if [ -f "$ENGINE_DIR/pkgs/versions" ]; then echo "trixie debs $(sed -z 's/\n$//; s/\n/, /g' "$ENGINE_DIR/pkgs/versions")"; fi
  if [ "$ok" = 0 ]; then
    for r in $(curl -fsS "http://$REG/v2/_catalog?n=1000" | grep -o '"[^"]*"' | tr -d '"' | grep -v '^repositories$'); do
      printf '  %-32s %s\n' "$r" "$(curl -fsS "http://$REG/v2/$r/tags/list" | sed -n 's/.*"tags":\[\(.*\)\].*/\1/p' | tr -d '"')"
    done
    echo "env         . $ENGINE_DIR/env"
  fi
  return "$ok"
}

case "${1:-}" in
  up) cmd_up ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  env) write_env; echo "$ENGINE_DIR/env" ;;
  prove | selftest) exec bash "$SCRIPTS/engine-selftest.sh" ;;
  *) sed -n '2,10p' "$0" >&2; exit 2 ;;
esac
