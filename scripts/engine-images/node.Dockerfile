# tags: 18-slim 18 18-bookworm 18-slim-bookworm
# Stand-in for Docker Hub's node:18 and node:18-slim (one image for both tags), built by
# scripts/engine.sh FROM its debian:bookworm-slim: Debian's nodejs 18 and npm.
ARG BASE
FROM ${BASE}
# Debian's node trusts the system store already; this also covers tools that read the variable.
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
# uid/gid 1000 `node`, as in the official image (migetpacks reuses an existing uid 1000).
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log \
 && node --version && npm --version
CMD ["node"]
