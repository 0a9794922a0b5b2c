# image: denoland/deno
# tags: 2.6.1 debian-2.6.1
# args: DENO_VERSION=2.6.1
#
# Stand-in for Docker Hub's denoland/deno:<version> (the Debian image), built by
# scripts/engine.sh FROM its debian:bookworm-slim. The binary is the official glibc build from
# the npm package @deno/linux-x64-glibc; user deno (uid 1993), DENO_DIR, tini and the
# entrypoint are laid out as in the official image.
ARG BASE
FROM ${BASE} AS fetch
ARG DENO_VERSION
ADD https://registry.npmjs.org/@deno/linux-x64-glibc/-/linux-x64-glibc-${DENO_VERSION}.tgz /tmp/deno.tgz
RUN tar -xzf /tmp/deno.tgz -C /tmp \
 && install -m 755 /tmp/package/deno /usr/bin/deno

FROM ${BASE}
ARG DENO_VERSION
RUN useradd --uid 1993 --user-group deno \
 && mkdir /deno-dir/ && chown deno:deno /deno-dir/ \
 && apt-get update && apt-get install -y --no-install-recommends tini \
 && ln -s /usr/bin/tini /tini \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log
ENV DENO_DIR=/deno-dir/ DENO_INSTALL_ROOT=/usr/local DENO_VERSION=${DENO_VERSION}
# Deno trusts only its bundled CAs by default; this machine's TLS proxy needs the system store.
ENV DENO_TLS_CA_STORE=system,mozilla
COPY --from=fetch /usr/bin/deno /usr/bin/deno
COPY --chmod=755 <<'SH' /usr/local/bin/docker-entrypoint.sh
#!/bin/sh
# As in the official image: deno subcommands and options run with deno, anything else as is.
if [ "$1" != "${1#-}" ]; then exec deno "$@"; fi
case "$1" in
  bench | bundle | cache | check | clean | compile | completions | coverage | doc | eval | fmt | help | info | init | install | jupyter | lint | lsp | outdated | publish | repl | run | serve | task | test | types | uninstall | update | upgrade | vendor)
    exec deno "$@" ;;
esac
exec "$@"
SH
RUN deno --version
ENTRYPOINT ["/tini", "--", "docker-entrypoint.sh"]
CMD ["run", "https://docs.deno.com/examples/scripts/welcome.ts"]
