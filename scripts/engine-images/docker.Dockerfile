# tags: 26.1-cli 26-cli
# Stand-in for Docker Hub's docker:26.1-cli, built by scripts/engine.sh FROM its
# debian:bookworm-slim: the docker CLI and the buildx plugin of Debian trixie (static Go
# binaries, the same packages engine.sh runs dockerd and buildx from) at the official image's
# paths, /usr/local/bin/docker and /usr/local/libexec/docker/cli-plugins/docker-buildx. Images
# that `COPY --from=docker:26.1-cli` those two files (integrations/image/Dockerfile) build here.
ARG BASE
FROM ${BASE} AS fetch
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /tmp/debs
# Only the two .debs are downloaded from trixie and unpacked; nothing is installed from it.
RUN sed -n 's/^\(deb [^ ]*\) bookworm main$/\1 trixie main/p' /etc/apt/sources.list >/etc/apt/sources.list.d/trixie.list \
 && apt-get update \
 && apt-get download docker-cli/trixie docker-buildx/trixie \
 && for d in ./*.deb; do dpkg -x "$d" /tmp/root; done \
 && install -D -m 0755 /tmp/root/usr/bin/docker /out/usr/local/bin/docker \
 && install -D -m 0755 /tmp/root/usr/libexec/docker/cli-plugins/docker-buildx \
      /out/usr/local/libexec/docker/cli-plugins/docker-buildx \
 && /out/usr/local/bin/docker --version | grep -q 'version 26\.1\.' \
 && rm -rf /var/lib/apt/lists/*

FROM ${BASE}
COPY --from=fetch /out/ /
RUN docker --version && docker buildx version
ENTRYPOINT ["docker"]
