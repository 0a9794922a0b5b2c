# shellcheck shell=bash
# engine-seed.sh: seeding of base images for scripts/engine.sh (sourced by it; uses its
# variables and helpers: ENGINE_DIR REG SEED MIRROR SECURITY_MIRROR SCRIPTS log die).
#
# debian:bookworm-slim is a minbase-like rootfs made by mmdebstrap (--variant=required, the
# package set of `debootstrap --variant=minbase`, with the dpkg path-excludes of Docker Hub's
# slim images) and `docker import`ed. The language images are built FROM it on the engine from
# scripts/engine-images/NAME.Dockerfile. Every image is pushed as $REG/library/NAME:TAG and
# $REG/mirror/library/NAME:TAG. An image is rebuilt only when one of its tags is missing from
# the registry (GET /v2/<repo>/tags/list) or its recipe changed (hash stamp next to the
# registry data).

SEED_REVISION=1 # bump to force a reseed everywhere
SEED_STAMPS=$ENGINE_DIR/registry/seeded
SEED_TMP=$ENGINE_DIR/seed/tmp
SEED_BASE=$REG/mirror/library/debian:bookworm-slim
SEED_TODO=()
SEED_BOOT_PID=
SEED_LAST_PID=

# Each scripts/engine-images/NAME.Dockerfile is one image; its header lines say how to build it:
#   # image: REPO           repository (default library/NAME)
#   # tags: T...            tags of the final stage
#   # tags@STAGE: T...      tags of another stage (built first, with --target STAGE)
#   # args: K=V...          build arguments
#   # contexts: N=SRC...    folders N of the build context, from this machine (SRC: rust-sysroot,
#                           its Rust toolchain; cargo-bin, its rustup)
#   # dockerfile: F         build F's recipe instead of this file's body (a variant of F)
SEED_IMAGES=$SCRIPTS/engine-images
seed_header() { sed -n "s/^# $2: //p" "$SEED_IMAGES/$1.Dockerfile"; }
seed_known() { for f in "$SEED_IMAGES"/*.Dockerfile; do f=${f##*/}; echo "${f%.Dockerfile}"; done; }
seed_repo() { local r=library/$1; [ "$1" = debian ] || r=$(seed_header "$1" image); echo "${r:-library/$1}"; }

# seed_tags NAME: the tags pushed for NAME, in every stage.
seed_tags() {
  case $1 in
    debian) echo bookworm-slim bookworm 12-slim 12 ;;
    *)
      [ -f "$SEED_IMAGES/$1.Dockerfile" ] || die "ENGINE_SEED: unknown image '$1' (known: debian $(seed_known | tr '\n' ' '))"
      sed -n 's/^# tags\(@[a-z]*\)\{0,1\}: //p' "$SEED_IMAGES/$1.Dockerfile" | tr '\n' ' ' | sed 's/ $//'
      ;;
  esac
}

seed_context() {
  case $1 in
    rust-sysroot) rustc --print sysroot || die "the rust image needs this machine's Rust toolchain (rustc on PATH)" ;;
    cargo-bin) echo "${CARGO_HOME:-$HOME/.cargo}/bin" ;;
    *) die "unknown seed context source '$1'" ;;
  esac
}

