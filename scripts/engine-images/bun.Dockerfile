# image: oven/bun
# tags: 1.3.4 1.3 1 1.3.4-slim 1.3-slim 1-slim 1.3.4-debian 1.3.4-debian-slim
# args: BUN_VERSION=1.3.4
#
# Stand-in for Docker Hub's oven/bun:<version> and oven/bun:<version>-slim (one image for both
# tags), built by scripts/engine.sh FROM its debian:bookworm-slim. The binary is the official
# x64-baseline build from the npm package @oven/bun-linux-x64-baseline (runs without AVX2); the
# layout (user bun, /usr/local/bin/bun and bunx, entrypoint, env, workdir) is the official one.
ARG BASE
FROM ${BASE} AS fetch
ARG BUN_VERSION
ADD https://registry.npmjs.org/@oven/bun-linux-x64-baseline/-/bun-linux-x64-baseline-${BUN_VERSION}.tgz /tmp/bun.tgz
RUN tar -xzf /tmp/bun.tgz -C /tmp package/bin/bun \
 && install -m 755 /tmp/package/bin/bun /usr/local/bin/bun

FROM ${BASE}
RUN groupadd bun --gid 1000 \
 && useradd bun --uid 1000 --gid bun --shell /bin/sh --create-home
COPY --from=fetch /usr/local/bin/bun /usr/local/bin/bun
COPY --chmod=755 <<'SH' /usr/local/bin/docker-entrypoint.sh
#!/bin/sh
set -e
# As in the official image: run with bun if the first argument is an option or not a command.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ]; then
  set -- /usr/local/bin/bun "$@"
fi
exec "$@"
SH
RUN ln -s /usr/local/bin/bun /usr/local/bin/bunx && bun --version
ENV BUN_RUNTIME_TRANSPILER_CACHE_PATH=0 BUN_INSTALL_BIN=/usr/local/bin
# Bun bundles its own CAs; this machine's TLS proxy needs the system store.
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
WORKDIR /home/bun/app
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["/usr/local/bin/bun"]