# shellcheck disable=SC2016 # the hooks' "$1" (the rootfs) is expanded by mmdebstrap's sh
seed_bootstrap_args() {
  SEED_BOOT_ARGS=(
    --variant=required --include=ca-certificates
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
    --dpkgopt=force-unsafe-io
    # What Docker Hub's slim images leave out; kept in the image so apt-get installs in
    # later layers stay small too.
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/groff/*'
    --dpkgopt='path-exclude=/usr/share/lintian/*' --dpkgopt='path-exclude=/usr/share/linda/*'
    # This machine's egress proxy re-signs TLS: without its CA, pip/npm/go inside builds fail.
    --customize-hook='cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null || true'
    --customize-hook='chroot "$1" update-ca-certificates >/dev/null'
    --customize-hook='rm -rf "$1"/var/log/*.log "$1"/var/log/apt/* "$1"/var/cache/ldconfig/aux-cache'
    bookworm
  )
  SEED_BOOT_SOURCES=(
    "deb $MIRROR bookworm main"
    "deb $MIRROR bookworm-updates main"
    "deb $SECURITY_MIRROR bookworm-security main"
  )
}

# seed_hash NAME: what the image is made of; a change means a rebuild.
seed_hash() {
  {
    echo "rev $SEED_REVISION tags $(seed_tags "$1")"
    if [ "$1" = debian ]; then
      seed_bootstrap_args
      printf '%s\n' "${SEED_BOOT_ARGS[@]}" "${SEED_BOOT_SOURCES[@]}"
      cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true
    else
      seed_hash debian
      # Tags are hashed above; the rest of the file (other headers included) below.
      grep -v '^# tags[@a-z]*: ' "$SEED_IMAGES/$1.Dockerfile"
      if [ -n "$(seed_header "$1" dockerfile)" ]; then cat "$SEED_IMAGES/$(seed_header "$1" dockerfile)"; fi
    fi
  } | sha256sum | cut -c1-16
}

# seed_present NAME: all tags of NAME in both layouts, built from the current recipe?
seed_present() {
  local repo tags t
  [ "$(cat "$SEED_STAMPS/$1" 2>/dev/null)" = "$(seed_hash "$1")" ] || return 1
  for repo in "$(seed_repo "$1")" "mirror/$(seed_repo "$1")"; do
    tags=$(curl -fsS --max-time 5 "http://$REG/v2/$repo/tags/list" 2>/dev/null) || return 1
    for t in $(seed_tags "$1"); do
      case $tags in *"\"$t\""*) ;; *) return 1 ;; esac
    done
  done
}

seed_plan() {
  local name wanted=()
  if [ "$SEED" = all ]; then SEED="debian $(seed_known | tr '\n' ' ')"; fi
  for name in $SEED; do
    seed_tags "$name" >/dev/null
    case $name in debian) ;; *) wanted+=("$name") ;; esac
  done
  # Every language image is built FROM the debian one.
  if [ -n "$SEED" ] && ! seed_present debian; then SEED_TODO+=(debian); fi
  for name in "${wanted[@]}"; do
    seed_present "$name" || SEED_TODO+=("$name")
  done
  if ((${#SEED_TODO[@]})); then log "to seed: ${SEED_TODO[*]}"; fi
}

seed_cleanup() {
  if [ -n "$SEED_BOOT_PID" ] && kill -0 "$SEED_BOOT_PID" 2>/dev/null; then kill "$SEED_BOOT_PID" 2>/dev/null || true; fi
  if grep -qF " $SEED_TMP " /proc/self/mounts; then umount -R -l "$SEED_TMP" 2>/dev/null || true; fi
}

# Bootstrap the debian rootfs in the background: it needs no dockerd, only the Debian mirror.
seed_bootstrap_start() {
  case " ${SEED_TODO[*]} " in *" debian "*) ;; *) return 0 ;; esac
  seed_bootstrap_args
  seed_cleanup
  rm -rf "$SEED_TMP"
  mkdir -p "$SEED_TMP"
  # In RAM: on this machine's disk, dpkg's many small writes (and deleting the tree) take
  # longer than the downloads.
  mount -t tmpfs -o size=1500m,mode=0755 migetpacks-seed "$SEED_TMP" 2>/dev/null || log "no tmpfs; bootstrapping on disk"
  trap seed_cleanup EXIT
  log "bootstrapping debian bookworm rootfs (mmdebstrap, in the background)"
  TMPDIR=$SEED_TMP mmdebstrap "${SEED_BOOT_ARGS[@]}" "$SEED_TMP/debian.tar" "${SEED_BOOT_SOURCES[@]}" \
    </dev/null >"$ENGINE_DIR/logs/seed-debian.log" 2>&1 &
  SEED_BOOT_PID=$!
}

# seed_publish SRC NAME: tag SRC under both layouts for every tag of NAME and push.
seed_publish() {
  local src=$1 name=$2 t ref
  for t in $(seed_tags "$name"); do
    for ref in "$REG/library/$name:$t" "$REG/mirror/library/$name:$t"; do
      [ "$ref" = "$src" ] || docker tag "$src" "$ref"
      docker push -q "$ref" >/dev/null
    done
  done
}

seed_debian() {
  [ -n "$SEED_BOOT_PID" ] || die "debian bootstrap was not started"
  if ! wait "$SEED_BOOT_PID"; then
    SEED_BOOT_PID=
    tail -20 "$ENGINE_DIR/logs/seed-debian.log" >&2
    die "mmdebstrap failed (log: $ENGINE_DIR/logs/seed-debian.log)"
  fi
  SEED_BOOT_PID=
  log "importing debian:bookworm-slim ($(du -m "$SEED_TMP/debian.tar" | cut -f1) MB tar)"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' "$SEED_TMP/debian.tar" "$SEED_BASE" >/dev/null
  seed_cleanup
  rm -rf "$SEED_TMP"
  seed_publish "$SEED_BASE" debian
}

# seed_build_start NAME: build NAME's recipe FROM the debian image and push every tag of every
# stage, in the background; its pid goes to SEED_LAST_PID (no $(...): `wait` needs a child of
# this shell).
seed_build_start() {
  local name=$1 repo df hash t c ctx stage first more common=() stage_args=()
  repo=$(seed_repo "$name")
  df=$(seed_header "$name" dockerfile)
  hash=$(seed_hash "$name")
  common=(--progress=plain --network=host --provenance=false --build-arg "BASE=$SEED_BASE"
    --label "io.migetpacks.engine.seed=$hash" -f "$SEED_IMAGES/${df:-$name.Dockerfile}")
  for t in $(seed_header "$name" args); do common+=(--build-arg "$t"); done
  # The build context: empty, or the `# contexts:` folders, hard-linked (copied across file
  # systems); the Dockerfile's COPY sources decide what is sent.
  ctx=$ENGINE_DIR/seed/context-$name
  rm -rf "$ctx" && mkdir -p "$ctx"
  for c in $(seed_header "$name" contexts); do
    t=$(seed_context "${c#*=}")
    cp -al "$t" "$ctx/${c%%=*}" 2>/dev/null || { rm -rf "${ctx:?}/${c%%=*}"; cp -a "$t" "$ctx/${c%%=*}"; }
  done
  (
    # Other stages first (`# tags@STAGE:`), then the final one; they share their cached layers.
    sed -n 's/^# tags@\([a-z]*\): /\1 /p; s/^# tags: /- /p' "$SEED_IMAGES/$name.Dockerfile" | sort -r |
      while read -r stage first more; do
        stage_args=()
        [ "$stage" = - ] || stage_args=(--target "$stage")
        # dockerd 26 fails some builds at their very end, after the push ("failed to solve: not
        # found": every time for the rust image here, sometimes for others). The
        # push is good when the registry has this recipe's label; else build once more.
        for t in 1 2; do
          docker buildx build "${common[@]}" "${stage_args[@]}" -t "$REG/$repo:$first" \
            -t "$REG/mirror/$repo:$first" --push "$ctx" && break
          seed_pushed "$repo:$first" "$hash" && seed_pushed "mirror/$repo:$first" "$hash" && break
          [ "$t" = 1 ] || exit 1
        done
        # shellcheck disable=SC2086 # $more: the other tags, one word each
        seed_retag "$repo" "$first" $more && seed_retag "mirror/$repo" "$first" $more || exit 1
      done
  ) </dev/null >"$ENGINE_DIR/logs/seed-$name.log" 2>&1 &
  SEED_LAST_PID=$!
}

# seed_retag REPO TAG MORE...: push TAG's manifest as MORE tags through the registry API (each
# extra `-t` of a build unpacks the whole image into dockerd's store once more).
seed_retag() {
  local repo=$1 from=$2 m ct t
  shift 2
  m=$(mktemp)
  ct=$(curl -fsS -o "$m" -w '%{content_type}' "http://$REG/v2/$repo/manifests/$from" \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json') || { rm -f "$m"; return 1; }
  for t; do
    curl -fsS -o /dev/null -X PUT -H "Content-Type: $ct" --data-binary "@$m" "http://$REG/v2/$repo/manifests/$t" || { rm -f "$m"; return 1; }
  done
  rm -f "$m"
}

# seed_pushed REPO:TAG HASH: does the registry's REPO:TAG carry the seed label HASH? (The first
# digest in a manifest is its config's.)
seed_pushed() {
  local cfg
  cfg=$(curl -fsS "http://$REG/v2/${1%:*}/manifests/${1##*:}" \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' |
    grep -o 'sha256:[0-9a-f]\{64\}' | sed -n 1p) &&
    curl -fsS "http://$REG/v2/${1%:*}/blobs/$cfg" | grep -qF "\"io.migetpacks.engine.seed\":\"$2\""
}

# seed_forget_local NAME: remove the engine's local copies of NAME's tags, older builds or pulls
# included: a build's FROM takes a local image before asking the registry.
seed_forget_local() {
  local repo t
  repo=$(seed_repo "$1")
  for t in $(seed_tags "$1"); do
    docker image rm -f "$REG/$repo:$t" "$REG/mirror/$repo:$t" "${repo#library/}:$t" >/dev/null 2>&1 || true
  done
}

seed_run() {
  local name failed=() names=() pids=() i
  ((${#SEED_TODO[@]})) || return 0
  mkdir -p "$SEED_STAMPS"
  for name in "${SEED_TODO[@]}"; do rm -f "$SEED_STAMPS/$name"; done
  for name in "${SEED_TODO[@]}"; do
    if [ "$name" = debian ]; then
      seed_debian
      seed_hash debian >"$SEED_STAMPS/debian"
      continue
    fi
    # apt downloads dominate: build the language images side by side.
    log "building $name:$(seed_tags "$name" | cut -d' ' -f1) (log: logs/seed-$name.log)"
    seed_build_start "$name"
    names+=("$name")
    pids+=("$SEED_LAST_PID")
  done
  for i in "${!pids[@]}"; do
    name=${names[$i]}
    if wait "${pids[$i]}"; then
      seed_hash "$name" >"$SEED_STAMPS/$name"
      seed_forget_local "$name"
      log "seeded $name: $(seed_tags "$name")"
    else
      tail -25 "$ENGINE_DIR/logs/seed-$name.log" >&2
      failed+=("$name")
    fi
  done
  ((${#failed[@]} == 0)) || die "seeding failed: ${failed[*]} (logs: $ENGINE_DIR/logs/seed-*.log)"
  if ((${#pids[@]})); then
    # The images are in the image store and the registry; their build cache is dead weight.
    # Deleting it costs tens of seconds on a slow disk: pay that here, not in the first
    # test that prunes the cache.
    log "dropping the seed builds' cache"
    docker buildx prune -af >/dev/null
  fi
}
